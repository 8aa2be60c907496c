/**
 * `gl-rl ask "question"`: one turn of the workflow. Human output shows the
 * SQL laid out by clause, the reasoning steps, the confidence and the
 * validation summary; `--execute` runs the SQL read-only on the sample
 * database (seed 1) and shows the first rows, when the validator passed it.
 */
import { Option, type Command } from 'commander';
import { isErrorResponse, type ProcessOutcome, type ProcessResult } from '../../orchestrator/result.js';
import { EXIT, INSPECT_HELP, action, globalOptions, integer, openOrchestrator, writeJson, writeOut, type OrchestratorRequest } from '../shared.js';

interface AskOptions extends OrchestratorRequest {
  json?: boolean;
  execute?: boolean;
  session?: string;
  mode: 'generate' | 'train';
  expectedSql?: string;
  rows: number;
}

export function register(program: Command): void {
  program
    .command('ask')
    .description('turn a business question into validated SQL')
    .argument('<question>', 'the question, in quotes')
    .option('--json', 'print the result (or error response) as one JSON document')
    .option('--execute', 'run the SQL read-only on the sample database (seed 1) and print the first rows')
    .option('--rows <n>', 'rows to print with --execute', integer('--rows', 1), 20)
    .option('--session <id>', 'session id (a conversation; earlier turns inform this one)')
    .option('--schema <file>', 'DDL file of the domain (default: the bundled GL schema)')
    .addOption(new Option('--mode <mode>', 'generate SQL, or also score it for training').choices(['generate', 'train']).default('generate'))
    .option('--expected-sql <sql>', 'gold SQL for train mode (accuracy reward)')
    .option('--inspect [target]', INSPECT_HELP)
    .addHelpText('after', '\nExit codes: 0 answered, 1 the workflow failed (the error response is printed), 2 usage error.')
    .action(action(async (question: string, options: AskOptions, command: Command) => ask(question, { ...globalOptions(command), ...options })));
}

async function ask(question: string, options: AskOptions): Promise<number> {
  const { orchestrator, close } = await openOrchestrator(options);
  let outcome: ProcessOutcome;
  try {
    outcome = await orchestrator.process({
      query: question,
      mode: options.mode,
      ...(options.session ? { session_id: options.session } : {}),
      ...(options.expectedSql ? { context: { expected_sql: options.expectedSql } } : {}),
    });
  } finally {
    await close();
  }
  if (isErrorResponse(outcome)) {
    if (options.json) writeJson(outcome);
    else process.stderr.write(`${(await import('../render.js')).renderError(outcome)}\n`);
    return EXIT.failed;
  }
  // SQL its own validator refused is never run, not even read-only.
  const rows = !options.execute ? undefined : outcome.validation.is_valid ? await execute(outcome.sql, options) : NOT_RUN;
  if (options.json) writeJson(rows ? { ...outcome, execution: rows } : outcome);
  else writeOut(await (await import('../render.js')).renderResult(outcome, rows));
  return EXIT.ok;
}

export type Execution = { columns: string[]; rows: unknown[][]; truncated: boolean } | { error: string; error_code: string } | { skipped: string };

const NOT_RUN: Execution = { skipped: 'the validator marked the SQL invalid, so it was not run' };

/** The SQL on a fresh seed-1 sample database, through its read-only path; a failure is reported, not thrown. */
async function execute(sql: ProcessResult['sql'], options: AskOptions): Promise<Execution> {
  const [{ openSampleDatabase }, { loadCatalogFile }, { DEFAULT_SCHEMA_FILE }] = await Promise.all([
    import('../../db/database.js'),
    import('../../schema/catalog.js'),
    import('../../paths.js'),
  ]);
  let db;
  try {
    db = await openSampleDatabase({ catalog: loadCatalogFile(options.schema ?? DEFAULT_SCHEMA_FILE), seed: 1 });
    return await db.query(sql, { rowLimit: options.rows });
  } catch (error) {
    const e = error as { message?: string; code?: string };
    return { error: e.message ?? String(error), error_code: e.code ?? 'EXECUTION_FAILED' };
  } finally {
    await db?.close();
  }
}
