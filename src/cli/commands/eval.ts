/**
 * `gl-rl eval --dataset FILE`: the evaluation harness (src/eval/harness.ts)
 * over a JSONL question set, scored by test-suite execution match on the
 * seeded databases. Exit 0 when the run finished, 1 when it could not be
 * done or execution accuracy is below `--min-accuracy`, 2 usage error.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { EXIT, action, globalOptions, integer, logLevel, writeOut, type GlobalOptions } from '../shared.js';

interface EvalOptions extends GlobalOptions {
  dataset: string;
  seeds: number[];
  json?: boolean;
  out?: string;
  minAccuracy?: number;
  memory?: string;
  concurrency?: number;
  schema?: string;
  testData?: string[];
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('measure the system on a JSONL question set by test-suite execution match')
    .requiredOption('--dataset <file>', 'JSONL: {query, sql, alternatives?}, {query, expect: "refuse"} or {query, expect: "safe"} per line')
    .option('--seeds <list>', 'seeds of the test-suite databases, comma-separated', seedList, [1, 2, 3])
    .option('--json', 'print the summary as one JSON document on the last line of stdout')
    .option('--out <file>', 'write one prediction per item (JSONL)')
    .option('--min-accuracy <x>', 'exit 1 when execution accuracy is below x (0–1), for CI', unitFraction)
    .option('--memory <file>', 'example memory for the LLM generator (default: none, an empty memory)')
    .option('--concurrency <n>', 'questions in flight at once (default: max_concurrent_agents)', integer('--concurrency', 1))
    .option('--schema <file>', 'DDL file of the domain (default: the bundled GL schema)')
    .option('--test-data <files>', 'SQL files of rows over --schema, comma-separated: score on these test databases instead of seeded sample data', fileList)
    .addHelpText(
      'after',
      '\nEach question runs in generate mode in a fresh session. Bad dataset lines are reported on stderr with their line number and left out.' +
        '\nExit codes: 0 the run finished, 1 it could not be done or accuracy < --min-accuracy, 2 usage error.',
    )
    .action(action(async (options: EvalOptions, command: Command) => evaluate({ ...globalOptions(command), ...options })));
}

function seedList(value: string): number[] {
  const seeds = value.split(',').map((s) => s.trim());
  if (seeds.length === 0 || seeds.some((s) => !/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s)))) {
    throw new InvalidArgumentError('expected integers separated by commas, e.g. 1,2,3.');
  }
  return [...new Set(seeds.map(Number))];
}

function fileList(value: string): string[] {
  const files = value.split(',').map((s) => s.trim());
  if (files.some((f) => f === '')) throw new InvalidArgumentError('expected file names separated by commas, e.g. data-1.sql,data-2.sql.');
  return files;
}

function unitFraction(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !(x >= 0 && x <= 1)) throw new InvalidArgumentError('expected a number between 0 and 1.');
  return x;
}

async function evaluate(options: EvalOptions): Promise<number> {
  const [{ readDataset }, { runEvaluation }, { openRunOrchestrator, openMemory, openTestDatabases }, { openJsonlWriter }, { closeAll }, { createProgress }] =
    await Promise.all([
      import('../../eval/dataset.js'),
      import('../../eval/harness.js'),
      import('../../eval/orchestrator.js'),
      import('../../eval/jsonl-writer.js'),
      import('../../db/database.js'),
      import('../progress.js'),
    ]);
  const dataset = await readDataset(options.dataset);
  for (const p of dataset.problems) warn(`${options.dataset} line ${p.line}: ${p.message}`);
  if (dataset.items.length === 0) throw new Error(`${options.dataset} has no usable item`);
  const memory = options.memory ? await openMemory(options.memory, warn) : undefined;
  const level = logLevel(options);
  const schema_file = options.schema ?? null;
  const [orchestrator, databases] = await Promise.all([
    openRunOrchestrator({ config: { ...(level ? { log_level: level } : {}), ...(schema_file ? { schema_file } : {}) }, memory }),
    openTestDatabases({ schema_file, seeds: options.seeds, ...(options.testData ? { test_data: options.testData } : {}) }),
  ]);
  const progress = createProgress({ total: dataset.items.length, label: 'eval', force: options.progress });
  try {
    const report = await runEvaluation({
      orchestrator,
      dataset,
      databases,
      concurrency: options.concurrency ?? orchestrator.status().bulkhead.limit,
      onProgress: () => progress.tick(),
    });
    progress.done();
    if (options.out) {
      const out = openJsonlWriter(options.out);
      for (const item of report.items) out.write(item.record);
      await out.close();
    }
    const summary = { dataset: options.dataset, ...report.summary };
    if (options.json) writeOut(JSON.stringify(summary));
    else writeOut(renderSummary(summary));
    if (options.minAccuracy !== undefined && (summary.execution_accuracy ?? 0) < options.minAccuracy) {
      process.stderr.write(`execution accuracy ${percent(summary.execution_accuracy)} is below --min-accuracy ${percent(options.minAccuracy)}\n`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } finally {
    progress.done();
    await Promise.all([orchestrator.shutdown(), closeAll(databases)]);
  }
}

function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

type Summary = import('../../eval/harness.js').EvaluationSummary & { dataset: string };

function percent(x: number | null | undefined): string {
  return x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`;
}

function renderSummary(s: Summary): string {
  const row = (label: string, value: string, note = '') => `  ${label.padEnd(20)}${value.padStart(8)}${note ? `  ${note}` : ''}`;
  const { gold, refuse, safe, answered } = s.counts;
  const lines = [
    `${s.dataset}: ${s.total} item${s.total === 1 ? '' : 's'} on ${s.databases.join(', ')}`,
    row('execution accuracy', percent(s.execution_accuracy), `${gold} with gold SQL (relaxed test-suite match)`),
    row('strict accuracy', percent(s.strict_accuracy), 'same columns too'),
    row('valid rate', percent(s.valid_rate), `${answered} answered`),
    row('refusal accuracy', percent(s.refusal_accuracy), `${refuse} write request${refuse === 1 ? '' : 's'}`),
    row('safety accuracy', percent(s.safety_accuracy), `${safe} hostile input${safe === 1 ? '' : 's'}`),
    row('confidence AUROC', s.confidence_auroc === null ? 'n/a' : s.confidence_auroc.toFixed(3), 'correct vs wrong answers, gold items'),
    row('calibration error', s.calibration_error === null ? 'n/a' : s.calibration_error.toFixed(3), 'expected calibration error, 10 bins'),
    row('latency p50 / p95', `${Math.round(s.latency_ms.p50)} ms`, `/ ${Math.round(s.latency_ms.p95)} ms`),
  ];
  const codes = Object.entries(s.counts.error_codes);
  if (codes.length > 0) lines.push(row('error responses', '', codes.map(([code, n]) => `${code} ${n}`).join(', ')));
  if (s.failures.length > 0) {
    lines.push('', `failures (${s.failures.length}):`);
    for (const f of s.failures) {
      lines.push(`  line ${f.line} [${f.expect}] ${f.question}`);
      if (f.predicted !== null) lines.push(`    predicted: ${f.predicted}`);
      if (f.gold !== null) lines.push(`    gold:      ${f.gold}`);
      lines.push(`    why:       ${f.reason}`);
    }
  }
  return lines.join('\n');
}
