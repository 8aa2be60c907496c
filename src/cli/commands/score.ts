/**
 * `gl-rl score --input FILE --output FILE [--preset P]`: scores a JSONL file
 * of GRPO groups, one `{id?, query, completions, expected_sql, domain?}` a
 * line, with the reward service's scorer; one output line per input line, in
 * input order: `{line, ...item score}`, or `{line, error_code, error, field}`
 * for a line that is not a valid item. Exit 0 when the run finished.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { DEFAULT_PRESET, PRESETS } from '../../agents/reward-evaluator/presets.js';
import type { CompletionItem } from '../../agents/scorer.js';
import { EXIT, action, globalOptions, integer, prestartDatabase, readInput, writeOut, type GlobalOptions } from '../shared.js';

interface ScoreOptions extends GlobalOptions {
  input: string;
  output: string;
  preset?: string;
  weights?: Record<string, number>;
  schema?: string;
  timeBudget?: number;
  json?: boolean;
}

/** Lines scored per call of the scorer: enough to keep every test database busy, few enough to stream. */
const CHUNK = 64;

function weightsOption(value: string): Record<string, number> {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, number>;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError('--weights must be a JSON object, e.g. \'{"accuracy": 0.5}\'.');
}

export function register(program: Command): void {
  program
    .command('score')
    .description('score JSONL groups of model completions against their expected SQL (GRPO rewards and advantages)')
    .requiredOption('--input <file>', 'JSONL: one {id?, query, completions: [text], expected_sql, domain?} per line (- for stdin)')
    .requiredOption('--output <file>', 'JSONL scores, one line per input line (- for stdout)')
    .addOption(new Option('--preset <name>', `reward preset (default: ${DEFAULT_PRESET})`).choices(PRESETS))
    .option('--weights <json>', 'component weights over the defaults, e.g. \'{"accuracy":0.5}\' (dense, execution)', weightsOption)
    .option('--schema <file>', 'DDL file of the default domain (registered under its file name; "gl" stays the bundled one)')
    .option('--time-budget <ms>', 'milliseconds a completion may run on one test database (default 1000)', integer('--time-budget', 1))
    .option('--json', 'print the summary as one JSON document (on stderr when --output is -)')
    .addHelpText('after', '\nExit codes: 0 the run finished (each line holds its own outcome), 1 it could not be done, 2 usage error.')
    .action(action(async (options: ScoreOptions, command: Command) => score({ ...globalOptions(command), ...options })));
}

async function score(options: ScoreOptions): Promise<number> {
  const input = await readInput(options.input);
  await prestartDatabase(options.schema ? { schema_file: options.schema } : {});
  const [{ checkScoreRequest, createScorer, scorerDomains }, { openJsonlWriter }, { isAppError }] = await Promise.all([
    import('../../agents/scorer.js'),
    import('../../eval/jsonl-writer.js'),
    import('../../errors.js'),
  ]);
  const scorer = createScorer({ ...scorerDomains(options.schema), timeBudgetMs: options.timeBudget });
  const out = openJsonlWriter(options.output);
  const summary = { lines: 0, items: 0, completions: 0, failed_lines: 0, mean_reward: null as number | null, error_codes: {} as Record<string, number> };
  let rewardSum = 0;
  try {
    const lines = input.split('\n').map((text, i) => ({ line: i + 1, text })).filter((l) => l.text.trim() !== '');
    for (let start = 0; start < lines.length; start += CHUNK) {
      const chunk = lines.slice(start, start + CHUNK);
      const parsed = chunk.map(({ line, text }) => {
        try {
          return { line, item: JSON.parse(text) as CompletionItem };
        } catch (err) {
          return { line, failure: { error_code: 'INVALID_INPUT', error: `line ${line} is not JSON (${(err as Error).message})`, field: 'line' } };
        }
      });
      // One bad item would fail the whole call: items are checked one by one, and only the good ones scored together.
      const scored = new Map<number, Record<string, unknown>>();
      const good: Array<{ line: number; item: CompletionItem }> = [];
      for (const p of parsed) {
        if (!p.item) continue;
        const item = p.item;
        try {
          checkScoreRequest([item], {}, scorer.domainNames);
          good.push({ line: p.line, item });
        } catch (err) {
          if (!isAppError(err)) throw err;
          scored.set(p.line, { error_code: err.code, error: err.message.replace(/items\[0\]/g, 'item'), field: String(err.details.field ?? '').replace(/^items\[0\]\.?/, '') || 'line' });
        }
      }
      if (good.length > 0) {
        const report = await scorer.score(good.map((g) => g.item), { preset: options.preset as never, weights: options.weights });
        // Fields are the line's own: `expected_sql`, not `items[3].expected_sql`.
        report.items.forEach((item, i) => scored.set(good[i]!.line, { ...item, ...(item.field ? { field: item.field.replace(/^items\[\d+\]\./, '') } : {}) }));
      }
      for (const p of parsed) {
        const result: Record<string, unknown> = 'failure' in p && p.failure ? p.failure : scored.get(p.line)!;
        out.write({ line: p.line, ...result });
        summary.lines++;
        const code = result.error_code as string | undefined;
        if (code) summary.error_codes[code] = (summary.error_codes[code] ?? 0) + 1;
        const results = (result.results as Array<{ total_reward: number }> | undefined) ?? [];
        if (results.length > 0 || !code) summary.items++;
        else summary.failed_lines++;
        summary.completions += results.length;
        rewardSum += results.reduce((s, r) => s + r.total_reward, 0);
      }
    }
    await out.close();
    summary.mean_reward = summary.completions > 0 ? Math.round((rewardSum / summary.completions) * 1e4) / 1e4 : null;
    const report = { input: options.input, output: options.output, preset: options.preset ?? DEFAULT_PRESET, ...summary };
    const text = options.json
      ? JSON.stringify(report)
      : `${summary.lines} line${summary.lines === 1 ? '' : 's'}: ${summary.completions} completions scored (${report.preset}), mean reward ${summary.mean_reward ?? '-'}` +
        `${summary.failed_lines ? `; ${summary.failed_lines} line(s) not scored (${Object.entries(summary.error_codes).map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}`;
    if (options.output === '-') process.stderr.write(`${text}\n`);
    else writeOut(text);
    return EXIT.ok;
  } finally {
    await out.close().catch(() => undefined);
    await scorer.close();
  }
}
