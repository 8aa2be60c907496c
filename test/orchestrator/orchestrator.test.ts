import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/orchestrator/orchestrator.js';
import { invalidValidation, okAgents, scripted } from './test-agents.js';

const silent = pino({ level: 'silent' });
let orchestrators: Orchestrator[] = [];
function make(options: Parameters<typeof createOrchestrator>[0] = {}) {
  const o = createOrchestrator({ logger: silent, ...options, config: { retry_backoff: 0.001, ...(options.config ?? {}) } });
  orchestrators.push(o);
  return o;
}
afterEach(async () => {
  await Promise.all(orchestrators.map((o) => o.shutdown()));
  orchestrators = [];
});

describe('orchestrator happy path', () => {
  it('returns the specification output structure in generate mode', async () => {
    const agents = okAgents();
    const o = make({ agents });
    await o.initialize();
    const r = await o.process({ query: 'Show all active projects' });
    expect(Object.keys(r).sort()).toEqual(
      ['session_id', 'query', 'sql', 'reasoning', 'confidence', 'validation', 'timestamp', 'workflow_stage', 'metadata'].sort(),
    );
    if ('error_code' in r) throw new Error(r.error);
    expect(r.workflow_stage).toBe('completed');
    expect(r.sql).toBe('SELECT 1 /* attempt 0 */');
    expect(r.validation.is_valid).toBe(true);
    expect(r.metadata.stage_timings_ms).toHaveProperty('validation');
    expect(agents.reward_evaluator.calls).toBe(0);
    const snap = o.getSession(r.session_id)!;
    expect(snap.status).toBe('completed');
    expect(snap.messages.filter((m) => m.message_type === 'request')).toHaveLength(3);
    expect(snap.turns[0]!.stages.validation!.attempts).toBe(1);
  });

  it('adds training in train mode', async () => {
    const o = make({ agents: okAgents() });
    const r = await o.process({ query: 'q', mode: 'train', context: { expected_sql: 'SELECT 1' } });
    if ('error_code' in r) throw new Error(r.error);
    expect(r.training).toEqual({ rewards: { syntax: 1 }, total_reward: 0.9, feedback: [] });
  });

  it('regenerates with the validator feedback, bounded by max_retries, then completes invalid', async () => {
    const agents = okAgents();
    agents.validator = scripted('validator', [{ kind: 'ok', output: invalidValidation }]);
    const o = make({ agents, config: { max_retries: 2 } });
    const r = await o.process({ query: 'q' });
    if ('error_code' in r) throw new Error(r.error);
    expect(agents.query_generator.calls).toBe(3);
    expect(agents.query_generator.contents[1].feedback).toEqual(invalidValidation.issues);
    expect(agents.query_generator.contents[2].attempt).toBe(2);
    expect(r.validation.is_valid).toBe(false);
    expect(r.confidence).toBeLessThan(0.9);
    expect(r.metadata.regenerations).toBe(2);
  });

  it('retries a failing agent, then falls back to the next one', async () => {
    const agents = okAgents();
    const primary = scripted('query_generator', [{ kind: 'error' }], 'primary');
    const fallback = scripted('query_generator', [{ kind: 'ok' }], 'fallback');
    const o = make({ agents: { ...agents, query_generator: [primary, fallback] }, config: { max_retries: 2 } });
    const r = await o.process({ query: 'q' });
    if ('error_code' in r) throw new Error(r.error);
    expect(primary.calls).toBe(3);
    expect(r.metadata.fallbacks).toEqual([{ role: 'query_generator', from: 'primary', to: 'fallback', reason: 'error' }]);
    expect(r.metadata.agents.query_generator).toBe('fallback');
    expect(r.metadata.retries).toBe(2);
  });

  it('fails with partial results when no agent remains', async () => {
    const agents = okAgents();
    agents.validator = scripted('validator', [{ kind: 'malformed' }]);
    const o = make({ agents, config: { max_retries: 1 } });
    const r = await o.process({ query: 'q' });
    expect(r).toMatchObject({ error_code: 'AGENT_FAILED', failed_stage: 'validation' });
    if (!('error_code' in r)) throw new Error('expected failure');
    expect(Object.keys(r.partial_results)).toEqual(['initialization', 'schema_analysis', 'query_generation']);
    expect(o.getSession(r.session_id!)!.status).toBe('failed');
  });

  it('refusals fail at once without retry or fallback', async () => {
    const agents = okAgents();
    const refuser = scripted('query_generator', [{ kind: 'refuse' }], 'refuser');
    const other = scripted('query_generator', [{ kind: 'ok' }], 'other');
    const o = make({ agents: { ...agents, query_generator: [refuser, other] } });
    // A read question: a write request would be refused by the screening before any generator is asked.
    const r = await o.process({ query: 'list all projects' });
    expect(r).toMatchObject({ error_code: 'WRITE_NOT_ALLOWED', failed_stage: 'query_generation' });
    expect(refuser.calls).toBe(1);
    expect(other.calls).toBe(0);
    // A refusal is counted as one, not as a failure, and leaves the circuit closed.
    const counts = o.metrics().agents.refuser;
    expect(counts).toMatchObject({ calls: 1, refusals: 1, failures: 0, circuit: 'closed' });
  });

  it('rejects bad input with INVALID_INPUT naming the field', async () => {
    const o = make({ agents: okAgents() });
    expect(await o.process({ query: '' })).toMatchObject({ error_code: 'INVALID_INPUT', failed_stage: 'initialization' });
    expect((await o.process({ query: 'x', mode: 'fast' })) as any).toMatchObject({ error_code: 'INVALID_INPUT' });
    expect(((await o.process({ query: 'x', mode: 'fast' })) as any).error).toMatch(/mode/);
    expect(((await o.process({ query: 'x'.repeat(4001) })) as any).error).toMatch(/query/);
    expect(((await o.process(null)) as any).error_code).toBe('INVALID_INPUT');
  });

  it('continues a session: earlier turns reach the agents as historical_queries', async () => {
    const agents = okAgents();
    const o = make({ agents });
    const a = await o.process({ query: 'first question' });
    const b = await o.process({ query: 'second question', session_id: a.session_id! });
    expect(b.session_id).toBe(a.session_id);
    expect(agents.query_generator.contents[1].context.historical_queries).toEqual([{ query: 'first question', sql: 'SELECT 1 /* attempt 0 */' }]);
    expect(o.getSession(a.session_id!)!.turns).toHaveLength(2);
  });
});
