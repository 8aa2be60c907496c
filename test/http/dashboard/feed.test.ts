import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../../src/index.js';
import { DashboardFeed, LATENCY_BUCKETS_MS } from '../../../src/http/dashboard/feed.js';
import { invalidValidation, okAgents, scripted } from '../../orchestrator/test-agents.js';

const silent = pino({ level: 'silent' });
let orchestrator: Orchestrator;

afterEach(async () => {
  await orchestrator.shutdown();
});

describe('the dashboard feed', () => {
  it('folds a turn with a retry and a regeneration into its row, the stage histograms and the outcome series', async () => {
    const agents = okAgents();
    agents.query_generator = scripted('query_generator', [{ kind: 'error' }, { kind: 'ok', delay: 30 }]);
    agents.validator = scripted('validator', [{ kind: 'ok', output: invalidValidation }, { kind: 'ok' }]);
    orchestrator = createOrchestrator({ logger: silent, agents, config: { retry_backoff: 0.001 } });
    const feed = new DashboardFeed(orchestrator);
    await orchestrator.process({ query: 'q', session_id: 's1' });
    await orchestrator.process({ query: 'q', session_id: 's2', mode: 'train' });
    await new Promise((resolve) => setImmediate(resolve)); // turn listeners are fire-and-forget
    const snapshot = feed.snapshot();
    expect(snapshot.recent_sessions.map((r) => r.session_id)).toEqual(['s2', 's1']);
    expect(snapshot.recent_sessions[1]).toMatchObject({ status: 'completed', stage: 'finalization', retries: 1, regenerations: 1, generator: 'query_generator_test', is_valid: true, mode: 'generate' });
    expect(snapshot.recent_sessions[0]).toMatchObject({ status: 'completed', retries: 0, regenerations: 0, mode: 'train' });
    expect(snapshot.stage_latency.query_generation.count).toBe(3);
    expect(snapshot.stage_latency.reward_evaluation.count).toBe(1);
    // Two of the three generations take 30 ms or more: the 95th percentile is at least the 50 ms bucket.
    expect(snapshot.stage_latency.query_generation.p95_ms).toBeGreaterThanOrEqual(50);
    expect(snapshot.turn_latency.buckets).toHaveLength(LATENCY_BUCKETS_MS.length + 1);
    expect(snapshot.series.points.reduce((n, p) => n + p.completed, 0)).toBe(2);
    feed.close();
  });

  it('keeps the hundred most recent sessions only', async () => {
    orchestrator = createOrchestrator({ logger: silent, agents: okAgents() });
    const feed = new DashboardFeed(orchestrator);
    for (let i = 0; i < 130; i++) await orchestrator.process({ query: 'q', session_id: `s${i}` });
    const rows = feed.snapshot().recent_sessions;
    expect(rows).toHaveLength(100);
    expect(rows[0]!.session_id).toBe('s129');
    expect(rows.at(-1)!.session_id).toBe('s30');
    feed.close();
  });
});
