/**
 * Model-based tests of the session chart: every transition the definition
 * has is taken by some generated path, and the orchestrator driven along the
 * paths' event sequences ends in the same session status.
 */
import { getAdjacencyMap, getShortestPaths } from '@xstate/graph';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, type AnyStateNode } from 'xstate';
import { sessionMachine } from '../../machines/session.js';
import type { WorkflowOutput } from '../../machines/workflow.js';
import { createOrchestrator } from '../../src/orchestrator/orchestrator.js';
import { okAgents, scripted } from '../orchestrator/test-agents.js';
import { definedTransitions, transitionKey } from './transitions.js';

const IDLE = 60;
const turnInput = { session_id: 's', turn: 1, correlation_id: 'c', query: 'q', context: {}, mode: 'generate' } as any;
const output = (outcome: WorkflowOutput['outcome'], error_code?: string): WorkflowOutput => ({
  outcome,
  stage: outcome === 'completed' ? 'finalization' : 'query_generation',
  results: {},
  completed_stages: [],
  failure: error_code ? { error_code, message: error_code, stage: 'query_generation', suggestions: [] } : null,
  regenerations: 0,
  retries: 0,
  fallbacks: [],
  agents: {},
  cache: { schema_analysis: 'miss', query_generation: 'miss' },
});

function events(state: any): any[] {
  if (state.status !== 'active') return [];
  const list: any[] = [{ type: 'turn.started', input: turnInput }, { type: 'session.cancelled' }];
  for (const rest of ['created', 'completed', 'failed']) if (state.value === rest) list.push({ type: `xstate.after.idleTimeout.session.${rest}` });
  if ('workflow' in state.children) {
    list.push(
      { type: 'xstate.done.actor.workflow', output: output('completed') },
      { type: 'xstate.done.actor.workflow', output: output('failed', 'AGENT_FAILED') },
      { type: 'xstate.done.actor.workflow', output: output('expired', 'WORKFLOW_TIMEOUT') },
      { type: 'xstate.done.actor.workflow', output: output('expired', 'CANCELLED') },
      { type: 'xstate.error.actor.workflow', error: new Error('crash') },
    );
  }
  return list;
}

const serializeState = (s: any) => JSON.stringify([s.value, s.status, Math.min(s.context.turns, 2)]);
const serializeEvent = (e: any) => JSON.stringify([e.type, e.output?.outcome, e.output?.failure?.error_code]);
const options = { input: { session_id: 's', idle_timeout: IDLE }, events: events as any, serializeState, serializeEvent };

type Path = { steps: Array<{ state: any; event: any }>; state: any };
function edgePaths(): Path[] {
  const shortest = new Map<string, Path>();
  for (const p of getShortestPaths(sessionMachine, options) as unknown as Path[]) shortest.set(serializeState(p.state), p);
  const adjacency = getAdjacencyMap(sessionMachine, options as any) as unknown as Record<string, { transitions: Record<string, { event: any; state: any }> }>;
  const paths: Path[] = [];
  for (const [key, { transitions }] of Object.entries(adjacency)) {
    const prefix = shortest.get(key);
    if (!prefix) continue;
    for (const { event, state } of Object.values(transitions)) paths.push({ steps: [...prefix.steps, { state, event }], state });
  }
  return paths;
}
const paths = edgePaths();

describe('session chart (model-based)', () => {
  it('replaying the paths takes exactly the transitions the machine defines', () => {
    const covered = new Set<string>();
    const never = fromPromise(() => new Promise<never>(() => {}));
    const logic = sessionMachine.provide({ actors: { workflow: never as any } });
    for (const path of paths) {
      const actor = createActor(logic, {
        input: { session_id: 's', idle_timeout: IDLE },
        inspect: (e: any) => {
          if (e.type === '@xstate.microstep' && e.actorRef === actor) for (const t of e._transitions) covered.add(transitionKey(t));
        },
      });
      actor.start();
      for (const step of path.steps.slice(1)) actor.send(step.event);
      expect(actor.getSnapshot().value).toEqual(path.state.value);
      actor.stop();
    }
    expect([...covered].sort()).toEqual([...definedTransitions(sessionMachine.root as AnyStateNode)].sort());
  });
});

describe('the orchestrator along the session paths', () => {
  const silent = pino({ level: 'silent' });
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const drivable = paths.filter((p) => !p.steps.some((s) => s.event.type === 'xstate.error.actor.workflow'));

  it.each(drivable.map((p, i) => [i, p.steps.slice(1).map((s) => serializeEvent(s.event)).join(' → '), p] as const))('path %i: %s', async (_i, _label, path) => {
    // Each workflow outcome of the path becomes the behaviour of the generator on that turn.
    const outcomes = path.steps
      .filter((s) => s.event.type === 'xstate.done.actor.workflow')
      .map((s) => s.event.output.failure?.error_code ?? 'ok');
    // A turn the path leaves running hangs, so the session is still active at the end.
    const generator = scripted('query_generator', (n) => {
      const code = outcomes[n] ?? 'running';
      if (code === 'running') return { kind: 'hang' };
      return code === 'ok' ? { kind: 'ok' } : code === 'AGENT_FAILED' ? { kind: 'error' } : { kind: 'hang' };
    });
    const o = createOrchestrator({
      logger: silent,
      agents: { ...okAgents(), query_generator: generator },
      config: { cache_ttl: IDLE, max_retries: 0, timeout: 5, inter_agent_timeout: 10 },
    });
    await o.initialize();
    let turn = 0;
    let pending: Promise<unknown> | undefined;
    for (const step of path.steps.slice(1)) {
      const type = step.event.type;
      if (type === 'turn.started') {
        if (turn === 0 && !o.getSession('s')) pending = o.process({ query: `q${turn}`, session_id: 's' });
        else pending = o.process({ query: `q${turn}`, session_id: 's' });
        turn++;
        await vi.advanceTimersByTimeAsync(0);
      } else if (type === 'session.cancelled') {
        if (!o.getSession('s')) {
          // A session is created by its first turn; cancelling an unknown id is a no-op.
          expect(o.cancel('s')).toBe(false);
          return;
        }
        o.cancel('s');
        await vi.advanceTimersByTimeAsync(0);
      } else if (type === 'xstate.done.actor.workflow') {
        if (step.event.output.failure?.error_code === 'WORKFLOW_TIMEOUT') await vi.advanceTimersByTimeAsync(5000);
        if (step.event.output.failure?.error_code === 'CANCELLED') o.cancel('s');
        await pending;
      } else if (type.startsWith('xstate.after.idleTimeout')) {
        if (!o.getSession('s')) return;
        await vi.advanceTimersByTimeAsync(IDLE * 1000);
      }
    }
    const cancelledWhileActive = path.state.value === 'active' && path.steps.some((st, i) => st.event.type === 'session.cancelled' && path.steps[i - 1]?.state.value === 'active');
    // The chart forwards a cancel to the running workflow, which answers CANCELLED: the session then expires.
    const expected = cancelledWhileActive ? 'expired' : String(path.state.value).replace(/^(idle_expired|cancelled)$/, 'expired');
    const status = o.getSession('s')?.status ?? 'created';
    expect(status).toBe(expected);
    // A turn still running drains within the workflow timeout.
    const closing = o.shutdown();
    await vi.advanceTimersByTimeAsync(10_000);
    await closing;
    expect(o.liveActors()).toBe(0);
  });
});
