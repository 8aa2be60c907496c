/**
 * Findings 3 and 6 of the hostile-client run, over HTTP: a huge or costly
 * `expected_sql` and a context nested 5,000 deep are the request's own 400,
 * answered without running any agent, and the service stays responsive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLIENT_SQL_LENGTH } from '../../../src/orchestrator/limits.js';
import { SQL_BUDGET } from '../../../src/sql/budget.js';
import { healthMs, startService, type Running } from './support.js';

const post = async (url: string, body: string) => {
  const res = await fetch(`${url}/v1/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('bounded work per request (HTTP)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startService();
  });
  afterAll(() => s.service.close());

  it('a 900 KB expected_sql (450k terms, under the body limit) is 400 naming the field; no agent runs', async () => {
    const expected_sql = `SELECT ${Array(450_000).fill('1').join(',')}`;
    const r = await post(s.url, JSON.stringify({ query: 'Show all active projects', mode: 'train', context: { expected_sql } }));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error_code: 'INVALID_INPUT', field: 'context.expected_sql' });
    expect(r.body.error).toContain(String(MAX_CLIENT_SQL_LENGTH));
    expect(s.orchestrator.metrics().workflows.started).toBe(0);
  });

  it('an expected_sql over the parse budget is 400 naming the field, and /health answers while it is measured', async () => {
    const expected_sql = `SELECT ${Array(Math.floor(MAX_CLIENT_SQL_LENGTH / 2) - 10).fill('1').join(',')}`;
    const pending = post(s.url, JSON.stringify({ query: 'Show all active projects', mode: 'train', context: { expected_sql } }));
    expect((await healthMs(s.url)).status).toBe(200);
    const r = await pending;
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error_code: 'INVALID_INPUT', field: 'context.expected_sql' });
    expect(r.body.error).toContain(`at most ${SQL_BUDGET.tokens} tokens`);
  });

  it('a context nested 5,000 deep is 400 INVALID_INPUT naming context, not 502', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const r = await post(s.url, `{"query":"Show all active projects","context":{"deep":${deep}}}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error_code: 'INVALID_INPUT', field: 'context' });
  });
});
