/**
 * Admission: a burst of turns is started a batch per turn of the event loop,
 * so agents already running are heard (and free their bulkhead slots) while
 * the rest of the burst is being set up; a lone request is never delayed.
 */
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Admission } from '../../src/orchestrator/admission.js';
import { createOrchestrator, type Orchestrator } from '../../src/orchestrator/orchestrator.js';
import { okAgents, okOutputs } from './test-agents.js';

describe('Admission', () => {
  it('admits a lone entry at once, and a burst a batch per turn of the event loop, in arrival order', async () => {
    const admission = new Admission(3);
    const order: number[] = [];
    const entries = Array.from({ length: 8 }, (_, i) => {
      const wait = admission.enter();
      if (wait === undefined) order.push(i);
      else void wait.then(() => order.push(i));
      return wait;
    });
    expect(entries.map((e) => e === undefined)).toEqual([true, true, true, false, false, false, false, false]);
    expect(order).toEqual([0, 1, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // The batch is per turn: the next turn of the event loop has room again.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(admission.enter()).toBeUndefined();
  });
});

describe('a burst of turns', () => {
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await orchestrator?.shutdown();
    orchestrator = undefined;
  });

  it('starts its first agent calls before the whole burst is set up', async () => {
    let sessionsAtFirstCall: number | undefined;
    const agents = okAgents();
    const o = createOrchestrator({
      logger: pino({ level: 'silent' }),
      agents: {
        ...agents,
        schema_analyzer: async (content: any) => {
          sessionsAtFirstCall ??= o.status().sessions;
          return okOutputs.schema_analyzer(content);
        },
      },
    });
    orchestrator = o;
    await o.initialize();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => o.process({ query: `question ${i}` })));
    expect(results.every((r) => !('error_code' in r))).toBe(true);
    // Without admission all 200 sessions would exist before any agent ran.
    expect(sessionsAtFirstCall).toBeLessThanOrEqual(32);
  });

  it('lets shutdown drain the turns still waiting to be admitted', async () => {
    const o = createOrchestrator({ logger: pino({ level: 'silent' }), agents: okAgents() });
    orchestrator = o;
    await o.initialize();
    const turns = Promise.all(Array.from({ length: 100 }, (_, i) => o.process({ query: `question ${i}` })));
    await o.shutdown();
    const results = await turns;
    expect(results.filter((r) => !('error_code' in r))).toHaveLength(100);
    expect(o.liveActors()).toBe(0);
    expect(await o.process({ query: 'one more' })).toMatchObject({ error_code: 'SHUTTING_DOWN' });
  });

  it('completes under a test\'s fake timers', async () => {
    vi.useFakeTimers();
    const o = createOrchestrator({ logger: pino({ level: 'silent' }), agents: okAgents() });
    orchestrator = o;
    await o.initialize();
    const turns = Promise.all(Array.from({ length: 100 }, (_, i) => o.process({ query: `question ${i}`, session_id: `s${i % 10}` })));
    await vi.advanceTimersByTimeAsync(1000);
    const results = await turns;
    expect(results.filter((r) => !('error_code' in r))).toHaveLength(100);
    expect(o.getSession('s3')!.turns).toHaveLength(10);
  });
});
