/**
 * `gl-rl reward-report --dataset FILE [--dataset FILE …]`: how well each
 * reward preset separates right from wrong completions (gold SQL, the
 * generator's candidates and broken variants of the gold, labelled by
 * execution match): AUROC, highest wrong against lowest correct reward, and
 * the pairwise ordering within a question. `--out` writes the labelled
 * completions, one question a line, ready for `gl-rl score`.
 */
import type { Command } from 'commander';
import { EXIT, action, globalOptions, prestartDatabase, writeOut, type GlobalOptions } from '../shared.js';

interface ReportOptions extends GlobalOptions {
  dataset: string[];
  out?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  program
    .command('reward-report')
    .description('measure how each reward preset separates correct from wrong completions (AUROC, pairwise ordering)')
    .requiredOption('--dataset <file>', 'JSONL with {query, sql} lines (repeatable)', collect, [])
    .option('--out <file>', 'write the labelled completions (JSONL: {query, expected_sql, completions, labels, sources})')
    .option('--json', 'print the report as one JSON document')
    .addHelpText('after', '\nExit codes: 0 the report was made, 1 it could not be done, 2 usage error.')
    .action(action(async (options: ReportOptions, command: Command) => report({ ...globalOptions(command), ...options })));
}

async function report(options: ReportOptions): Promise<number> {
  await prestartDatabase({});
  const [{ readDataset }, { labelQuestions, measureSeparation }, { createDomain }, { createScorer }, { createOrchestrator }, { openJsonlWriter }, { default: pino }] =
    await Promise.all([
      import('../../eval/dataset.js'),
      import('../../eval/reward-separation.js'),
      import('../../agents/defaults.js'),
      import('../../agents/scorer.js'),
      import('../../index.js'),
      import('../../eval/jsonl-writer.js'),
      import('pino'),
    ]);
  const items = (await Promise.all(options.dataset.map((d) => readDataset(d)))).flatMap((d) => d.items);
  const domain = await createDomain({ seeds: [1, 2, 3] });
  const scorer = createScorer({ domains: { gl: domain } });
  const orchestrator = createOrchestrator({ logger: pino({ level: 'silent' }), config: { num_candidates: 4 } });
  try {
    await orchestrator.initialize();
    const questions = await labelQuestions(items, orchestrator, domain);
    if (options.out) {
      const out = openJsonlWriter(options.out);
      for (const q of questions) {
        out.write({
          query: q.query,
          expected_sql: q.expected_sql,
          completions: q.completions.map((c) => c.text),
          labels: q.completions.map((c) => c.correct),
          sources: q.completions.map((c) => c.source),
        });
      }
      await out.close();
    }
    const result = await measureSeparation(questions, scorer);
    if (options.json) {
      writeOut(JSON.stringify({ datasets: options.dataset, ...result }));
      return EXIT.ok;
    }
    const lines = [
      `${result.questions} questions, ${result.completions} completions: ${result.correct} correct, ${result.wrong} wrong (by execution match)`,
      `sources: ${Object.entries(result.sources).map(([s, n]) => `${s} ${n.total} (${n.wrong} wrong)`).join(', ')}`,
      '',
      'preset     AUROC   pairwise  max wrong  min correct  mean correct  mean wrong',
      ...Object.entries(result.presets).map(([p, s]) =>
        `${p.padEnd(10)} ${String(s.auroc ?? '-').padEnd(7)} ${String(s.pairwise ?? '-').padEnd(9)} ${String(s.max_wrong ?? '-').padEnd(10)} ${String(s.min_correct ?? '-').padEnd(12)} ${String(s.mean_correct ?? '-').padEnd(13)} ${s.mean_wrong ?? '-'}`),
    ];
    writeOut(lines.join('\n'));
    return EXIT.ok;
  } finally {
    await orchestrator.shutdown();
    await scorer.close();
    await domain.close();
  }
}
