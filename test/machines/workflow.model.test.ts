/**
 * Model-based tests of the workflow chart. @xstate/graph walks the machine
 * definition with realistic `xstate.done.actor.*` / `xstate.error.actor.*`
 * payloads; one path is built per edge of the adjacency map, so every
 * reachable transition is on some path. Each path is then
 *  (a) replayed on the chart itself, recording the transitions taken, which
 *      must equal the transitions defined by the machine, and
 *  (b) driven through the real orchestrator with scripted agents that fail,
 *      hang, refuse or succeed as the path says, checking outcome and shape.
 */
import { getAdjacencyMap, getShortestPaths } from '@xstate/graph';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, type AnyStateNode } from 'xstate';
import { CIRCUIT_OPEN_MARK, type AgentReply } from '../../machines/agent-call.js';
import { ROLE_TABLE, WORKFLOW_ROLES } from '../../machines/roles.js';
import { workflowMachine, type WorkflowInput } from '../../machines/workflow.js';
import { createOrchestrator } from '../../src/orchestrator/orchestrator.js';
import type { Role } from '../../src/agents/types.js';
import { invalidValidation, okOutputs, scripted, type Behaviour } from '../orchestrator/test-agents.js';
import { definedTransitions, transitionKey } from './transitions.js';

const MAX_RETRIES = 1;
const READ_QUESTION = 'Show all active projects';
const WRITE_REQUEST = 'Delete all cancelled projects';
const UNSAFE_SQL = 'WITH d AS (DELETE FROM T RETURNING *) SELECT * FROM d';

/** The orchestrator's screening of the two questions the paths ask (src/orchestrator/screening.ts decides it). */
const screening = (write: boolean) => ({
  refusal: write ? { error_code: 'WRITE_NOT_ALLOWED', message: 'the request asks to delete data or schema', suggestions: ['Ask a question instead.'] } : null,
  question: write ? WRITE_REQUEST : READ_QUESTION,
  dropped: [],
});

/** The chart with the one guard the orchestrator provides: here SQL is unsafe when it is the path's unsafe text (the real parser decides in (b)). */
const chart = workflowMachine.provide({
  guards: { generatedSqlUnsafe: ({ context }) => (context.results.query_generation as { sql?: string } | undefined)?.sql === UNSAFE_SQL },
});

const AGENTS = { schema_analyzer: ['a1', 'a2'], query_generator: ['g1', 'g2'], validator: ['v1', 'v2'], reward_evaluator: ['r1', 'r2'] };

const input = (mode: 'generate' | 'train'): WorkflowInput => ({
  session_id: 'model',
  turn: 1,
  correlation_id: 'c1',
  query: READ_QUESTION,
  context: {},
  mode,
  agents: AGENTS,
  limits: { max_retries: MAX_RETRIES, timeout: 30, inter_agent_timeout: 10, backoff_base: 0.1 },
  options: { depth: 3, num_candidates: 1, strict_mode: false },
});

const answer = (output: unknown): AgentReply => ({ kind: 'output', output });
const refusal: AgentReply = { kind: 'refusal', refusal: { error_code: 'WRITE_NOT_ALLOWED', message: 'writes are not allowed', suggestions: [] } };
const requestFault = () => Object.assign(new Error('over budget'), { code: 'QUERY_TIMEOUT', detail: 'over budget', requestFault: true });
const circuitOpen = () => Object.assign(new Error('circuit open'), { reason: CIRCUIT_OPEN_MARK });

type AnyEvent = { type: string; [k: string]: unknown };

/** Only what can happen now: the live children may finish or fail; the user may cancel; an armed timer may fire. */
function events(state: any): AnyEvent[] {
  if (state.status !== 'active') return [];
  const list: AnyEvent[] = [{ type: 'session.cancelled', reason: 'cancelled by the user' }];
  for (const node of state._nodes as AnyStateNode[]) for (const t of node.after) list.push({ type: t.eventType });
  const live = Object.keys(state.children);
  if (live.includes('prepareWorkflow')) {
    const analysis = okOutputs.schema_analyzer({ query: 'q' });
    const generation = okOutputs.query_generator({ attempt: 0 });
    list.push(
      { type: 'xstate.done.actor.prepareWorkflow', output: { historical_queries: [], cached: {}, screening: screening(false) } },
      { type: 'xstate.done.actor.prepareWorkflow', output: { historical_queries: [], cached: {}, screening: screening(true) } },
      { type: 'xstate.done.actor.prepareWorkflow', output: { historical_queries: [], cached: { schema_analysis: analysis }, screening: screening(false) } },
      { type: 'xstate.done.actor.prepareWorkflow', output: { historical_queries: [], cached: { schema_analysis: analysis, query_generation: generation }, screening: screening(false) } },
      { type: 'xstate.error.actor.prepareWorkflow', error: new Error('session store unavailable') },
    );
  }
  if (live.includes('entityExtractor')) {
    list.push(
      { type: 'xstate.done.actor.entityExtractor', output: { query_terms: ['active', 'projects'], mapped_entities: [] } },
      { type: 'xstate.error.actor.entityExtractor', error: new Error('extractor failed') },
    );
  }
  for (const role of WORKFLOW_ROLES) {
    const id = ROLE_TABLE[role].invoke;
    if (!live.includes(id)) continue;
    list.push({ type: `xstate.done.actor.${id}`, output: answer(okOutputs[role]({ query: 'q', attempt: 0 })) });
    if (role === 'validator') list.push({ type: `xstate.done.actor.${id}`, output: answer(invalidValidation) });
    if (role === 'query_generator') list.push({ type: `xstate.done.actor.${id}`, output: answer({ ...okOutputs.query_generator({ attempt: 0 }), sql: UNSAFE_SQL }) });
    list.push(
      { type: `xstate.done.actor.${id}`, output: refusal },
      { type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) },
      { type: `xstate.error.actor.${id}`, error: requestFault() },
      { type: `xstate.error.actor.${id}`, error: circuitOpen() },
    );
  }
  return list;
}

const serializeState = (s: any) =>
  JSON.stringify([
    s.value, s.context.regenerations, s.context.failure?.error_code ?? null, s.context.cache, Object.keys(s.context.preparation.cached),
    s.context.preparation.screening.refusal !== null, s.context.results.query_generation?.sql === UNSAFE_SQL, s.context.call.index, s.context.call.attempt,
    s.context.call.skipped, Object.keys(s.children).sort(),
  ]);
const serializeEvent = (e: any) => JSON.stringify(e, (k, v) => (v instanceof Error ? { ...v, message: v.message } : v));

type Path = { steps: Array<{ state: any; event: AnyEvent }>; state: any };

/** One path per edge: the shortest path to the edge's source, then the edge's event. */
function edgePaths(mode: 'generate' | 'train'): Path[] {
  const options = { input: input(mode), events: events as any, serializeState, serializeEvent };
  const shortest = new Map<string, Path>();
  for (const p of getShortestPaths(chart, options) as unknown as Path[]) shortest.set(serializeState(p.state), p);
  const adjacency = getAdjacencyMap(chart, options as any) as Record<string, { state: any; transitions: Record<string, { event: AnyEvent; state: any }> }>;
  const paths: Path[] = [];
  for (const [key, { transitions }] of Object.entries(adjacency)) {
    const prefix = shortest.get(key);
    if (!prefix) continue;
    for (const { event, state } of Object.values(transitions)) {
      if (serializeState(state) === key) continue;
      paths.push({ steps: [...prefix.steps, { state, event }], state });
    }
  }
  return paths;
}

const allPaths = { generate: edgePaths('generate'), train: edgePaths('train') };

describe('workflow chart (model-based)', () => {
  const visitedStates = new Set<string>();

  it('replaying every generated path covers exactly the transitions the machine defines', () => {
    const covered = new Set<string>();
    const never = fromPromise(() => new Promise<never>(() => {}));
    const logic = chart.provide({ actors: { prepareWorkflow: never as any, entityExtractor: never as any, callAgent: never as any } });
    for (const mode of ['generate', 'train'] as const) {
      for (const path of allPaths[mode]) {
        const actor = createActor(logic, {
          input: input(mode),
          inspect: (e: any) => {
            if (e.type === '@xstate.microstep' && e.actorRef === actor) {
              for (const t of e._transitions) covered.add(transitionKey(t));
              for (const node of e.snapshot._nodes as AnyStateNode[]) visitedStates.add(node.id);
            }
          },
        });
        actor.start();
        // The leading step of a path is the machine's own start.
        for (const step of path.steps.slice(1)) actor.send(step.event as any);
        expect(actor.getSnapshot().value).toEqual(path.state.value);
        actor.stop();
      }
    }
    expect([...covered].sort()).toEqual([...definedTransitions(workflowMachine.root as AnyStateNode)].sort());
  });

  it('reaches every state of the chart, transient ones included', () => {
    const states = new Set<string>(visitedStates);
    for (const mode of ['generate', 'train'] as const)
      for (const p of allPaths[mode]) for (const step of p.steps) for (const node of step.state._nodes as AnyStateNode[]) states.add(node.id);
    const defined = new Set<string>();
    const visit = (node: AnyStateNode) => {
      defined.add(node.id);
      Object.values(node.states).forEach(visit);
    };
    visit(workflowMachine.root as AnyStateNode);
    expect([...states].sort()).toEqual([...defined].sort());
  });
});

// ── (b) the real orchestrator along each path ───────────────────────────────

const silent = pino({ level: 'silent' });

/** What each agent does on each of its calls, derived from the path's events. */
function scriptsFor(path: Path) {
  const perAgent = new Map<string, Behaviour[]>();
  const script = (role: Role, index: number) => {
    const key = `${role}/${AGENTS[role][index]}`;
    if (!perAgent.has(key)) perAgent.set(key, []);
    return perAgent.get(key)!;
  };
  let extractor = 'hang' as 'ok' | 'error' | 'hang';
  let warm = 'none' as 'none' | 'analysis' | 'both';
  let ending = 'none' as 'none' | 'cancel' | 'timeout';
  let query = READ_QUESTION;
  path.steps.slice(1).forEach((step, i) => {
    const e = step.event;
    const before = path.steps[i]!.state;
    const calling = WORKFLOW_ROLES.find((role) => ROLE_TABLE[role].invoke in before.children);
    if (e.type === 'xstate.done.actor.prepareWorkflow') {
      const cached = (e.output as any).cached;
      warm = cached.query_generation ? 'both' : cached.schema_analysis ? 'analysis' : 'none';
      query = (e.output as any).screening.question;
    } else if (e.type === 'xstate.done.actor.entityExtractor') extractor = 'ok';
    else if (e.type === 'xstate.error.actor.entityExtractor') extractor = 'error';
    else if (e.type === 'session.cancelled' || e.type === 'xstate.after.workflowTimeout.workflow') {
      ending = e.type === 'session.cancelled' ? 'cancel' : 'timeout';
      if (calling) script(calling, before.context.call.index).push({ kind: 'hang' });
      if ('entityExtractor' in before.children) extractor = 'hang';
    } else if (e.type.startsWith('xstate.after.interAgentTimeout.')) {
      script(calling!, before.context.call.index).push({ kind: 'hang' });
    } else if (calling && e.type.endsWith(`.${ROLE_TABLE[calling].invoke}`)) {
      const list = script(calling, before.context.call.index);
      if (e.type.startsWith('xstate.done.actor.')) {
        const reply = e.output as AgentReply;
        list.push(reply.kind === 'refusal' ? { kind: 'refuse' } : { kind: 'ok', output: reply.output as Record<string, unknown> });
      } else list.push((e.error as { requestFault?: boolean }).requestFault ? { kind: 'fault' } : { kind: 'error' });
    }
  });
  return { perAgent, extractor, warm, ending, query };
}

/**
 * Paths whose events the orchestrator's agents can cause: no crash of prepareWorkflow (the orchestrator's
 * own store), no open circuit (that takes failures across turns), and nothing that happens while
 * prepareWorkflow runs (no agent can hold it open for a cancel or a timeout).
 */
const drivable = (p: Path) =>
  !p.steps.some(
    (s, i) =>
      s.event.type === 'xstate.error.actor.prepareWorkflow' ||
      (s.event.error as { reason?: unknown } | undefined)?.reason === CIRCUIT_OPEN_MARK ||
      (i > 0 && 'prepareWorkflow' in p.steps[i - 1]!.state.children && !s.event.type.endsWith('prepareWorkflow')),
  );

describe('the orchestrator along each path of the chart', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const cases = (['generate', 'train'] as const).flatMap((mode) =>
    allPaths[mode].filter(drivable).filter((p) => ['completed', 'failed', 'expired'].includes(p.state.value)).map((p) => ({ mode, p })),
  );

  it('covers terminal paths of all three outcomes', () => {
    expect(new Set(cases.map((c) => c.p.state.value))).toEqual(new Set(['completed', 'failed', 'expired']));
  });

  it.each(cases.map((c, i) => [i, c.mode, c.p.steps.slice(1).map((s) => shortEvent(s.event)).join(' → '), c] as const))(
    'path %i (%s): %s',
    async (_i, mode, _label, { p }) => {
      const { perAgent, extractor, warm, ending, query } = scriptsFor(p);
      // The warm-up turn asks each role's first agent once.
      const agents = Object.fromEntries(
        WORKFLOW_ROLES.map((role) => [
          role,
          AGENTS[role].map((name, i) =>
            scripted(role, [...(warm !== 'none' && i === 0 ? [{ kind: 'ok' } as Behaviour] : []), ...(perAgent.get(`${role}/${name}`) ?? []), { kind: 'ok' }], name),
          ),
        ]),
      ) as Record<Role, ReturnType<typeof scripted>[]>;
      const services = async () => ({
        extractEntities: (): unknown => {
          if (warming) return { query_terms: [], mapped_entities: [] };
          if (extractor === 'error') throw new Error('extractor failed');
          if (extractor === 'hang') return new Promise(() => {});
          return { query_terms: ['q'], mapped_entities: [] };
        },
      });
      let warming = warm !== 'none';
      const o = createOrchestrator({
        logger: silent,
        defaults: { agents, services },
        // A workflow timeout must come before any agent timeout on the paths that end with it.
        config: {
          max_retries: MAX_RETRIES,
          timeout: 60,
          inter_agent_timeout: ending === 'timeout' ? 1000 : 10,
          retry_backoff: 0.1,
          cache_ttl: 3600,
          // Circuits open only across turns; a path is one turn.
          circuit_failure_threshold: 100,
        },
      });
      await o.initialize();
      const context = mode === 'train' ? { expected_sql: 'SELECT 1' } : {};
      if (warm !== 'none') {
        // Same question and mode: the analysis is cached; the generation is cached only under the same context.
        const warmRun = o.process({ query, mode, context: warm === 'both' ? context : { ...context, warm: true } });
        await vi.advanceTimersByTimeAsync(1);
        expect(await warmRun).toHaveProperty('workflow_stage', 'completed');
        warming = false;
      }
      const pending = o.process({ query, mode, session_id: 'path', context });
      if (ending === 'cancel') {
        await vi.advanceTimersByTimeAsync(1);
        o.cancel('path');
      }
      await vi.advanceTimersByTimeAsync(200_000);
      const r: any = await pending;
      const end = p.state;
      if (end.value === 'completed') {
        expect(r.workflow_stage).toBe('completed');
        expect(typeof r.sql).toBe('string');
        expect(r.validation).toHaveProperty('is_valid');
        expect('training' in r).toBe(mode === 'train');
        expect(r.metadata.regenerations).toBe(end.context.regenerations);
      } else {
        expect(Object.keys(r).sort()).toEqual(['error', 'error_code', 'failed_stage', 'partial_results', 'session_id', 'suggestions']);
        expect(r.error_code).toBe(end.context.failure.error_code);
        expect(r.failed_stage).toBe(end.context.stage);
        expect(Object.keys(r.partial_results)).toEqual(end.context.completed_stages);
      }
      expect(o.getSession('path')!.status).toBe(end.value === 'completed' ? 'completed' : ending === 'cancel' ? 'expired' : 'failed');
      await o.shutdown();
      expect(o.liveActors()).toBe(0);
    },
  );
});

function shortEvent(e: AnyEvent): string {
  const t = e.type.replace('xstate.done.actor.', '').replace('xstate.error.actor.', '!').replace('xstate.after.', 'after:');
  const out = e.output as any;
  if (out?.kind === 'refusal') return `${t}(refused)`;
  if (out?.kind === 'output') return `${t}(${out.output?.is_valid === false ? 'invalid' : out.output?.sql === UNSAFE_SQL ? 'unsafe' : 'ok'})`;
  if (e.error) return `${t}(${(e.error as any).requestFault ? 'fault' : (e.error as any).reason === CIRCUIT_OPEN_MARK ? 'circuit' : 'error'})`;
  if (out?.cached) return `${t}(${[...Object.keys(out.cached), ...(out.screening.refusal ? ['write'] : [])].join('+') || 'cold'})`;
  return t;
}
