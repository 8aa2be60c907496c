/**
 * `gl-rl train --dataset FILE`: the dataset through the orchestrator in train
 * mode, `--candidates` SQL per question scored as a GRPO group; one record per
 * question for a Python trainer (docs/training.md), then the mean reward,
 * per-component means and accuracy. Exit 0 when the run finished.
 */
import type { Command } from 'commander';
import { EXIT, UsageError, action, domainConfig, globalOptions, integer, logLevel, writeOut, type DomainRequest, type GlobalOptions } from '../shared.js';

interface TrainOptions extends GlobalOptions, DomainRequest {
  dataset: string;
  candidates: number;
  out?: string;
  memory?: string;
  json?: boolean;
  concurrency?: number;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('score generated SQL against a JSONL dataset for GRPO/SFT training and write trainer-ready records')
    .requiredOption('--dataset <file>', 'JSONL: one {query, sql} per line ({query, expect} lines are skipped)')
    .option('--candidates <n>', 'SQL candidates per question, scored as one GRPO group (the num_candidates setting)', integer('--candidates', 1), 4)
    .option('--out <file>', 'write one training record per question (JSONL; - for stdout)')
    .option('--memory <file>', 'add good pairs (reward ≥ 0.9, accuracy ≥ 0.8) to this example memory')
    .option('--json', 'print the summary as one JSON document on the last line of stdout')
    .option('--concurrency <n>', 'questions in flight at once (default: max_concurrent_agents)', integer('--concurrency', 1))
    .option('--schema <file>', 'DDL file of the domain (default: the bundled GL schema)')
    .addHelpText('after', '\nRecord layout: docs/training.md. Exit codes: 0 the run finished, 1 it could not be done, 2 usage error.')
    .action(action(async (options: TrainOptions, command: Command) => train({ ...globalOptions(command), ...options })));
}

async function train(options: TrainOptions): Promise<number> {
  const [{ readDataset }, { runTraining, COMPONENTS }, { openRunOrchestrator, openMemory, scoringDatabases }, { openJsonlWriter }, { createProgress }] = await Promise.all([
    import('../../eval/dataset.js'),
    import('../../eval/train.js'),
    import('../../eval/orchestrator.js'),
    import('../../eval/jsonl-writer.js'),
    import('../progress.js'),
  ]);
  if (options.out === '-' && options.json) throw new UsageError('--out - and --json would both print on stdout: give --out a file');
  const dataset = await readDataset(options.dataset);
  for (const p of dataset.problems) warn(`${options.dataset} line ${p.line}: ${p.message}`);
  const questions = dataset.items.filter((i) => i.expect === 'sql').length;
  if (questions === 0) throw new Error(`${options.dataset} has no {query, sql} line to train on`);
  const memory = options.memory ? await openMemory(options.memory, warn) : undefined;
  const level = logLevel(options);
  const config = { num_candidates: options.candidates, ...(level ? { log_level: level } : {}), ...domainConfig(options) };
  const orchestrator = await openRunOrchestrator({ config, memory });
  const databases = scoringDatabases(config);
  const out = options.out ? openJsonlWriter(options.out) : undefined;
  const progress = createProgress({ total: questions, label: 'train', force: options.progress });
  try {
    const { summary } = await runTraining({
      orchestrator,
      dataset,
      memory,
      concurrency: options.concurrency ?? orchestrator.status().bulkhead.limit,
      onRecord: (record) => out?.write(record),
      onProgress: () => progress.tick(),
    });
    progress.done();
    await out?.close();
    for (const f of summary.failures) warn(`${options.dataset} line ${f.line}: ${f.error_code}: ${f.error}`);
    const report = { dataset: options.dataset, ...(options.out ? { out: options.out } : {}), ...summary, databases };
    if (options.json) {
      writeOut(JSON.stringify(report));
      return EXIT.ok;
    }
    const fixed = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
    const percent = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
    const lines = [
      `${options.dataset}: ${summary.records} record${summary.records === 1 ? '' : 's'}${options.out ? ` written to ${options.out}` : ''}` +
        ` (${summary.failed} failed, ${summary.skipped} skipped; ${summary.candidates_per_question} candidates per question)`,
      `  accuracy compared on ${databases.join(', ')}`,
      `  mean reward         ${fixed(summary.mean_reward)}   (best of group ${fixed(summary.mean_best_reward)})`,
      ...COMPONENTS.filter((c) => summary.components[c] !== undefined).map((c) => `    ${c.padEnd(18)}${fixed(summary.components[c])}`),
      `  accuracy            ${percent(summary.accuracy)}   (best of group ${percent(summary.best_of_n_accuracy)})`,
    ];
    if (summary.memory) {
      const m = summary.memory;
      lines.push(`  memory ${m.path}: ${m.added} added, ${m.replaced} replaced, ${m.unchanged} unchanged`);
    }
    // With the records on stdout, the summary must not mix with them.
    if (options.out === '-') process.stderr.write(`${lines.join('\n')}\n`);
    else writeOut(lines.join('\n'));
    return EXIT.ok;
  } finally {
    progress.done();
    await out?.close().catch(() => undefined);
    await orchestrator.shutdown();
  }
}

function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}
