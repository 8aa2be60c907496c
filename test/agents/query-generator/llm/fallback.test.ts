/**
 * The LLM side of fallback routing: configured as `[llm, embedded]` for the
 * query_generator role, a failing or slow LLM hands the question to the next
 * generator through the orchestrator's registry, and the result says which
 * generator answered; a write request is refused by the LLM itself, with no
 * fallback. The other roles are stubs: this exercises the generator's errors,
 * not the other agents.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmGenerator } from '../../../../src/agents/query-generator/llm/index.js';
import type { GeneratedQuery, QueryGeneratorInput } from '../../../../src/agents/query-generator/contract.js';
import { createOrchestrator, type Orchestrator } from '../../../../src/orchestrator/orchestrator.js';
import { loadParser } from '../../../../src/sql/parser.js';
import { completion, delay, reply, startChatServer, type ChatServer } from './chat-server.js';

const FALLBACK_SQL = 'SELECT Project_Name FROM PAC_MNT_PROJECTS';
const LLM_SQL = "SELECT Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'Active'";

async function embedded(input: QueryGeneratorInput): Promise<GeneratedQuery> {
  return {
    sql: FALLBACK_SQL,
    reasoning: `<think>\n1. ${input.query}\n</think>`,
    confidence: 0.5,
    alternatives: [],
    metadata: { generator: 'embedded', generation_time: 0 },
  };
}

const stubs = {
  schema_analyzer: async () => ({
    relevant_tables: [{ table_name: 'PAC_MNT_PROJECTS', relevance_score: 1, reason: 'stub', columns: ['Project_Name', 'Status'], filters: [] }],
    join_paths: [],
    entity_mappings: { query_terms: [], mapped_entities: [] },
    schema_context: 'TABLE PAC_MNT_PROJECTS (Project_Name text, Status text)',
    warnings: [],
    suggestions: [],
  }),
  validator: async (input: { sql: string }) => ({
    is_valid: true,
    confidence: 1,
    details: {},
    issues: [],
    suggestions: [],
    validated_sql: input.sql,
    metadata: { validation_time: 0, layers_executed: [] },
  }),
  reward_evaluator: async () => ({ total_reward: 1, rewards: {}, feedback: [] }),
};

let server: ChatServer;
let orchestrator: Orchestrator;

beforeAll(async () => {
  await loadParser();
  server = await startChatServer();
});

afterAll(async () => {
  await server.close();
});

// A fresh orchestrator per test: circuit breakers remember failures across turns.
beforeEach(async () => {
  server.requests.length = 0;
  const llm = createLlmGenerator({ base_url: server.base_url, model: 'test-model', timeout_ms: 200 });
  orchestrator = createOrchestrator({
    config: { max_retries: 1, retry_backoff: 0.01, inter_agent_timeout: 5, cache_ttl: 0 },
    agents: { ...stubs, query_generator: [llm, embedded] },
    logger: pino({ level: 'silent' }),
  });
  await orchestrator.initialize();
});

afterEach(async () => {
  await orchestrator.shutdown();
});

function generatorOf(result: any): string {
  return result.metadata?.generator ?? result.error_code;
}

describe('LLM primary, embedded fallback', () => {
  it('answers from the LLM when it works', async () => {
    server.handler = (_req, res) => reply(res, completion([`\`\`\`sql\n${LLM_SQL}\n\`\`\``]));
    const result: any = await orchestrator.process({ query: 'Which projects are active?' });
    expect(result.sql).toBe(LLM_SQL);
    expect(generatorOf(result)).toBe('llm:test-model');
  });

  it.each([
    ['an HTTP 500', (res: Parameters<ChatServer['handler']>[1]) => reply(res, { error: { message: 'boom' } }, 500)],
    ['malformed output', (res: Parameters<ChatServer['handler']>[1]) => reply(res, completion(['I cannot help with that.']))],
    ['a timeout', async (res: Parameters<ChatServer['handler']>[1]) => {
      await delay(2_000);
      reply(res, completion([`\`\`\`sql\n${LLM_SQL}\n\`\`\``]));
    }],
  ])('falls back to the embedded generator on %s, after retrying the LLM', async (_name, handle) => {
    server.handler = (_req, res) => handle(res);
    const result: any = await orchestrator.process({ query: 'Which projects are active?' });
    expect(result.sql).toBe(FALLBACK_SQL);
    expect(generatorOf(result)).toBe('embedded');
    expect(server.requests).toHaveLength(2);
    expect(result.metadata.fallbacks).toEqual([expect.objectContaining({ role: 'query_generator', from: 'llm:test-model', to: 'embedded' })]);
  });

  it('stops calling a failing LLM once its circuit opens, and still answers', async () => {
    server.handler = (_req, res) => reply(res, { error: 'model not loaded' }, 503);
    // The circuit may open between two tries of one turn (the retry is then skipped); from the next turn on, no request is sent.
    let skipped = false;
    for (let turn = 0; turn < 10 && !skipped; turn++) {
      const before = server.requests.length;
      const result: any = await orchestrator.process({ query: 'Which projects are active?' });
      expect(result.sql).toBe(FALLBACK_SQL);
      const reasons = result.metadata.fallbacks.map((f: { reason: string }) => f.reason);
      skipped = reasons.includes('circuit_open') && server.requests.length === before;
    }
    expect(skipped).toBe(true);
  });

  it('refuses a write request itself: no request sent, no fallback', async () => {
    const result: any = await orchestrator.process({ query: 'Delete inactive projects' });
    expect(result.error_code).toBe('WRITE_NOT_ALLOWED');
    expect(server.requests).toHaveLength(0);
  });
});
