/**
 * Orchestration overhead: one four-stage pipeline (schema analysis,
 * generation, validation, reward: train mode) with no-op agents through
 *   - our orchestrator, everything on: a session per workflow, the message
 *     log, retry and timeouts armed, circuit breakers, metrics, info logging
 *     into a null sink, caches off (`cache_ttl: 0`);
 *   - the same orchestrator, all turns in one session (no session actor per workflow);
 *   - the shipped charts alone: session, workflow and agent-call machines
 *     interpreted by XState with no-op implementations (no orchestrator code:
 *     what XState's interpretation of our charts costs by itself);
 *   - bare XState: machines with the same invoked actors and armed timers, no work;
 *   - bare XState with the agent calls inline: the same stages, timeouts and
 *     backoff states in one workflow machine, a promise actor per call and no
 *     machine actor per agent request (what the child-actor design costs);
 *   - bare XState with no actor per agent request (agents started from entry
 *     actions, replies sent back as events): not allowed by the specification,
 *     measured to show what the actors cost;
 *   - LangGraph.js: a compiled StateGraph of four nodes, its defaults;
 *   - a plain chain of four awaited async calls.
 * Each round of each subject in its own process (warmed up first), rounds
 * interleaved across subjects, median of rounds; wall and CPU microseconds
 * per workflow.
 *
 *   node --import tsx bench/overhead.ts [--quick]
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import pino from 'pino';
import { assign, createActor, fromPromise, setup, toPromise, waitFor, type AnyActorLogic, type InspectionEvent } from 'xstate';
import type { AgentReply, CallAgentInput } from '../machines/agent-call.js';
import type { WorkflowRole } from '../machines/roles.js';
import { sessionMachine } from '../machines/session.js';
import { workflowMachine, type Preparation, type WorkflowInput } from '../machines/workflow.js';
import { createOrchestrator } from '../src/orchestrator/orchestrator.js';
import type { AgentFunction, Role } from '../src/agents/types.js';
import { DashboardFeed } from '../src/http/dashboard/feed.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emit, machine, QUICK, round, spread } from './lib.js';

const noop: Record<Role, AgentFunction> = {
  schema_analyzer: async () => ({ relevant_tables: [] }),
  query_generator: async () => ({ sql: 'SELECT 1', reasoning: '', confidence: 1 }),
  validator: async () => ({ is_valid: true, details: {}, issues: [], suggestions: [] }),
  reward_evaluator: async () => ({ total_reward: 1, rewards: {}, feedback: [] }),
};

async function orchestratorRunner(sameSession: boolean) {
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
  const orchestrator = createOrchestrator({ agents: noop, logger, config: { cache_ttl: 0, max_retained_sessions: 1000 } });
  await orchestrator.initialize();
  let n = 0;
  return {
    orchestrator,
    run: async () => {
      const out = await orchestrator.process({ query: `question ${n++}`, mode: 'train', ...(sameSession ? { session_id: 'bench' } : {}) });
      if ('error_code' in out) throw new Error(`workflow failed: ${out.error_code} ${out.error}`);
    },
  };
}

/** Bare XState: the orchestrator's actor shape (session → workflow → prepare, entities, 4 × agentCall → callAgent) with nothing in it. */
function bareXState() {
  const call = setup({
    actors: { work: fromPromise(async () => 1) },
    delays: { timeout: 10_000 },
  }).createMachine({
    initial: 'calling',
    states: {
      calling: { invoke: { src: 'work', onDone: 'done' }, after: { timeout: 'done' } },
      done: { type: 'final' },
    },
  });
  const step = (name: string, next: string) => ({
    [name]: { invoke: { src: 'call', onDone: next } },
  });
  const workflow = setup({
    actors: { call, prepare: fromPromise(async () => 1), entities: fromPromise(async () => 1) },
    delays: { timeout: 30_000 },
  }).createMachine({
    initial: 'init',
    after: { timeout: '.done' },
    states: {
      init: { invoke: { src: 'prepare', onDone: 'analysis' } },
      analysis: {
        type: 'parallel',
        states: {
          a: { initial: 'run', states: { run: { invoke: { src: 'call', onDone: 'done' } }, done: { type: 'final' } } },
          e: { initial: 'run', states: { run: { invoke: { src: 'entities', onDone: 'done' } }, done: { type: 'final' } } },
        },
        onDone: 'generation',
      },
      ...step('generation', 'validation'),
      ...step('validation', 'reward'),
      ...step('reward', 'done'),
      done: { type: 'final' },
    },
  });
  const session = setup({ actors: { workflow }, delays: { idle: 30_000 } }).createMachine({
    context: { turns: 0 },
    initial: 'active',
    states: {
      active: { invoke: { src: 'workflow', onDone: { target: 'resting', actions: assign({ turns: ({ context }) => context.turns + 1 }) } } },
      resting: { type: 'final' },
    },
  });
  return async () => {
    const actor = createActor(session as AnyActorLogic).start();
    await toPromise(actor);
  };
}

/** The three shipped charts with no-op implementations, driven as the orchestrator drives them: a session per turn. */
function chartsOnly() {
  const workflow = workflowMachine.provide({
    actors: {
      callAgent: fromPromise<AgentReply, CallAgentInput>(async ({ input }) => ({ kind: 'output', output: await noop[input.role as Role]({ query: '' }, ctx) })),
      prepareWorkflow: fromPromise<Preparation, { session_id: string; query: string; context: Record<string, unknown>; mode: 'generate' | 'train' }>(async ({ input }) => ({
        historical_queries: [],
        cached: {},
        screening: { refusal: null, question: input.query, dropped: [] },
      })),
      entityExtractor: fromPromise<unknown, { query: string }>(async () => undefined),
    },
    guards: { generatedSqlUnsafe: () => false },
  });
  const session = sessionMachine.provide({ actors: { workflow } });
  const agents = { schema_analyzer: ['a'], query_generator: ['a'], validator: ['a'], reward_evaluator: ['a'] } satisfies Record<WorkflowRole, string[]>;
  let n = 0;
  const turn = (inspect?: (event: InspectionEvent) => void) => {
    const id = `s${n++}`;
    const input: WorkflowInput = {
      session_id: id,
      turn: 1,
      correlation_id: id,
      query: `question ${n}`,
      context: {},
      mode: 'train',
      agents,
      limits: { max_retries: 3, timeout: 30, inter_agent_timeout: 10, backoff_base: 1 },
      options: { depth: 2, num_candidates: 1, strict_mode: false },
    };
    const actor = createActor(session, { input: { session_id: id, idle_timeout: 3600 }, inspect }).start();
    actor.send({ type: 'turn.started', input });
    return waitFor(actor, (s) => s.matches('completed') || s.matches('failed')).then((s) => {
      actor.stop();
      if (!s.matches('completed')) throw new Error('charts-only turn failed');
    });
  };
  return {
    run: () => turn(),
    /** Actors created and microsteps taken by one train-mode turn. */
    async census() {
      const counts = { actors: 0, microsteps: 0, events: 0, actions: 0 };
      await turn((event) => {
        if (event.type === '@xstate.actor') counts.actors++;
        else if (event.type === '@xstate.microstep') counts.microsteps++;
        else if (event.type === '@xstate.event') counts.events++;
        else if (event.type === '@xstate.action') counts.actions++;
      });
      return counts;
    },
  };
}

/** A bare session actor invoking `workflow` once: one run per call of the returned function. */
function inSession(workflow: AnyActorLogic) {
  const session = setup({ actors: { workflow } }).createMachine({
    initial: 'active',
    states: { active: { invoke: { src: 'workflow', onDone: 'resting' } }, resting: { type: 'final' } },
  });
  return async () => {
    await toPromise(createActor(session).start());
  };
}

/** Bare XState, the agent calls' states (calling with its timeout, backing off) inline in one workflow machine. */
function bareInlineCalls() {
  const stage = <T extends string>(next: T) =>
    ({
      initial: 'calling',
      states: {
        calling: { invoke: { src: 'work', onDone: 'done', onError: 'backing_off' }, after: { timeout: 'backing_off' } },
        backing_off: { after: { backoff: 'calling' } },
        done: { type: 'final' },
      },
      onDone: next,
    }) as const;
  const workflow = setup({
    actors: { work: fromPromise(async () => 1), prepare: fromPromise(async () => 1), entities: fromPromise(async () => 1) },
    delays: { timeout: 10_000, backoff: 1_000, workflow: 30_000 },
  }).createMachine({
    initial: 'init',
    after: { workflow: '.done' },
    states: {
      init: { invoke: { src: 'prepare', onDone: 'analysis' } },
      analysis: {
        type: 'parallel',
        states: {
          a: { initial: 'run', states: { run: stage('#inline.analysis.a.done'), done: { type: 'final' } } },
          e: { initial: 'run', states: { run: { invoke: { src: 'entities', onDone: 'done' } }, done: { type: 'final' } } },
        },
        onDone: 'generation',
      },
      generation: stage('validation'),
      validation: stage('reward'),
      reward: stage('done'),
      done: { type: 'final' },
    },
    id: 'inline',
  });
  return inSession(workflow);
}

/**
 * Bare XState with no actor per agent request: each stage's entry action starts the agent and sends its
 * reply back as an event. Not a design the specification allows (every agent is an actor, and leaving a
 * state must abort its work); measured to show how much of the floor is the actors.
 */
function bareNoActors() {
  const stage = <T extends string>(next: T) =>
    ({
      initial: 'calling',
      states: {
        calling: { entry: 'startAgent', on: { 'agent.replied': 'done', 'agent.failed': 'backing_off' }, after: { timeout: 'backing_off' } },
        backing_off: { after: { backoff: 'calling' } },
        done: { type: 'final' },
      },
      onDone: next,
    }) as const;
  const workflow = setup({
    types: { events: {} as { type: 'agent.replied' } | { type: 'agent.failed' } },
    actions: {
      startAgent: ({ self }) => {
        noop.schema_analyzer({ query: '' }, ctx).then(
          () => self.send({ type: 'agent.replied' }),
          () => self.send({ type: 'agent.failed' }),
        );
      },
    },
    delays: { timeout: 10_000, backoff: 1_000, workflow: 30_000 },
  }).createMachine({
    initial: 'init',
    after: { workflow: '.done' },
    states: {
      init: stage('analysis'),
      analysis: stage('generation'),
      generation: stage('validation'),
      validation: stage('reward'),
      reward: stage('done'),
      done: { type: 'final' },
    },
  });
  return inSession(workflow);
}

function langGraph() {
  const State = Annotation.Root({
    query: Annotation<string>,
    analysis: Annotation<unknown>,
    generation: Annotation<unknown>,
    validation: Annotation<unknown>,
    reward: Annotation<unknown>,
  });
  const graph = new StateGraph(State)
    .addNode('analyzer', async (s) => ({ analysis: await noop.schema_analyzer({ query: s.query }, ctx) }))
    .addNode('generator', async (s) => ({ generation: await noop.query_generator({ query: s.query }, ctx) }))
    .addNode('validator', async (s) => ({ validation: await noop.validator({ query: s.query }, ctx) }))
    .addNode('rewarder', async (s) => ({ reward: await noop.reward_evaluator({ query: s.query }, ctx) }))
    .addEdge(START, 'analyzer')
    .addEdge('analyzer', 'generator')
    .addEdge('generator', 'validator')
    .addEdge('validator', 'rewarder')
    .addEdge('rewarder', END)
    .compile();
  let n = 0;
  return async () => {
    await graph.invoke({ query: `question ${n++}` });
  };
}

const ctx = { signal: new AbortController().signal, session: { session_id: '', turn: 0 } };

function plainChain() {
  let n = 0;
  return async () => {
    const query = `question ${n++}`;
    const analysis = await noop.schema_analyzer({ query }, ctx);
    const generation = await noop.query_generator({ query, analysis }, ctx);
    const validation = await noop.validator({ query, generation }, ctx);
    const reward = await noop.reward_evaluator({ query, validation }, ctx);
    return { analysis, generation, validation, reward };
  };
}

/** Each subject's runner; an orchestrator is shut down after its round. */
const SUBJECTS: Record<string, () => Promise<{ run: () => Promise<unknown>; close?: () => Promise<void> }>> = {
  orchestrator: async () => {
    const o = await orchestratorRunner(false);
    return { run: o.run, close: () => o.orchestrator.shutdown() };
  },
  // What every `gl-rl serve` now carries: the dashboard's feed listening to all sessions (timestamps built for every event).
  orchestrator_with_dashboard_feed: async () => {
    const o = await orchestratorRunner(false);
    const feed = new DashboardFeed(o.orchestrator);
    return { run: o.run, close: () => (feed.close(), o.orchestrator.shutdown()) };
  },
  orchestrator_one_session: async () => {
    const o = await orchestratorRunner(true);
    return { run: o.run, close: () => o.orchestrator.shutdown() };
  },
  charts_only: async () => ({ run: chartsOnly().run }),
  bare_xstate: async () => ({ run: bareXState() }),
  bare_xstate_inline_calls: async () => ({ run: bareInlineCalls() }),
  bare_xstate_no_actors: async () => ({ run: bareNoActors() }),
  langgraph: async () => ({ run: langGraph() }),
  plain_chain: async () => ({ run: plainChain() }),
};

/** In a child process: one subject, warmed up, then one timed round. */
async function timeRound(name: string, perRound: number) {
  const subject = await SUBJECTS[name]!();
  // Warm for a second at least, so that the JIT's background compiles are done before the clock starts.
  const warmUntil = performance.now() + 1000;
  for (let i = 0; i < perRound || performance.now() < warmUntil; i++) await subject.run();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < perRound; i++) await subject.run();
  const wall_us = ((performance.now() - t0) * 1000) / perRound;
  const c = process.cpuUsage(c0);
  await subject.close?.();
  return { wall_us, cpu_us: (c.user + c.system) / perRound };
}

async function main() {
  const rounds = QUICK ? 3 : 7;
  const perRound = QUICK ? 200 : 500;
  const names = Object.keys(SUBJECTS);
  const wall: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  // A process per subject and round: no subject pays for collecting another's garbage (the orchestrator
  // retains sessions, which makes major GCs), and interleaved rounds let a burst of load hit every subject alike.
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--subject', name, '--per-round', String(perRound)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = child.stdout.trim().split('\n').pop() ?? '';
      if (child.status !== 0 || !line.startsWith('{')) throw new Error(`subject ${name} failed (exit ${child.status})`);
      const result = JSON.parse(line) as { wall_us: number; cpu_us: number };
      wall[name]!.push(result.wall_us);
      cpu[name]!.push(result.cpu_us);
    }
  }
  const us = Object.fromEntries(names.map((name) => [name, { wall_us: spread(wall[name]!), cpu_us: spread(cpu[name]!) }]));
  const m = (name: string) => us[name]!.cpu_us.median;
  emit('overhead', {
    machine: machine(),
    rounds,
    workflows_per_round: perRound,
    us,
    // One train-mode turn of the shipped charts, counted by an inspector.
    charts_per_turn: await chartsOnly().census(),
    ratios_cpu: {
      langgraph_over_orchestrator: round(m('langgraph') / m('orchestrator'), 2),
      orchestrator_over_bare_xstate: round(m('orchestrator') / m('bare_xstate'), 2),
      orchestrator_over_charts_only: round(m('orchestrator') / m('charts_only'), 2),
      langgraph_over_charts_only: round(m('langgraph') / m('charts_only'), 2),
      langgraph_over_bare_xstate_inline_calls: round(m('langgraph') / m('bare_xstate_inline_calls'), 2),
      langgraph_over_bare_xstate_no_actors: round(m('langgraph') / m('bare_xstate_no_actors'), 2),
      orchestrator_over_plain: round(m('orchestrator') / m('plain_chain'), 1),
    },
  });
}

const subjectArg = process.argv.indexOf('--subject');
if (subjectArg > 0) {
  const perRound = Number(process.argv[process.argv.indexOf('--per-round') + 1]);
  process.stdout.write(`${JSON.stringify(await timeRound(process.argv[subjectArg + 1]!, perRound))}\n`);
} else {
  await main();
}
