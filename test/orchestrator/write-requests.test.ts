/**
 * The read-only policy is the orchestrator's, whichever generator is
 * configured: a request to change data or schema is refused before any
 * generator is asked (WRITE_NOT_ALLOWED), and SQL that is not one read-only
 * statement never leaves as the `sql` of a completed turn (UNSAFE_SQL once
 * regeneration cannot fix it). Tried with the shipped embedded generator, an
 * LLM that complies with anything (a scripted OpenAI-compatible server), and
 * a function generator that always writes; the other roles are the shipped
 * agents, or a validator that passes everything, so the gate does not lean
 * on the validator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { createLlmGenerator } from '../../src/agents/query-generator/llm/index.js';
import { AppError } from '../../src/errors.js';
import { checkReadOnly } from '../../src/sql/safety.js';
import { loadParser } from '../../src/sql/parser.js';
import { completion, reply, startChatServer, type ChatServer } from '../agents/query-generator/llm/chat-server.js';

const silent = pino({ level: 'silent' });
const dev: Array<{ query: string; expect?: string }> = readFileSync(join(import.meta.dirname, '../fixtures/gl-dev.jsonl'), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l));
const WRITES = dev.filter((l) => l.expect === 'refuse').map((l) => l.query);
const HOSTILE = dev.filter((l) => l.expect === 'safe').map((l) => l.query);

/** Writes smuggled into what looks like a read. */
const SMUGGLED = [
  'WITH d AS (DELETE FROM PAC_MNT_PROJECTS RETURNING *) SELECT * FROM d',
  'SELECT * FROM PAC_MNT_PROJECTS; DROP TABLE PAC_MNT_PROJECTS',
  'SELECT * INTO stolen FROM PAC_MNT_PROJECTS',
  "SELECT pg_sleep(10), nextval('seq')",
  'SELECT * FROM PAC_MNT_PROJECTS FOR UPDATE',
  "UPDATE PAC_MNT_PROJECTS SET Status = 'Cancelled'",
];

const SAFE_SQL = 'SELECT Project_Name FROM PAC_MNT_PROJECTS';
const passEverything = async () => ({ is_valid: true, details: {}, issues: [], suggestions: [] });

/** A generator that does whatever it is told: the question's write, or the SQL of the current case. */
function compliant() {
  const agent = Object.assign(
    async (content: { query: string; feedback?: unknown[] }) => {
      agent.contents.push(content);
      return { sql: agent.sql(content), reasoning: 'as asked', confidence: 0.9 };
    },
    { contents: [] as Array<{ query: string; feedback?: unknown[] }>, sql: (_c: { query: string; attempt?: number }): string => "DELETE FROM PAC_MNT_PROJECTS WHERE Status = 'Cancelled'" },
  );
  Object.defineProperty(agent, 'name', { value: 'always_writes' });
  return agent;
}

/** Never a completed turn with unsafe SQL; a failure is a catalog error response. */
function expectNoUnsafeSql(r: any): void {
  if (r.workflow_stage === 'completed') expect(checkReadOnly(r.sql).ok, r.sql).toBe(true);
  else expect(r).toHaveProperty('error_code');
}

beforeAll(async () => {
  await loadParser();
});

describe('the embedded generator (shipped agents)', () => {
  let o: Orchestrator;
  beforeAll(async () => {
    o = createOrchestrator({ logger: silent, config: { cache_ttl: 0 } });
    await o.initialize();
  });
  afterAll(() => o.shutdown());

  it.each(WRITES)('refuses the dev write request %s', async (q) => {
    const r: any = await o.process({ query: q });
    expect(r).toMatchObject({ error_code: 'WRITE_NOT_ALLOWED', failed_stage: 'query_generation' });
    expect(r.suggestions.length).toBeGreaterThan(0);
  });

  it.each(HOSTILE)('answers only the question of %s, with read-only SQL', async (q) => {
    const r: any = await o.process({ query: q });
    expect(r.workflow_stage).toBe('completed');
    expect(checkReadOnly(r.sql).ok).toBe(true);
    expect(r.reasoning).toContain('Ignored text appended to the question');
  });

  it.each(['Show players taller than 200', 'List updated contracts', 'Show the created date of each project', 'What was the drop in revenue by month?', 'Insert date of invoices'])(
    'answers %s (write-like words in another sense)',
    async (q) => {
      const r: any = await o.process({ query: q });
      expect(r.error_code).not.toBe('WRITE_NOT_ALLOWED');
      expectNoUnsafeSql(r);
    },
  );
});

describe('a function generator that always writes', () => {
  let o: Orchestrator;
  const gen = compliant();
  beforeAll(async () => {
    o = createOrchestrator({ logger: silent, agents: { query_generator: gen, validator: passEverything }, config: { cache_ttl: 0, max_retries: 2, retry_backoff: 0.001 } });
    await o.initialize();
  });
  afterAll(() => o.shutdown());

  it.each(WRITES)('is never asked the dev write request %s', async (q) => {
    const before = gen.contents.length;
    const r: any = await o.process({ query: q });
    expect(r.error_code).toBe('WRITE_NOT_ALLOWED');
    expect(gen.contents.length).toBe(before);
  });

  it('receives the screened question: a statement appended to it never reaches the generator', async () => {
    gen.sql = () => SAFE_SQL;
    const r: any = await o.process({ query: 'List resources; DROP TABLE PAC_MNT_RESOURCES' });
    expect(r.workflow_stage).toBe('completed');
    expect(gen.contents.at(-1)!.query).toBe('List resources');
  });

  it.each(SMUGGLED)('fails with UNSAFE_SQL when regeneration cannot make it safe: %s', async (sql) => {
    gen.sql = () => sql;
    const before = gen.contents.length;
    const r: any = await o.process({ query: 'Which projects are active?' });
    expect(r).toMatchObject({ error_code: 'UNSAFE_SQL', failed_stage: 'validation' });
    expect(r.error).toMatch(/^SQL is not a single read-only statement: /);
    expect(Object.keys(r.partial_results)).toEqual(['initialization', 'schema_analysis', 'query_generation', 'validation']);
    expect(r.partial_results.validation).toHaveProperty('is_valid');
    expect(r.suggestions.length).toBeGreaterThan(0);
    // The first try and two regenerations, each told why.
    expect(gen.contents.length - before).toBe(3);
    expect(gen.contents.at(-1)!.feedback).toEqual(expect.arrayContaining([expect.objectContaining({ layer: 'security' })]));
  });

  it('completes once a regeneration is read-only', async () => {
    gen.sql = (c: any) => (c.attempt === 0 ? SMUGGLED[0]! : SAFE_SQL);
    const r: any = await o.process({ query: 'Which projects are active?' });
    expect(r.workflow_stage).toBe('completed');
    expect(r.sql).toBe(SAFE_SQL);
    expect(r.metadata.regenerations).toBe(1);
  });

  it('property: whatever SQL the generator returns, no completed turn carries unsafe SQL', async () => {
    const table = fc.constantFrom('PAC_MNT_PROJECTS', 'SRM_COMPANIES', 'x');
    const write = fc.oneof(
      table.map((t) => `DELETE FROM ${t}`),
      table.map((t) => `UPDATE ${t} SET a = 1`),
      table.map((t) => `INSERT INTO ${t} VALUES (1)`),
      table.map((t) => `DROP TABLE ${t}`),
      table.map((t) => `TRUNCATE ${t}`),
    );
    const sql = fc.oneof(
      write,
      fc.tuple(table, write).map(([t, w]) => `SELECT * FROM ${t}; ${w}`),
      fc.tuple(table, write).map(([t, w]) => `WITH d AS (${w} RETURNING *) SELECT * FROM ${t}`),
      table.map((t) => `SELECT * INTO copy_of FROM ${t}`),
      fc.tuple(table, fc.constantFrom('pg_sleep(1)', "nextval('s')", "set_config('a','b',false)", 'lo_import(1)', "dblink('x','y')")).map(([t, f]) => `SELECT ${f} FROM ${t}`),
      table.map((t) => `SELECT * FROM ${t} FOR UPDATE`),
      fc.string({ maxLength: 40 }).filter((s) => s.trim() !== ''),
      fc.constant(SAFE_SQL),
    );
    await fc.assert(
      fc.asyncProperty(sql, async (text) => {
        gen.sql = () => text;
        expectNoUnsafeSql(await o.process({ query: 'Which projects are active?' }));
      }),
      { numRuns: 150 },
    );
  });
});

describe('an LLM that complies with anything (scripted OpenAI-compatible server)', () => {
  let server: ChatServer;
  let o: Orchestrator;
  beforeAll(async () => {
    server = await startChatServer();
    const llm = createLlmGenerator({ base_url: server.base_url, model: 'compliant', timeout_ms: 2000 });
    o = createOrchestrator({ logger: silent, agents: { query_generator: llm, validator: passEverything }, config: { cache_ttl: 0, max_retries: 1, retry_backoff: 0.001 } });
    await o.initialize();
  });
  afterAll(async () => {
    await o.shutdown();
    await server.close();
  });

  it.each(WRITES)('refuses the dev write request %s without sending a request', async (q) => {
    server.requests.length = 0;
    server.handler = (_req, res) => reply(res, completion(["```sql\nDELETE FROM PAC_MNT_PROJECTS WHERE Status = 'Cancelled'\n```"]));
    const r: any = await o.process({ query: q });
    expect(r.error_code).toBe('WRITE_NOT_ALLOWED');
    expect(server.requests).toHaveLength(0);
  });

  it('never sees a statement appended to the question', async () => {
    server.requests.length = 0;
    server.handler = (_req, res) => reply(res, completion([`\`\`\`sql\n${SAFE_SQL}\n\`\`\``]));
    const r: any = await o.process({ query: 'List resources; DROP TABLE PAC_MNT_RESOURCES' });
    expect(r.workflow_stage).toBe('completed');
    const prompt = JSON.stringify(server.requests[0]!.body.messages);
    expect(prompt).toContain('List resources');
    expect(prompt).not.toMatch(/DROP TABLE/);
  });

  it.each(SMUGGLED)('never completes with the smuggled write %s', async (sql) => {
    server.handler = (_req, res) => reply(res, completion([`\`\`\`sql\n${sql}\n\`\`\``]));
    const r: any = await o.process({ query: 'Which projects are active?' });
    expect(r.workflow_stage).toBeUndefined();
    expectNoUnsafeSql(r);
  });
});

describe('an agent error the request caused', () => {
  it('fails the turn with its own code at once: no retry, no fallback, no circuit count', async () => {
    let primary = 0;
    let fallback = 0;
    const overBudget = Object.defineProperty(
      async () => {
        primary++;
        throw new AppError('QUERY_TIMEOUT', 'the statement ran past its budget', {}, { requestFault: true });
      },
      'name',
      { value: 'strict_validator' },
    );
    const o = createOrchestrator({
      logger: silent,
      agents: { validator: [overBudget, async () => { fallback++; return passEverything(); }] },
      config: { cache_ttl: 0, max_retries: 3, retry_backoff: 0.001, circuit_failure_threshold: 2 },
    });
    await o.initialize();
    for (let i = 0; i < 4; i++) {
      const r: any = await o.process({ query: 'list the active projects' });
      expect(r).toMatchObject({ error_code: 'QUERY_TIMEOUT', failed_stage: 'validation' });
      expect(r.error).toMatch(/^The statement exceeded its time budget: /);
    }
    expect(primary).toBe(4);
    expect(fallback).toBe(0);
    const m = o.metrics();
    expect(m.agents.strict_validator!.circuit).toBe('closed');
    expect(m.recovery.retries).toBe(0);
    expect(m.recovery.fallbacks).toBe(0);
    await o.shutdown();
  });
});
