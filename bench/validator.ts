/**
 * Validation latency per query over the dev set's gold SQL: parse, the five
 * layers, and EXPLAIN on the sample database. Reported cold (first pass) and
 * warm (median and p90 of later passes), with the catalog only (AST layers)
 * and with the planner; the bare parse and the bare EXPLAIN are shown for
 * scale. No cache hides the work: every call parses and plans afresh.
 *
 *   node --import tsx bench/validator.ts [--quick] [--rounds N]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { explainVia, validateSql, type ValidatorDeps } from '../src/agents/validator/index.js';
import { openSampleDatabase } from '../src/db/database.js';
import { loadCatalogFile } from '../src/schema/catalog.js';
import { DEFAULT_SCHEMA_FILE } from '../src/paths.js';
import { loadParser, parseSql } from '../src/sql/parser.js';
import { emit, machine, QUICK } from './lib.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || (QUICK ? 1 : 10);

const fixture = fileURLToPath(new URL('../test/fixtures/gl-dev.jsonl', import.meta.url));
const golds = readFileSync(fixture, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { sql?: string })
  .flatMap((item) => (item.sql ? [item.sql] : []));

interface Figures {
  cold_median_ms: number;
  median_ms: number;
  p90_ms: number;
  samples: number;
}

async function measure(run: (sql: string) => Promise<unknown> | unknown): Promise<Figures> {
  const cold: number[] = [];
  for (const sql of golds) cold.push(await time(run, sql));
  const warm: number[] = [];
  for (let r = 0; r < rounds; r++) for (const sql of golds) warm.push(await time(run, sql));
  return { cold_median_ms: quantile(cold, 0.5), median_ms: quantile(warm, 0.5), p90_ms: quantile(warm, 0.9), samples: warm.length };
}

async function time(run: (sql: string) => Promise<unknown> | unknown, sql: string): Promise<number> {
  const t = performance.now();
  await run(sql);
  return performance.now() - t;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000) / 1000;
}

await loadParser();
const catalog = loadCatalogFile(DEFAULT_SCHEMA_FILE);
const astOnly: ValidatorDeps = { catalog };
const db = await openSampleDatabase({ catalog });
const planned: ValidatorDeps = { catalog, explain: explainVia(db) };
try {
  emit('validator', {
    machine: machine(),
    queries: golds.length,
    rounds,
    parse_only: await measure((sql) => parseSql(sql)),
    validate_ast_only: await measure((sql) => validateSql(sql, astOnly)),
    explain_only: await measure((sql) => db.explain(sql)),
    validate_with_explain: await measure((sql) => validateSql(sql, planned)),
  });
} finally {
  await db.close();
}
