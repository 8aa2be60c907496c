/**
 * Concurrency and memory with agents that take 100 ms (a model server: a
 * timer that honours the abort signal):
 *   - 1,000 sessions at once, `max_concurrent_agents: 200`: every one
 *     completes, none is lost, and the throughput is compared with what the
 *     bulkhead allows (200 calls in flight / 0.1 s / 3 calls per generate-mode workflow),
 *     after the same burst once untimed, and how long the burst took to fill the bulkhead;
 *   - retained heap per finished session (after gc, divided by the number of sessions);
 *   - heap after 1,000 and after 10,000 sequential workflows (no-op agents):
 *     flat means nothing grows per workflow beyond the bounded retention.
 *
 *   node --expose-gc --import tsx bench/concurrency.ts [--quick]
 */
import pino from 'pino';
import { createActor, setup, type AnyActorLogic } from 'xstate';
import { sessionMachine } from '../machines/session.js';
import { createOrchestrator } from '../src/orchestrator/orchestrator.js';
import { isErrorResponse } from '../src/orchestrator/result.js';
import type { AgentFunction, Role } from '../src/agents/types.js';
import { emit, gc, latency, machine, QUICK, round } from './lib.js';

const outputs: Record<Role, Record<string, unknown>> = {
  schema_analyzer: { relevant_tables: [] },
  query_generator: { sql: 'SELECT 1', reasoning: '', confidence: 1 },
  validator: { is_valid: true, details: {}, issues: [], suggestions: [] },
  reward_evaluator: { total_reward: 1, rewards: {}, feedback: [] },
};

/** When each agent call began, ms on the performance clock: shows how long the burst took to fill the bulkhead. */
const callStarts: number[] = [];

function agents(delayMs: number): Record<Role, AgentFunction> {
  const make = (role: Role): AgentFunction => async (_content, { signal }) => {
    if (delayMs > 0) {
      callStarts.push(performance.now());
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delayMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        }, { once: true });
      });
    }
    return outputs[role];
  };
  return { schema_analyzer: make('schema_analyzer'), query_generator: make('query_generator'), validator: make('validator'), reward_evaluator: make('reward_evaluator') };
}

const nullLogger = () => pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

async function concurrent(sessions: number, limit: number, delayMs: number) {
  const orchestrator = createOrchestrator({
    agents: agents(delayMs),
    logger: nullLogger(),
    config: { cache_ttl: 0, max_concurrent_agents: limit, max_retained_sessions: sessions * 2 },
  });
  await orchestrator.initialize();
  const before = heapMb();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const latencies: number[] = [];
  callStarts.length = 0;
  const outcomes = await Promise.all(
    Array.from({ length: sessions }, async (_, i) => {
      const t = performance.now();
      const out = await orchestrator.process({ query: `question ${i}`, session_id: `s${i}` });
      latencies.push(performance.now() - t);
      return out;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const completed = outcomes.filter((o) => !isErrorResponse(o)).length;
  const callsPerWorkflow = 3;
  const theoretical = limit / (delayMs / 1000) / callsPerWorkflow;
  const throughput = sessions / seconds;
  // Until the limit-th call began, slots stood idle while the burst's sessions were set up (orchestration CPU).
  const filled = (callStarts[limit - 1]! - started) / 1000;
  const calls = sessions * callsPerWorkflow;
  const retained = heapMb() - before;
  const m = orchestrator.metrics();
  const result = {
    sessions,
    max_concurrent_agents: limit,
    agent_ms: delayMs,
    completed,
    lost: sessions - outcomes.length,
    failed: sessions - completed,
    seconds: round(seconds, 3),
    // CPU seconds over wall seconds near 1 (or above: GC threads) means the run was bound by the orchestrator's own CPU, not by the bulkhead.
    cpu_seconds: round((cpu.user + cpu.system) / 1e6, 3),
    cpu_ms_per_workflow: round((cpu.user + cpu.system) / 1000 / sessions, 3),
    throughput_per_s: round(throughput, 1),
    theoretical_per_s: round(theoretical, 1),
    of_theoretical: round(throughput / theoretical, 3),
    bulkhead_filled_after_s: round(filled, 3),
    // Agent time over slot time, from the moment the bulkhead was first full to the end.
    slot_use_after_filled: round((calls * delayMs) / 1000 / (limit * (seconds - filled)), 3),
    latency_ms: latency(latencies),
    bulkhead_peak: m.bulkhead.peak,
    retained_sessions: m.sessions.total,
    retained_heap_bytes_per_session: Math.round((retained * 2 ** 20) / sessions),
    estimated_json_bytes_per_session: m.sessions.estimated_bytes_per_session,
  };
  await orchestrator.shutdown();
  return result;
}

async function sequentialHeap(total: number) {
  const orchestrator = createOrchestrator({ agents: agents(0), logger: nullLogger(), config: { cache_ttl: 0 } });
  await orchestrator.initialize();
  const checkpoints: Array<{ workflows: number; heap_mb: number; retained_sessions: number }> = [];
  const at = new Set(Array.from({ length: total / 1000 }, (_, i) => (i + 1) * 1000));
  for (let i = 1; i <= total; i++) {
    // One long conversation: retention is bounded by max_turns_per_session and max_messages_per_session.
    const out = await orchestrator.process({ query: `question ${i}`, session_id: 'long' });
    if (isErrorResponse(out)) throw new Error(`workflow ${i} failed: ${out.error_code}`);
    if (at.has(i)) checkpoints.push({ workflows: i, heap_mb: round(heapMb(), 2), retained_sessions: orchestrator.metrics().sessions.total });
  }
  await orchestrator.shutdown();
  const first = checkpoints[0]!.heap_mb;
  const last = checkpoints[checkpoints.length - 1]!.heap_mb;
  return { checkpoints, growth_mb_1k_to_end: round(last - first, 2) };
}

/** Bytes per started, idle root actor of `logic`, after gc. */
function actorBytes(count: number, logic: AnyActorLogic, input?: (i: number) => unknown): number {
  const before = heapMb();
  const actors = Array.from({ length: count }, (_, i) => createActor(logic, { input: input?.(i) }).start());
  const bytes = ((heapMb() - before) * 2 ** 20) / count;
  for (const actor of actors) actor.stop();
  return Math.round(bytes);
}

/**
 * The XState part of a retained session: an idle session actor (the chart, resting in `created`), beside
 * XState's own floor: a one-state machine, and one whose only state arms a timer (as idle expiry does).
 */
function actorFootprints(count: number) {
  const oneState = setup({}).createMachine({ initial: 'idle', states: { idle: {} } });
  const oneTimer = setup({ delays: { idle: 3_600_000 } }).createMachine({
    initial: 'idle',
    states: { idle: { after: { idle: 'expired' } }, expired: {} },
  });
  return {
    session_actor_bytes: actorBytes(count, sessionMachine, (i) => ({ session_id: `s${i}`, idle_timeout: 3600 })),
    xstate_one_state_actor_bytes: actorBytes(count, oneState),
    xstate_one_timer_actor_bytes: actorBytes(count, oneTimer),
  };
}

async function main() {
  // A service is measured warm: the same burst once first, so the timed one does not also pay for the JIT compiling.
  await concurrent(1000, 200, 100);
  const run = await concurrent(1000, 200, 100);
  const heap = await sequentialHeap(QUICK ? 2000 : 10_000);
  emit('concurrency', { machine: machine(), concurrent: run, ...actorFootprints(1000), sequential_heap: heap });
}

await main();
