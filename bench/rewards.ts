/**
 * The reward service (scoreCompletions) on its hot path, and the separation
 * of its presets.
 *
 * Workload: 64 dev questions × 8 completions, written as a model answers
 * (<think> reasoning, the SQL in a fence): the gold, the embedded generator's
 * candidates and broken variants of the gold (src/eval/mutations.ts), cycled
 * to 8 per question. Figures:
 * - throughput: the 512 completions in one call (as the Python client sends
 *   a training step), cold (a fresh scorer: the expected SQL not yet cached)
 *   and warm (expected SQL cached; every completion still validated and run,
 *   identical SQL within the call scored once);
 * - p99 latency of one 8-completion group, each group its own call, warm;
 * - isolation: a batch with runaway completions (generate_series to a
 *   billion, a cross join of every table, unbounded recursion) against the
 *   same batch without them;
 * - separation of each preset on the dev and complex-dev questions (the
 *   gl-rl reward-report figures).
 *
 *   node --import tsx bench/rewards.ts [--quick]
 */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createDomain } from '../src/agents/defaults.js';
import { createScorer } from '../src/agents/scorer.js';
import { readDataset } from '../src/eval/dataset.js';
import { labelQuestions, measureSeparation, type LabelledQuestion } from '../src/eval/reward-separation.js';
import { createOrchestrator } from '../src/index.js';
import { emit, latency, machine, QUICK, round } from './lib.js';

const PROMPTS = 64;
const GROUP = 8;
const rounds = QUICK ? 1 : 3;

const dev = fileURLToPath(new URL('../test/fixtures/gl-dev.jsonl', import.meta.url));
const complexDev = '/work/shared/data/gl/complex-dev.jsonl';

const domain = await createDomain({ seeds: [1, 2, 3] });
const orchestrator = createOrchestrator({ logger: pino({ level: 'silent' }), config: { num_candidates: 4 } });
await orchestrator.initialize();

const devItems = (await readDataset(dev)).items;
const labelled = await labelQuestions(devItems, orchestrator, domain);
const workload = labelled.slice(0, PROMPTS).map((q) => ({
  query: q.query,
  expected_sql: q.expected_sql,
  completions: Array.from({ length: GROUP }, (_, i) => q.completions[i % q.completions.length]!.text),
}));
const uniqueSql = new Set(workload.flatMap((w) => w.completions.map((c) => `${w.expected_sql}\u0000${c.replace(/<think>[\s\S]*<\/think>/, '')}`))).size;
const total = PROMPTS * GROUP;

/**
 * The process's CPU time (every thread: the database workers are threads of
 * it) per completion, and what it allows on two cores: on a shared, loaded
 * host the wall clock measures the neighbours as much as the code.
 */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

async function throughput(fresh: boolean) {
  const runs: number[] = [];
  const cpuPerCompletion: number[] = [];
  let scorer = createScorer({ domains: { gl: domain } });
  await scorer.warm();
  if (!fresh) await scorer.score(workload);
  for (let r = 0; r < rounds; r++) {
    if (fresh && r > 0) {
      await scorer.close();
      scorer = createScorer({ domains: { gl: domain } });
      await scorer.warm();
    }
    const t = performance.now();
    const c = process.cpuUsage();
    await scorer.score(workload);
    runs.push(total / ((performance.now() - t) / 1000));
    cpuPerCompletion.push(cpuMs(c) / total);
  }
  await scorer.close();
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    per_s_median: round(mid(runs), 1),
    runs: runs.map((x) => round(x, 1)),
    cpu_ms_per_completion: round(mid(cpuPerCompletion), 3),
    two_core_capacity_per_s: round(2000 / mid(cpuPerCompletion), 0),
  };
}

const cold = await throughput(true);
const warm = await throughput(false);

const scorer = createScorer({ domains: { gl: domain } });
await scorer.warm();
await scorer.score(workload);
const groupMs: number[] = [];
const groupCpuMs: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const item of workload) {
    const t = performance.now();
    const c = process.cpuUsage();
    await scorer.score([item]);
    groupMs.push(performance.now() - t);
    groupCpuMs.push(cpuMs(c));
  }
}

const tables = ['PAC_MNT_PROJECTS', 'PAC_MNT_RESOURCES', 'SRM_COMPANIES', 'SRM_CONTACTS', 'PROJCNTRTS'];
const runaways = [
  'SELECT count(*) FROM generate_series(1, 1000000000) AS g(x)',
  `SELECT count(*) FROM ${tables.map((t, i) => `${t} t${i}`).join(', ')}`,
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r',
];
const batch = workload.slice(0, 8);
let t = performance.now();
const clean = await scorer.score(batch);
const cleanMs = performance.now() - t;
const poisoned = batch.map((item, i) => (i < runaways.length ? { ...item, completions: [...item.completions.slice(0, GROUP - 1), `\`\`\`sql\n${runaways[i]}\n\`\`\``] } : item));
const isolation = createScorer({ domains: { gl: domain } });
await isolation.warm();
await isolation.score(batch);
t = performance.now();
const hit = await isolation.score(poisoned);
const poisonedMs = performance.now() - t;
const unchanged = hit.items.every((item, i) => item.results.slice(0, GROUP - 1).every((r, k) => r.total_reward === clean.items[i]!.results[k]!.total_reward));
const stopped = hit.items.slice(0, runaways.length).map((item) => item.results[GROUP - 1]!);
await isolation.close();

const questions: LabelledQuestion[] = [...labelled, ...(await labelQuestions((await readDataset(complexDev)).items, orchestrator, domain))];
const separation = await measureSeparation(questions, scorer);
await scorer.close();
await orchestrator.shutdown();
await domain.close();

emit('rewards', {
  machine: machine(),
  workload: { prompts: PROMPTS, group: GROUP, completions: total, unique_sql: uniqueSql },
  throughput_cold: cold,
  throughput_warm: warm,
  group_ms: latency(groupMs),
  group_cpu_ms: latency(groupCpuMs),
  isolation: {
    clean_batch_ms: round(cleanMs, 1),
    with_runaways_ms: round(poisonedMs, 1),
    time_budget_ms: 1000,
    runaways: stopped.map((r) => ({ error_code: r.error_code, total_reward: r.total_reward })),
    other_scores_unchanged: unchanged,
  },
  separation,
});
