import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRewardEvaluator, type RewardDatabase } from '../../../src/agents/reward-evaluator/agent.js';
import { isRefusal } from '../../../src/agents/types.js';
import { validateSql } from '../../../src/agents/validator/validate.js';
import { closeAll, type SampleDatabase } from '../../../src/db/database.js';
import { isAppError, isRequestFault } from '../../../src/errors.js';
import { createOrchestrator } from '../../../src/index.js';
import type { Catalog } from '../../../src/schema/types.js';
import { GOOD_REASONING, openRecordedSuite } from './helpers.js';

/** The client's expected_sql is untrusted SQL: its failures are the request's own. */
let suite: SampleDatabase[];
let databases: RewardDatabase[];
let catalog: Catalog;
let sent: string[];
let agent: ReturnType<typeof createRewardEvaluator>;

beforeAll(async () => {
  ({ suite, databases, catalog, sent } = await openRecordedSuite());
  agent = createRewardEvaluator({ validate, databases, queryTimeoutMs: 300, cacheTtl: 0 });
});
afterAll(() => closeAll(suite));

const validate = (sql: string) => validateSql(sql, { catalog, explain: (text, s) => suite[0].explain(text, { signal: s }) });
const ctx = () => ({ signal: new AbortController().signal, session: { session_id: 's', turn: 1 } });
const PREDICTED = "SELECT Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'Active'";

async function score(expected_sql: string, extra: Record<string, unknown> = {}) {
  return agent({
    query: 'q', context: { expected_sql }, mode: 'train', sql: PREDICTED, reasoning: GOOD_REASONING, validation: await validate(PREDICTED), ...extra,
  }, ctx());
}

async function failure(expected_sql: string) {
  const error = await score(expected_sql).then(() => undefined, (err: unknown) => err);
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

const NEVER_ENDING = [
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r',
  'SELECT count(*) FROM generate_series(1, 3e8)',
  'SELECT count(*) FROM PROJSTAFF a, PROJSTAFF b, PROJSTAFF c, PROJSTAFF d, PROJSTAFF e',
];

describe('expected_sql passes the gate of any untrusted SQL', () => {
  it.each([
    ['SELECT * FROM pg_shadow', /system catalog pg_shadow/],
    ['SELECT rolname, rolpassword FROM pg_catalog.pg_authid', /system catalog/],
    ['DELETE FROM PAC_MNT_PROJECTS', /not a read-only query/],
    ['SELECT 1; SELECT 2', /2 statements/],
    ['SELECT pg_sleep(30)', /pg_sleep/],
  ])('%s is refused with UNSAFE_SQL and never executed', async (sql, message) => {
    sent.length = 0;
    const error = await failure(sql);
    expect(error.code).toBe('UNSAFE_SQL');
    expect(error.message).toMatch(message);
    expect(error.details.field).toBe('context.expected_sql');
    expect(isRequestFault(error)).toBe(true);
    expect(sent).toEqual([]);
  });

  it('SQL that does not parse is SQL_PARSE_ERROR with its position', async () => {
    const error = await failure('SELEC Project_Name FROM PAC_MNT_PROJECTS');
    expect(error).toMatchObject({ code: 'SQL_PARSE_ERROR', details: { field: 'context.expected_sql', position: 0 } });
    expect(isRequestFault(error)).toBe(true);
  });
});

describe('expected_sql over its time budget', () => {
  it.each(NEVER_ENDING)('%s is stopped and fails the request with QUERY_TIMEOUT', async (sql) => {
    const error = await failure(sql);
    expect(error.code).toBe('QUERY_TIMEOUT');
    expect(error.details).toMatchObject({ field: 'context.expected_sql', timeout_ms: 300 });
    expect(isRequestFault(error)).toBe(true);
    // The databases serve the next request.
    const fine = await score(PREDICTED);
    if (isRefusal(fine)) throw new Error('unexpected refusal');
    expect(fine.rewards.accuracy).toBe(1);
  });

  it('a scored candidate over the budget is stopped and scores as SQL that failed, without failing the request', async () => {
    const r = await score(PREDICTED, { candidates: [{ sql: NEVER_ENDING[2], reasoning: GOOD_REASONING }] });
    if (isRefusal(r)) throw new Error('unexpected refusal');
    expect(r.candidates?.[1]?.rewards.accuracy).toBe(0);
    expect(r.candidates?.[0]?.rewards.accuracy).toBe(1);
  });
});

describe('through the workflow with the shipped agents', () => {
  it('a never-ending expected_sql fails its request with QUERY_TIMEOUT and opens no circuit for others', async () => {
    const o = createOrchestrator({
      logger: pino({ level: 'silent' }),
      config: { seeds: [1], query_timeout: 0.3, circuit_failure_threshold: 1, cache_ttl: 0 },
    });
    try {
      await o.initialize();
      // One is enough: with a threshold of 1, a count against the circuit would open it.
      const slow = await o.process({ query: 'list the active projects', mode: 'train', context: { expected_sql: NEVER_ENDING[0] } });
      expect(slow).toMatchObject({ error_code: 'QUERY_TIMEOUT', failed_stage: 'reward_evaluation' });
      const shadow = await o.process({ query: 'list the active projects', mode: 'train', context: { expected_sql: 'SELECT * FROM pg_shadow' } });
      expect(shadow).toMatchObject({ error_code: 'UNSAFE_SQL' });
      const other = await o.process({ query: 'list the active projects', mode: 'train', context: { expected_sql: PREDICTED } });
      expect(other).toMatchObject({ workflow_stage: 'completed' });
      expect(Object.values(o.metrics().agents).map((a) => a.circuit)).not.toContain('open');
    } finally {
      await o.shutdown();
    }
  });
});
