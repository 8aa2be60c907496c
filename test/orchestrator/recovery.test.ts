import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/orchestrator/orchestrator.js';
import { okAgents, scripted } from './test-agents.js';

const silent = pino({ level: 'silent' });
let o: Orchestrator | undefined;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await o?.shutdown();
  o = undefined;
  vi.useRealTimers();
});

describe('timeouts, cancellation and circuits (simulated time)', () => {
  it('times out a hanging agent after inter_agent_timeout, retries with exponential backoff, and aborts each call', async () => {
    const agents = okAgents();
    agents.schema_analyzer = scripted('schema_analyzer', [{ kind: 'hang' }]);
    o = createOrchestrator({ logger: silent, agents, config: { inter_agent_timeout: 1, max_retries: 2, retry_backoff: 0.5, timeout: 30 } });
    await o.initialize();
    const pending = o.process({ query: 'q' });
    await vi.advanceTimersByTimeAsync(999);
    expect(agents.schema_analyzer.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(agents.schema_analyzer.aborted).toBe(1);
    // first retry after 0.5 s, second after 1 s more
    await vi.advanceTimersByTimeAsync(500);
    expect(agents.schema_analyzer.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1000 + 1000);
    expect(agents.schema_analyzer.calls).toBe(3);
    await vi.advanceTimersByTimeAsync(1000);
    const r = await pending;
    expect(r).toMatchObject({ error_code: 'AGENT_TIMEOUT', failed_stage: 'schema_analysis' });
    expect(agents.schema_analyzer.aborted).toBe(3);
    expect(agents.schema_analyzer.inFlight).toBe(0);
    const recovery = o.getSession(r.session_id!)!.recovery.map((e) => e.kind);
    expect(recovery).toEqual(['timeout', 'retry', 'timeout', 'retry', 'timeout', 'fallback']);
  });

  it('expires the workflow after `timeout` with WORKFLOW_TIMEOUT and the finished stages', async () => {
    const agents = okAgents();
    agents.validator = scripted('validator', [{ kind: 'hang' }]);
    o = createOrchestrator({ logger: silent, agents, config: { inter_agent_timeout: 100, timeout: 5 } });
    await o.initialize();
    const pending = o.process({ query: 'q' });
    await vi.advanceTimersByTimeAsync(5000);
    const r = await pending;
    expect(r).toMatchObject({ error_code: 'WORKFLOW_TIMEOUT', failed_stage: 'validation' });
    expect(Object.keys((r as any).partial_results)).toEqual(['initialization', 'schema_analysis', 'query_generation']);
    expect(agents.validator.aborted).toBe(1);
    expect(o.getSession(r.session_id!)!.status).toBe('failed');
  });

  it('cancel() ends a running turn with CANCELLED and expires the session', async () => {
    const agents = okAgents();
    agents.query_generator = scripted('query_generator', [{ kind: 'hang' }]);
    o = createOrchestrator({ logger: silent, agents });
    await o.initialize();
    const pending = o.process({ query: 'q', session_id: 's1' });
    await vi.advanceTimersByTimeAsync(10);
    expect(o.getSession('s1')!.status).toBe('active');
    expect(o.cancel('s1')).toBe(true);
    const r = await pending;
    expect(r).toMatchObject({ error_code: 'CANCELLED', failed_stage: 'query_generation', session_id: 's1' });
    expect(agents.query_generator.aborted).toBe(1);
    expect(o.getSession('s1')!.status).toBe('expired');
    expect(await o.process({ query: 'again', session_id: 's1' })).toMatchObject({ error_code: 'SESSION_EXPIRED' });
    expect(o.cancel('s1')).toBe(false);
  });

  it('expires idle sessions after cache_ttl', async () => {
    o = createOrchestrator({ logger: silent, agents: okAgents(), config: { cache_ttl: 60 } });
    await o.initialize();
    const r = await o.process({ query: 'q', session_id: 'idle' });
    expect(r).toHaveProperty('sql');
    await vi.advanceTimersByTimeAsync(59_000);
    expect(o.getSession('idle')!.status).toBe('completed');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(o.getSession('idle')!.status).toBe('expired');
    expect(o.getSession('idle')!.expired_reason).toBe('idle');
  });

  it('opens a circuit after consecutive failures, skips the agent, and half-opens after the reset timeout', async () => {
    const agents = okAgents();
    const flaky = scripted('query_generator', (n) => (n < 3 ? { kind: 'error' } : { kind: 'ok' }), 'flaky');
    const backup = scripted('query_generator', [{ kind: 'ok' }], 'backup');
    o = createOrchestrator({
      logger: silent,
      agents: { ...agents, query_generator: [flaky, backup] },
      config: { max_retries: 0, circuit_failure_threshold: 3, circuit_reset_timeout: 10, cache_ttl: 0 },
    });
    await o.initialize();
    for (let i = 0; i < 3; i++) await o.process({ query: `q${i}` });
    expect(o.metrics().agents.flaky!.circuit).toBe('open');
    const skipped = await o.process({ query: 'q3' });
    expect(flaky.calls).toBe(3);
    expect((skipped as any).metadata.fallbacks[0]).toMatchObject({ from: 'flaky', to: 'backup', reason: 'circuit_open' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(o.metrics().agents.flaky!.circuit).toBe('half_open');
    const trial = await o.process({ query: 'q4' });
    expect((trial as any).metadata.agents.query_generator).toBe('flaky');
    expect(o.metrics().agents.flaky!.circuit).toBe('closed');
  });

  it('CIRCUIT_OPEN when every agent of a role has an open circuit', async () => {
    const agents = okAgents();
    agents.validator = scripted('validator', [{ kind: 'error' }]);
    o = createOrchestrator({ logger: silent, agents, config: { max_retries: 0, circuit_failure_threshold: 1, cache_ttl: 0 } });
    await o.initialize();
    expect(await o.process({ query: 'a' })).toMatchObject({ error_code: 'AGENT_FAILED' });
    expect(await o.process({ query: 'b' })).toMatchObject({ error_code: 'CIRCUIT_OPEN', failed_stage: 'validation' });
  });

  it('the bulkhead bounds concurrent agent calls across sessions', async () => {
    const agents = okAgents();
    let peak = 0;
    const slow = scripted('query_generator', [{ kind: 'ok', delay: 100 }]);
    const watched = (async (content: any, ctx: any) => {
      const p = slow(content, ctx);
      peak = Math.max(peak, slow.inFlight);
      return p;
    }) as any;
    o = createOrchestrator({ logger: silent, agents: { ...agents, query_generator: watched }, config: { max_concurrent_agents: 3, cache_ttl: 0 } });
    await o.initialize();
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => o!.process({ query: `q${i}` })));
    await vi.advanceTimersByTimeAsync(1000);
    const results = await all;
    expect(results.every((r) => 'sql' in r)).toBe(true);
    expect(peak).toBe(3);
    expect(o.metrics().bulkhead.peak).toBe(3);
  });

  it('leaves no live actors or timers after shutdown', async () => {
    o = createOrchestrator({ logger: silent, agents: okAgents() });
    await o.initialize();
    await Promise.all([o.process({ query: 'a' }), o.process({ query: 'b' })]);
    expect(o.liveActors()).toBeGreaterThan(0);
    await o.shutdown();
    expect(o.liveActors()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(await o.process({ query: 'late' })).toMatchObject({ error_code: 'SHUTTING_DOWN' });
  });
});
