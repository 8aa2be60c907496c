/**
 * `gl-rl batch --input FILE --output FILE`: every JSONL request through the
 * orchestrator, several at once, one output line per request in input order
 * (`{line, query, ...result or error response}`). A malformed line gets an
 * INVALID_INPUT line and the batch goes on. Exit 0 when the run finished.
 */
import type { Command } from 'commander';
import { EXIT, action, globalOptions, integer, openOrchestrator, readInput, writeOut, type OrchestratorRequest } from '../shared.js';

interface BatchOptions extends OrchestratorRequest {
  input: string;
  output: string;
  concurrency?: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('batch')
    .description('answer a JSONL file of requests, one result line per request in input order')
    .requiredOption('--input <file>', 'JSONL: one {query, session_id?, mode?, context?} per line (- for stdin)')
    .requiredOption('--output <file>', 'JSONL results (- for stdout)')
    .option('--concurrency <n>', 'requests in flight at once (default: max_concurrent_agents)', integer('--concurrency', 1))
    .option('--json', 'print the summary as one JSON document (on stderr when --output is -)')
    .option('--schema <file>', 'DDL file of the domain (default: the bundled GL schema)')
    .addHelpText('after', '\nExit codes: 0 the run finished (each line holds its own outcome), 1 it could not be done, 2 usage error.')
    .action(action(async (options: BatchOptions, command: Command) => batch({ ...globalOptions(command), ...options })));
}

async function batch(options: BatchOptions): Promise<number> {
  const [{ runBatch }, { openJsonlWriter }, { createProgress }] = await Promise.all([
    import('../../eval/batch.js'),
    import('../../eval/jsonl-writer.js'),
    import('../progress.js'),
  ]);
  const input = await readInput(options.input);
  // The same orchestrator as `ask` (an LLM with the user's example memory when configured): a batch is many asks.
  const { orchestrator, close } = await openOrchestrator(options);
  const out = openJsonlWriter(options.output);
  // The total is known once the runner has read the lines.
  let progress: ReturnType<typeof createProgress> | undefined;
  try {
    await orchestrator.initialize();
    const { summary } = await runBatch({
      orchestrator,
      input,
      concurrency: options.concurrency ?? orchestrator.status().bulkhead.limit,
      onLine: (line) => out.write(line),
      onProgress: (_, total) => {
        progress ??= createProgress({ total, label: 'batch', force: options.progress });
        progress.tick();
      },
    });
    progress?.done();
    await out.close();
    const report = { input: options.input, output: options.output, ...summary };
    const text = options.json
      ? JSON.stringify(report)
      : `${summary.total} request${summary.total === 1 ? '' : 's'}: ${summary.completed} completed, ${summary.failed} error response${summary.failed === 1 ? '' : 's'}` +
        `${Object.keys(summary.error_codes).length ? ` (${Object.entries(summary.error_codes).map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}` +
        `${options.output === '-' ? '' : `; results in ${options.output}`}`;
    // With results on stdout, the summary must not mix with them.
    if (options.output === '-') process.stderr.write(`${text}\n`);
    else writeOut(text);
    return EXIT.ok;
  } finally {
    progress?.done();
    await out.close().catch(() => undefined);
    await close();
  }
}
