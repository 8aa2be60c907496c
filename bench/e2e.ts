/**
 * The shipped agents on the dev questions, one at a time (one core):
 *   - each agent alone, fed what the agent before it produced: schema
 *     analysis, generation, validation (EXPLAIN on the sample database
 *     included), reward (gold SQL executed on the three sample databases);
 *   - end to end through `createOrchestrator()` of the public API, generate
 *     mode and train mode, cache-cold (`cache_ttl: 0`: no analysis,
 *     generation or gold-result cache) and warm (default `cache_ttl`, each
 *     question asked once before timing).
 * Milliseconds; throughput is workflows per second of sequential runs.
 *
 *   node --import tsx bench/e2e.ts [--quick]
 */
import pino from 'pino';
import { createDomain, createOrchestrator, isErrorResponse, type Orchestrator } from '../src/index.js';
import type { AgentCallContext, Mode, Role } from '../src/agents/types.js';
import { devQuestions, emit, latency, load1, machine, QUICK, round } from './lib.js';

// --quick: every fourth question, one timed pass.
const questions = devQuestions().filter((_, i) => !QUICK || i % 4 === 0);
const passes = QUICK ? 1 : 2;

async function agentsAlone() {
  const domain = await createDomain({ cache_ttl: 0 });
  const ctx: AgentCallContext = { signal: new AbortController().signal, session: { session_id: 'bench', turn: 1 }, services: domain };
  const times: Record<Role | 'entities', number[]> = { schema_analyzer: [], entities: [], query_generator: [], validator: [], reward_evaluator: [] };
  const timed = async <T>(role: keyof typeof times, work: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const out = await work();
    times[role].push(performance.now() - t);
    return out;
  };
  try {
    for (let pass = 0; pass <= passes; pass++) {
      for (const item of questions) {
        const base = { query: item.query, context: { historical_queries: [] }, mode: 'train' as Mode };
        const analysis = await timed('schema_analyzer', () => domain.agents.schema_analyzer({ ...base, depth: 2 }, ctx));
        await timed('entities', () => domain.extractEntities(item.query));
        const generation = (await timed('query_generator', () => domain.agents.query_generator({ ...base, schema_analysis: analysis, attempt: 0, num_candidates: 1 }, ctx))) as {
          sql?: string;
          reasoning?: string;
        };
        if (!generation.sql) continue;
        const validation = await timed('validator', () => domain.agents.validator({ ...base, sql: generation.sql, schema_analysis: analysis, strict_mode: false }, ctx));
        if (!item.sql) continue;
        await timed('reward_evaluator', () =>
          domain.agents.reward_evaluator({ ...base, sql: generation.sql, reasoning: generation.reasoning ?? '', validation, expected_sql: item.sql }, ctx),
        );
      }
      // The first pass warms the JIT; it is left out of the figures.
      if (pass === 0) for (const list of Object.values(times)) list.length = 0;
    }
  } finally {
    await domain.close();
  }
  return Object.fromEntries(Object.entries(times).map(([role, samples]) => [role, latency(samples)]));
}

async function endToEnd(orchestrator: Orchestrator, mode: Mode, warm: boolean) {
  const items = mode === 'train' ? questions.filter((q) => q.sql) : questions;
  const ask = (item: (typeof items)[number]) =>
    orchestrator.process({ query: item.query, mode, ...(mode === 'train' ? { context: { expected_sql: item.sql } } : {}) });
  // Warm-up pass: JIT, and with caching on, the caches filled.
  for (const item of items) await ask(item);
  const samples: number[] = [];
  const outcomes = { completed: 0, failed: 0 };
  const started = performance.now();
  for (let pass = 0; pass < passes; pass++) {
    for (const item of items) {
      const t = performance.now();
      const out = await ask(item);
      samples.push(performance.now() - t);
      outcomes[isErrorResponse(out) ? 'failed' : 'completed']++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { mode, cache: warm ? 'warm' : 'cold', ms: latency(samples), throughput_per_s: round(samples.length / seconds, 1), outcomes, load: load1() };
}

async function main() {
  const agents = await agentsAlone();
  const runs = [];
  // --quick measures the cache-cold figures only (the targets are about them): one orchestrator boot fewer.
  for (const warm of QUICK ? [false] : [false, true]) {
    const orchestrator = createOrchestrator({ config: warm ? {} : { cache_ttl: 0 }, env: {}, logger: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true })) });
    await orchestrator.initialize();
    for (const mode of ['generate', 'train'] as const) runs.push(await endToEnd(orchestrator, mode, warm));
    const { cache, error_codes } = orchestrator.metrics();
    runs.push({ mode: 'cache_stats', cache: warm ? 'warm' : 'cold', ...cache, error_codes });
    await orchestrator.shutdown();
  }
  emit('e2e', { machine: machine(), passes, questions: questions.length, agents_ms: agents, end_to_end: runs });
}

await main();
