/**
 * `gl-rl validate "SQL" | --file F | stdin`: the validator's five layers on
 * SQL the system did not write, EXPLAIN included (through the read-only
 * gate). Exit 0 valid, 1 invalid.
 */
import type { Command } from 'commander';
import type { ValidationResult } from '../../agents/validator/contract.js';
import { withDomain } from '../domain.js';
import { EXIT, UsageError, action, readInput, writeJson, writeOut, type DomainRequest } from '../shared.js';

interface ValidateOptions extends DomainRequest {
  json?: boolean;
  strict?: boolean;
  file?: string;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('validate SQL against the schema, the business rules and the planner')
    .argument('[sql]', 'the SQL, in quotes (or use --file, or pipe it on stdin)')
    .option('-f, --file <file>', 'read the SQL from a file ("-" for stdin)')
    .option('--json', 'print the validation result as one JSON document')
    .option('--strict', 'warnings make the SQL invalid')
    .option('--schema <file>', 'DDL file of the domain (default: the bundled GL schema)')
    .addHelpText('after', '\nExit codes: 0 valid, 1 invalid (or the input could not be read), 2 usage error.')
    .action(action(async (sql: string | undefined, options: ValidateOptions) => validate(sql, options)));
}

async function validate(argument: string | undefined, options: ValidateOptions): Promise<number> {
  if (argument !== undefined && options.file !== undefined) throw new UsageError('give the SQL as an argument or with --file, not both');
  const sql = argument ?? (await readInput(options.file));
  if (sql.trim() === '') throw new UsageError('the SQL is empty');
  const result = await withDomain(options, async (domain) => {
    const { validateSql, explainVia } = await import('../../agents/validator/index.js');
    return validateSql(sql, { catalog: domain.catalog, explain: explainVia(domain.databases[0]!) }, { strict: options.strict === true });
  });
  if (options.json) writeJson(result);
  else writeOut(await renderValidation(result));
  return result.is_valid ? EXIT.ok : EXIT.failed;
}

async function renderValidation(result: ValidationResult): Promise<string> {
  const { formatSql, validationSummary } = await import('../format.js');
  const issues = result.issues.map((i) => ({ ...i, ...(i.suggestion ? { message: `${i.message} (${i.suggestion})` } : {}) }));
  const summary = validationSummary({ is_valid: result.is_valid, details: { ...result.details, issues, suggestions: result.suggestions } });
  const plan = result.metadata.plan ? [`Plan        cost ${result.metadata.plan.total_cost}, ~${result.metadata.plan.estimated_rows} rows`] : [];
  const sql = (await formatSql(result.validated_sql)).split('\n').map((line) => `  ${line}`);
  return ['SQL', ...sql, '', `Validation  ${summary.join('\n')}`, ...plan].join('\n');
}
