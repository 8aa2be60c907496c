import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmGenerator, type LlmGeneratorOptions } from '../../../../src/agents/query-generator/llm/index.js';
import { ExampleMemory } from '../../../../src/agents/query-generator/memory/index.js';
import type { GeneratedQuery, QueryGeneratorInput } from '../../../../src/agents/query-generator/contract.js';
import { isRefusal, type AgentCallContext, type Refusal } from '../../../../src/agents/types.js';
import { AppError } from '../../../../src/errors.js';
import { loadParser } from '../../../../src/sql/parser.js';
import { checkReadOnly } from '../../../../src/sql/safety.js';
import { completion, delay, reply, startChatServer, type ChatServer } from './chat-server.js';

const SCHEMA_CONTEXT = [
  'TABLE PAC_MNT_PROJECTS (Project_Code text PK, Project_Name text, Status text, Budget numeric, Department text)',
  'TABLE PROJSTAFF (Project_Code text FK -> PAC_MNT_PROJECTS.Project_Code, Resource_Code text, Role text)',
].join('\n');

const GOOD_ANSWER = [
  '<think>',
  '1. The question asks for projects, so PAC_MNT_PROJECTS.',
  "2. Active means Status = 'Active'.",
  '</think>',
  '```sql',
  "SELECT Project_Code, Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'Active';",
  '```',
].join('\n');

function input(overrides: Partial<QueryGeneratorInput> = {}): QueryGeneratorInput {
  return {
    query: 'Which projects are active?',
    context: {
      business_rules: { active_status: "Status = 'Active' means a running project" },
      user_preferences: { max_rows: 50 },
      historical_queries: [{ query: 'How many projects are there?', sql: 'SELECT COUNT(*) FROM PAC_MNT_PROJECTS' }],
    },
    mode: 'generate',
    schema_analysis: {
      relevant_tables: [],
      join_paths: [],
      entity_mappings: { query_terms: [], mapped_entities: [] },
      schema_context: SCHEMA_CONTEXT,
      warnings: [],
      suggestions: [],
    },
    attempt: 0,
    num_candidates: 1,
    ...overrides,
  };
}

function ctx(signal: AbortSignal = new AbortController().signal): AgentCallContext {
  return { signal, session: { session_id: 's1', turn: 1 } };
}

function answer(result: GeneratedQuery | Refusal): GeneratedQuery {
  if (isRefusal(result)) throw new Error(`unexpected refusal: ${result.refusal.message}`);
  return result;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

let server: ChatServer;

beforeAll(async () => {
  await loadParser();
  server = await startChatServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

function generator(options: Partial<LlmGeneratorOptions> = {}) {
  return createLlmGenerator({ base_url: server.base_url, model: 'test-model', ...options });
}

function userPrompt(): string {
  return server.requests[0].body.messages[1].content as string;
}

describe('a well-formed answer', () => {
  it('yields the fenced SQL, the think-tag reasoning and the metadata', async () => {
    server.handler = (_req, res) => reply(res, completion([GOOD_ANSWER], 321));
    const result = answer(await generator({ api_key: 'sk-test' })(input(), ctx()));
    expect(result.sql).toBe("SELECT Project_Code, Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'Active'");
    expect(result.reasoning).toMatch(/^<think>\n1\. The question asks for projects/);
    expect(result.reasoning).toMatch(/<\/think>$/);
    expect(result.confidence).toBeGreaterThan(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
    expect(result.alternatives).toEqual([]);
    expect(result.metadata.generator).toBe('llm:test-model');
    expect(generator().name).toBe('llm:test-model');
    expect(result.metadata.tokens_used).toBe(321);
    expect(result.metadata.generation_time).toBeGreaterThanOrEqual(0);
  });

  it('sends the protocol request: path, auth, model, sampling and the two messages', async () => {
    server.handler = (_req, res) => reply(res, completion([GOOD_ANSWER]));
    await generator({ api_key: 'sk-test', max_tokens: 256 })(input(), ctx());
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body).toMatchObject({ model: 'test-model', temperature: 0, max_tokens: 256, logprobs: true });
    expect(req.body.n).toBeUndefined();
    expect(req.body.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user']);
    expect(req.body.messages[0].content).toMatch(/read-only SELECT/);
    expect(req.body.messages[0].content).toMatch(/<think>/);
    expect(req.body.messages[0].content).toMatch(/```sql/);
  });

  it('puts the schema context, business context, earlier turns and the question in the user prompt, in that order', async () => {
    server.handler = (_req, res) => reply(res, completion([GOOD_ANSWER]));
    await generator()(input(), ctx());
    const prompt = userPrompt();
    const at = (text: string) => {
      const i = prompt.indexOf(text);
      expect(i, `prompt lacks ${text}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const order = [
      at(SCHEMA_CONTEXT),
      at("active_status: Status = 'Active' means a running project"),
      at('max_rows: 50'),
      at('How many projects are there?'),
      at('SELECT COUNT(*) FROM PAC_MNT_PROJECTS'),
      at('## Question\nWhich projects are active?'),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(prompt).not.toMatch(/rejected/);
    expect(server.requests[0].headers.authorization).toBeUndefined();
  });

  it('includes the most similar examples from memory as few-shot examples', async () => {
    const memory = new ExampleMemory();
    await memory.add([
      { query: 'Show all active projects', sql: "SELECT * FROM PAC_MNT_PROJECTS WHERE Status = 'Active'", source: 'learn' },
      { query: 'Count contacts per company', sql: 'SELECT Company_ID, COUNT(*) FROM SRM_CONTACTS GROUP BY Company_ID', source: 'learn' },
      { query: 'List available resources', sql: "SELECT * FROM PAC_MNT_RESOURCES WHERE Status = 'Available'", source: 'train', score: 0.9 },
    ]);
    server.handler = (_req, res) => reply(res, completion([GOOD_ANSWER]));
    await generator({ memory, examples: 1 })(input(), ctx());
    const prompt = userPrompt();
    expect(prompt).toContain("## Examples of answered questions\nQuestion: Show all active projects\n```sql\nSELECT * FROM PAC_MNT_PROJECTS WHERE Status = 'Active'\n```");
    expect(prompt).not.toContain('SRM_CONTACTS');
    expect(prompt).not.toContain('PAC_MNT_RESOURCES');
  });

  it("adds the validator's issues and suggestions on a retry", async () => {
    server.handler = (_req, res) => reply(res, completion([GOOD_ANSWER]));
    await generator()(
      input({
        attempt: 1,
        feedback: [
          { layer: 'schema', severity: 'error', message: 'column "project_title" does not exist', position: 7, suggestion: 'use Project_Name' },
          { layer: 'performance', severity: 'warning', message: 'no LIMIT on an unbounded listing' },
        ],
      }),
      ctx(),
    );
    const prompt = userPrompt();
    expect(prompt).toContain('## Your previous SQL for this question was rejected');
    expect(prompt).toContain('- [error, schema] column "project_title" does not exist (at character 7)');
    expect(prompt).toContain('Suggestion: use Project_Name');
    expect(prompt).toContain('- [warning, performance] no LIMIT on an unbounded listing');
    expect(prompt.indexOf('## Question')).toBeLessThan(prompt.indexOf('was rejected'));
  });

  it('takes the reasoning from the separate reasoning channel when the text has no think block', async () => {
    server.handler = (_req, res) => reply(res, completion([{ content: '```sql\nSELECT 1 FROM PAC_MNT_PROJECTS\n```', reasoning_content: '1. Any row will do.' }]));
    const result = answer(await generator()(input(), ctx()));
    expect(result.reasoning).toBe('<think>\n1. Any row will do.\n</think>');
  });
});

describe('other answer shapes', () => {
  it('finds a bare statement in prose and keeps the prose as reasoning', async () => {
    const prose = 'Sure! Here is a query that lists them:\n\nSELECT Project_Name\nFROM PAC_MNT_PROJECTS\nWHERE Status = \'Active\'\n\nIt returns every active project.';
    server.handler = (_req, res) => reply(res, completion([prose]));
    const result = answer(await generator()(input(), ctx()));
    expect(result.sql).toBe("SELECT Project_Name\nFROM PAC_MNT_PROJECTS\nWHERE Status = 'Active'");
    expect(result.reasoning).toContain('It returns every active project.');
    expect(result.reasoning).not.toContain('SELECT');
  });

  it('asks for n choices, merges identical SQL and ranks the one most samples agree on first', async () => {
    server.handler = (_req, res) =>
      reply(res, completion([
        '```sql\nSELECT Project_Name FROM PAC_MNT_PROJECTS\n```',
        "```sql\nSELECT Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'Active'\n```",
        "```sql\nselect   Project_Name\n  from PAC_MNT_PROJECTS where Status='Active'\n```",
      ]));
    const result = answer(await generator({ temperature: 0.8 })(input({ num_candidates: 3 }), ctx()));
    expect(server.requests[0].body).toMatchObject({ n: 3, temperature: 0.8 });
    expect(result.sql).toMatch(/WHERE Status = 'Active'/);
    expect(result.alternatives.map((a) => a.sql)).toEqual(['SELECT Project_Name FROM PAC_MNT_PROJECTS']);
  });

  it('caps the candidates asked of the server at 16', async () => {
    server.handler = (_req, res) => reply(res, completion([GOOD_ANSWER]));
    await generator({ temperature: 1 })(input({ num_candidates: 40 }), ctx());
    expect(server.requests[0].body.n).toBe(16);
  });

  it('lets the num_candidates option override the workflow (servers that reject n)', async () => {
    server.handler = (_req, res) => reply(res, completion([GOOD_ANSWER]));
    await generator({ num_candidates: 1, logprobs: false })(input({ num_candidates: 4 }), ctx());
    expect(server.requests[0].body.n).toBeUndefined();
    expect(server.requests[0].body.logprobs).toBeUndefined();
  });

  it('takes the confidence from the logprobs of the SQL tokens', async () => {
    const before = '<think>1. projects</think>\n```sql\n';
    const sql = 'SELECT Project_Name FROM PAC_MNT_PROJECTS';
    const after = '\n```';
    const tokens = [
      { token: before, logprob: -3 },
      ...sql.split(/(?= )/).map((token) => ({ token, logprob: -0.2 })),
      { token: after, logprob: -3 },
    ];
    server.handler = (_req, res) => reply(res, completion([{ content: before + sql + after, logprobs: tokens }]));
    const result = answer(await generator()(input(), ctx()));
    expect(result.sql).toBe(sql);
    expect(result.confidence).toBeCloseTo(Math.exp(-0.2), 6);
  });

  it('keeps the first of two read-only statements, with a lower confidence than a clean answer', async () => {
    server.handler = (_req, res) => reply(res, completion(['```sql\nSELECT Project_Name FROM PAC_MNT_PROJECTS; SELECT Budget FROM PAC_MNT_PROJECTS;\n```']));
    const twice = answer(await generator()(input(), ctx()));
    expect(twice.sql).toBe('SELECT Project_Name FROM PAC_MNT_PROJECTS');
    server.handler = (_req, res) => reply(res, completion(['```sql\nSELECT Project_Name FROM PAC_MNT_PROJECTS\n```']));
    const once = answer(await generator()(input(), ctx()));
    expect(twice.confidence).toBeLessThan(once.confidence);
  });

  it('drops a choice with a write and answers from the others', async () => {
    server.handler = (_req, res) => reply(res, completion(['```sql\nDELETE FROM PAC_MNT_PROJECTS\n```', GOOD_ANSWER]));
    const result = answer(await generator()(input({ num_candidates: 2 }), ctx()));
    expect(checkReadOnly(result.sql).ok).toBe(true);
    expect(result.alternatives).toEqual([]);
  });
});

describe('malformed output is an agent error', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['no SQL at all', 'I am sorry, I cannot answer that question.', /no SQL statement/],
    ['a DELETE', '<think>remove them</think>\n```sql\nDELETE FROM PAC_MNT_PROJECTS WHERE Status = \'Closed\'\n```', /not read-only/],
    ['a SELECT followed by a DROP', '```sql\nSELECT 1 FROM PAC_MNT_PROJECTS; DROP TABLE PAC_MNT_PROJECTS;\n```', /statement 2 \(DROP\) is not read-only/],
    ['a forbidden function', '```sql\nSELECT pg_sleep(10)\n```', /pg_sleep/],
    ['SQL that does not parse', '```sql\nSELECT FROM WHERE\n```', /does not parse/],
    ['an answer cut off inside its reasoning', '<think>1. First, the projects table', /inside its <think> block/],
  ];
  for (const [name, content, reason] of cases) {
    it(name, async () => {
      server.handler = (_req, res) => reply(res, completion([content]));
      const err = await failure(generator()(input(), ctx()));
      expect(err.code).toBe('AGENT_FAILED');
      expect(err.message).toMatch(reason);
    });
  }

  it('a body without choices', async () => {
    server.handler = (_req, res) => reply(res, { object: 'chat.completion', choices: [] });
    const err = await failure(generator()(input(), ctx()));
    expect(err.code).toBe('AGENT_FAILED');
    expect(err.message).toMatch(/without choices/);
  });
});

describe('transport failures are typed errors', () => {
  it('HTTP 500 carries the status and the server message', async () => {
    server.handler = (_req, res) => reply(res, { error: { message: 'CUDA out of memory', type: 'server_error' } }, 500);
    const err = await failure(generator()(input(), ctx()));
    expect(err.code).toBe('AGENT_FAILED');
    expect(err.details.status).toBe(500);
    expect(err.message).toMatch(/HTTP 500: CUDA out of memory/);
  });

  it('HTTP 401 points at the API key', async () => {
    server.handler = (_req, res) => reply(res, { error: 'invalid api key' }, 401);
    const err = await failure(generator({ api_key: 'wrong' })(input(), ctx()));
    expect(err.code).toBe('AGENT_FAILED');
    expect(err.details.status).toBe(401);
    expect(err.message).toMatch(/invalid api key.*GL_RL_LLM_API_KEY/);
  });

  it('invalid JSON', async () => {
    server.handler = (_req, res) => reply(res, '{"choices": [ oops');
    const err = await failure(generator()(input(), ctx()));
    expect(err.code).toBe('AGENT_FAILED');
    expect(err.message).toMatch(/invalid JSON/);
  });

  it('a server that answers too late is AGENT_TIMEOUT, and the request is abandoned', async () => {
    server.handler = async (_req, res) => {
      await delay(5_000);
      reply(res, completion([GOOD_ANSWER]));
    };
    const err = await failure(generator({ timeout_ms: 150 })(input(), ctx()));
    expect(err.code).toBe('AGENT_TIMEOUT');
    await server.requests[0].aborted;
  });

  it('a body that stalls after the headers is AGENT_TIMEOUT too', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"choices": [');
    };
    const err = await failure(generator({ timeout_ms: 150 })(input(), ctx()));
    expect(err.code).toBe('AGENT_TIMEOUT');
    await server.requests[0].aborted;
  });

  it("the call's signal aborts the request mid-flight: the server sees the connection close", async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    server.handler = () => arrived();
    const controller = new AbortController();
    const call = generator()(input(), ctx(controller.signal));
    await requestArrived;
    const reason = new AppError('CANCELLED', 'session s1');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await server.requests[0].aborted;
  });

  it('an unreachable server', async () => {
    const other = await startChatServer();
    const url = other.base_url;
    await other.close();
    const err = await failure(createLlmGenerator({ base_url: url, model: 'm' })(input(), ctx()));
    expect(err.code).toBe('AGENT_FAILED');
    expect(err.message).toMatch(/cannot reach .*ECONNREFUSED/);
  });
});

// Write requests and smuggled statements are the orchestrator's to screen: test/orchestrator/write-requests.test.ts.
describe('before any request', () => {
  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(generator()(input(), ctx(controller.signal))).rejects.toThrow('gone');
    expect(server.requests).toHaveLength(0);
  });
});
