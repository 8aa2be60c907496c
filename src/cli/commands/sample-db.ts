/** `gl-rl sample-db`: the seeded sample data as SQL (INSERTs in foreign-key order), optionally after the DDL. */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { action, integer, writeOut } from '../shared.js';

interface SampleDbOptions {
  seed: number;
  schema?: string;
  ddl?: boolean;
  today?: Date;
}

export function register(program: Command): void {
  program
    .command('sample-db')
    .description('print the seeded sample data of the schema as SQL')
    .option('--seed <n>', 'data seed (the orchestrator uses 1, 2, 3)', integer('--seed', 0), 1)
    .option('--schema <file>', 'DDL file of the domain (default: the bundled GL schema)')
    .option('--ddl', 'print the schema DDL first, so the output loads into an empty database')
    .option('--today <date>', 'reference day of the relative dates, YYYY-MM-DD (default: today)', day)
    .action(action(async (options: SampleDbOptions) => sampleDb(options)));
}

function day(value: string): Date {
  const date = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime())) throw new InvalidArgumentError('expected a date YYYY-MM-DD.');
  return date;
}

async function sampleDb(options: SampleDbOptions): Promise<number> {
  const [{ loadParser }, { loadCatalogFile }, { sampleDataSql }, { DEFAULT_SCHEMA_FILE }] = await Promise.all([
    import('../../sql/parser.js'),
    import('../../schema/catalog.js'),
    import('../../db/sample-data.js'),
    import('../../paths.js'),
  ]);
  await loadParser();
  const catalog = loadCatalogFile(options.schema ?? DEFAULT_SCHEMA_FILE);
  if (options.ddl) writeOut(catalog.ddl);
  writeOut(sampleDataSql(catalog, options.seed, options.today));
  return 0;
}
