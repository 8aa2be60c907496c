/**
 * Orchestration overhead: one four-stage pipeline (schema analysis,
 * generation, validation, reward: train mode) with no-op agents through
 *   - our orchestrator, everything on: a session per workflow, the message
 *     log, retry and timeouts armed, circuit breakers, metrics, info logging
 *     into a null sink, caches off (`cache_ttl: 0`);
 *   - the same orchestrator, all turns in one session (no session actor per workflow);
 *   - bare XState: machines with the same invoked actors and armed timers, no work;
 *   - LangGraph.js: a compiled StateGraph of four nodes, its defaults;
 *   - a plain chain of four awaited async calls.
 * Interleaved rounds, median of rounds; wall and CPU microseconds per workflow.
 *
 *   node --import tsx bench/overhead.ts [--quick]
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import pino from 'pino';
import { assign, createActor, fromPromise, setup, toPromise, type AnyActorLogic } from 'xstate';
import { createOrchestrator } from '../src/orchestrator/orchestrator.js';
import type { AgentFunction, Role } from '../src/agents/types.js';
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

async function main() {
  const fresh = await orchestratorRunner(false);
  const same = await orchestratorRunner(true);
  const subjects: Record<string, () => Promise<unknown>> = {
    orchestrator: fresh.run,
    orchestrator_one_session: same.run,
    bare_xstate: bareXState(),
    langgraph: langGraph(),
    plain_chain: plainChain(),
  };
  const rounds = QUICK ? 3 : 7;
  const perRound = QUICK ? 100 : 500;
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (const [name, run] of Object.entries(subjects)) {
    for (let i = 0; i < perRound; i++) await run();
    wall[name] = [];
    cpu[name] = [];
  }
  // Interleaved so that a burst of load on the shared machine hits every subject alike.
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(subjects)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < perRound; i++) await run();
      const t = ((performance.now() - t0) * 1000) / perRound;
      const c = process.cpuUsage(c0);
      wall[name]!.push(t);
      cpu[name]!.push((c.user + c.system) / perRound);
    }
  }
  await fresh.orchestrator.shutdown();
  await same.orchestrator.shutdown();
  const us = Object.fromEntries(Object.keys(subjects).map((name) => [name, { wall_us: spread(wall[name]!), cpu_us: spread(cpu[name]!) }]));
  const m = (name: string) => us[name]!.cpu_us.median;
  emit('overhead', {
    machine: machine(),
    rounds,
    workflows_per_round: perRound,
    us,
    ratios_cpu: {
      langgraph_over_orchestrator: round(m('langgraph') / m('orchestrator'), 2),
      orchestrator_over_bare_xstate: round(m('orchestrator') / m('bare_xstate'), 2),
      orchestrator_over_plain: round(m('orchestrator') / m('plain_chain'), 1),
    },
  });
}

await main();
