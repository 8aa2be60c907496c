import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/orchestrator/orchestrator.js';
import type { SessionEvent } from '../../src/orchestrator/types.js';
import { okAgents, scripted } from './test-agents.js';

const silent = pino({ level: 'silent' });
let orchestrator: Orchestrator | undefined;
afterEach(async () => {
  await orchestrator?.shutdown();
  orchestrator = undefined;
});

describe('onStage: per-session event feed', () => {
  it('reports each stage entered in order, then the outcome, for a session id subscribed before its first turn', async () => {
    orchestrator = createOrchestrator({ logger: silent, agents: okAgents() });
    const events: SessionEvent[] = [];
    orchestrator.onStage('s-1', (e) => events.push(e));
    const other: SessionEvent[] = [];
    orchestrator.onStage('s-2', (e) => other.push(e));
    await orchestrator.process({ query: 'q', session_id: 's-1' });
    const stages = events.flatMap((e) => ('stage' in e ? [e.stage] : []));
    expect(stages).toEqual(['initialization', 'schema_analysis', 'query_generation', 'validation', 'finalization']);
    expect(events.at(-1)).toMatchObject({ session_id: 's-1', turn: 1, outcome: 'completed' });
    expect(other).toEqual([]);
  });

  it('reports a failed turn with its error code, and stops after unsubscribe', async () => {
    const agents = { ...okAgents(), query_generator: scripted('query_generator', [{ kind: 'refuse' }]) };
    orchestrator = createOrchestrator({ logger: silent, agents });
    const events: SessionEvent[] = [];
    const stop = orchestrator.onStage('s', (e) => events.push(e));
    await orchestrator.process({ query: 'q', session_id: 's' });
    expect(events.at(-1)).toMatchObject({ outcome: 'failed', error_code: 'WRITE_NOT_ALLOWED' });
    const seen = events.length;
    stop();
    await orchestrator.process({ query: 'q2', session_id: 's' });
    expect(events).toHaveLength(seen);
  });

  it('reports the expiry of a cancelled session, and a throwing listener harms nothing', async () => {
    orchestrator = createOrchestrator({ logger: silent, agents: okAgents() });
    const events: SessionEvent[] = [];
    orchestrator.onStage('s', () => {
      throw new Error('listener bug');
    });
    orchestrator.onStage('s', (e) => events.push(e));
    const r = await orchestrator.process({ query: 'q', session_id: 's' });
    expect(r).toHaveProperty('workflow_stage', 'completed');
    expect(orchestrator.cancel('s')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.at(-1)).toMatchObject({ session_id: 's', expired: 'cancelled' });
  });
});
