/**
 * A benchmark of several databases, each a folder holding `schema.sql` (the
 * DDL), `dev.jsonl` (questions with gold SQL) and `data-*.sql` (its test
 * databases): the layout of Spider's databases converted to PostgreSQL. Each
 * folder is evaluated as `gl-rl eval --schema schema.sql --dataset dev.jsonl
 * --test-data data-1.sql,…` would, with a fresh orchestrator that knows only
 * that DDL; the report gives each database's figures and the pooled ones.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { closeAll } from '../db/database.js';
import { readDataset } from './dataset.js';
import { runEvaluation, type EvaluatedItem } from './harness.js';
import { openRunOrchestrator, openTestDatabases } from './orchestrator.js';
import { auroc, expectedCalibrationError, fraction } from './stats.js';

export interface SuiteRow {
  database: string;
  items: number;
  execution_accuracy: number | null;
  strict_accuracy: number | null;
  confidence_auroc: number | null;
  calibration_error: number | null;
  /** Answers whose SQL failed to run on a test database, over the gold items. */
  failed_to_run: number | null;
}

export interface SuiteReport {
  rows: SuiteRow[];
  /** All databases' items pooled. */
  overall: SuiteRow;
  items: Array<EvaluatedItem & { database: string }>;
}

/** The database folders under `root` (those with schema.sql, dev.jsonl and at least one data-*.sql), by name. */
export function suiteDatabases(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, d.name))
    .filter((dir) => existsSync(join(dir, 'schema.sql')) && existsSync(join(dir, 'dev.jsonl')) && testDataFiles(dir).length > 0)
    .sort();
}

function testDataFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^data-.*\.sql$/.test(f)).sort().map((f) => join(dir, f));
}

export interface SuiteOptions {
  /** Questions in flight per database (default the orchestrator's bulkhead limit). */
  concurrency?: number;
  onDatabase?: (row: SuiteRow) => void;
}

export async function runSuite(dirs: readonly string[], options: SuiteOptions = {}): Promise<SuiteReport> {
  const rows: SuiteRow[] = [];
  const all: SuiteReport['items'] = [];
  for (const dir of dirs) {
    const schema_file = join(dir, 'schema.sql');
    const dataset = await readDataset(join(dir, 'dev.jsonl'));
    const [orchestrator, databases] = await Promise.all([
      openRunOrchestrator({ config: { schema_file, log_level: 'silent' } }),
      openTestDatabases({ schema_file, seeds: [], test_data: testDataFiles(dir) }),
    ]);
    try {
      const report = await runEvaluation({ orchestrator, dataset, databases, concurrency: options.concurrency ?? orchestrator.status().bulkhead.limit });
      const items = report.items.map((i) => ({ ...i, database: basename(dir) }));
      const row = rowOf(basename(dir), items);
      rows.push(row);
      all.push(...items);
      options.onDatabase?.(row);
    } finally {
      await Promise.all([orchestrator.shutdown(), closeAll(databases)]);
    }
  }
  return { rows, overall: rowOf('all', all), items: all };
}

function rowOf(database: string, items: readonly EvaluatedItem[]): SuiteRow {
  const gold = items.filter((i) => i.record.expect === 'sql');
  const scored = gold.map((i) => ({ confidence: i.record.confidence ?? 0, correct: i.record.correct }));
  return {
    database,
    items: gold.length,
    execution_accuracy: fraction(gold, (i) => i.record.correct),
    strict_accuracy: fraction(gold, (i) => i.record.strict_correct),
    confidence_auroc: auroc(scored),
    calibration_error: expectedCalibrationError(scored),
    failed_to_run: fraction(gold, (i) => i.reason?.startsWith('predicted SQL failed') ?? false),
  };
}

/** The report as a Markdown table, as docs/evaluation.md records it. */
export function suiteTable(report: SuiteReport): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const num = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
  const line = (r: SuiteRow) =>
    `| ${r.database} | ${r.items} | ${pct(r.execution_accuracy)} | ${pct(r.strict_accuracy)} | ${num(r.confidence_auroc)} | ${num(r.calibration_error)} | ${pct(r.failed_to_run)} |`;
  return [
    '| database | items | accuracy | strict accuracy | confidence AUROC | calibration error | SQL failed to run |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...report.rows.map(line),
    line({ ...report.overall, database: '**all**' }),
  ].join('\n');
}
