import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import type { LiveEvent } from '../../src/orchestrator/types.js';
import { invalidValidation, okAgents, scripted } from './test-agents.js';

const silent = pino({ level: 'silent' });
let orchestrator: Orchestrator;

afterEach(async () => {
  await orchestrator.shutdown();
});

describe('onEvent: every session at once', () => {
  it('hears each stage, the recovery steps and the outcome of every session, in order', async () => {
    const agents = okAgents();
    agents.query_generator = scripted('query_generator', [{ kind: 'error' }, { kind: 'ok' }]);
    agents.validator = scripted('validator', [{ kind: 'ok', output: invalidValidation }, { kind: 'ok' }]);
    orchestrator = createOrchestrator({ logger: silent, agents, config: { retry_backoff: 0.001 } });
    const events: LiveEvent[] = [];
    const stop = orchestrator.onEvent((e) => events.push(e));
    await orchestrator.process({ query: 'q one', session_id: 'a' });
    await orchestrator.process({ query: 'q two', session_id: 'b' });
    stop();
    await orchestrator.process({ query: 'q three', session_id: 'c' });
    const of = (id: string) => events.filter((e) => e.session_id === id).map((e) => ('stage' in e ? e.stage : 'recovery' in e ? `${e.recovery}:${e.agent}` : 'outcome' in e ? e.outcome : 'expired'));
    expect(of('a')).toEqual([
      'initialization', 'schema_analysis', 'query_generation', 'failure:query_generator_test', 'retry:query_generator_test',
      'validation', 'query_generation', 'validation', 'finalization', 'completed',
    ]);
    expect(of('b')).toEqual(['initialization', 'schema_analysis', 'query_generation', 'validation', 'finalization', 'completed']);
    expect(of('c')).toEqual([]);
  });
});

describe('summary(): the dashboard counters', () => {
  it('agrees with metrics() on every counter it shares, and lists breakers of agents not yet called', async () => {
    const agents = okAgents();
    agents.query_generator = scripted('query_generator', (_n, c) => (String(c.query).includes('fail') ? { kind: 'error' } : { kind: 'ok' }));
    orchestrator = createOrchestrator({ logger: silent, agents, config: { retry_backoff: 0.001, max_retries: 0 } });
    await orchestrator.initialize();
    expect(Object.keys(orchestrator.summary().agents).sort()).toEqual(['query_generator_test', 'reward_evaluator_test', 'schema_analyzer_test', 'validator_test']);
    await orchestrator.process({ query: 'fine' });
    await orchestrator.process({ query: 'please fail' });
    const summary = orchestrator.summary();
    const metrics = orchestrator.metrics();
    expect(summary.workflows).toEqual({ started: 2, completed: 1, failed: 1, expired: 0 });
    expect(summary.workflows).toMatchObject({ started: metrics.workflows.started, completed: metrics.workflows.completed, failed: metrics.workflows.failed });
    expect(summary.error_codes).toEqual(metrics.error_codes);
    for (const [name, counts] of Object.entries(metrics.agents)) expect(summary.agents[name]).toEqual(counts);
    expect(summary.agents.reward_evaluator_test).toMatchObject({ calls: 0, circuit: 'closed' });
    expect(summary.recovery).toEqual(metrics.recovery);
    expect(summary.cache).toEqual(metrics.cache);
    expect(summary.bulkhead).toEqual(metrics.bulkhead);
    expect(summary.sessions).toEqual({ retained: 2, active_turns: 0, duration_buckets: metrics.sessions.duration_buckets });
  });
});
