/**
 * A folder of benchmark databases (schema.sql, dev.jsonl, data-*.sql each),
 * evaluated one database at a time with an orchestrator that knows only that
 * DDL: two tiny databases made here, so the pooled figures can be checked by hand.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSuite, suiteDatabases, suiteTable, type SuiteReport } from '../../src/eval/suite.js';

const root = mkdtempSync(join(tmpdir(), 'gl-suite-'));

function database(name: string, ddl: string, data: string[], items: unknown[]): void {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'schema.sql'), ddl);
  data.forEach((rows, i) => writeFileSync(join(dir, `data-${i + 1}.sql`), rows));
  writeFileSync(join(dir, 'dev.jsonl'), items.map((i) => JSON.stringify(i)).join('\n') + '\n');
}

database(
  'pets',
  'CREATE TABLE pet (pet_id INTEGER PRIMARY KEY, name TEXT, weight NUMERIC);',
  ["INSERT INTO pet VALUES (1, 'Rex', 4), (2, 'Tom', 12);", "INSERT INTO pet VALUES (1, 'Kit', 2), (2, 'Max', 30), (3, 'Bo', 9);"],
  [
    { query: 'How many pets are there?', sql: 'SELECT count(*) FROM pet' },
    { query: 'Show the names of all pets', sql: 'SELECT name FROM pet' },
  ],
);
database(
  'shops',
  'CREATE TABLE shop (shop_id INTEGER PRIMARY KEY, city TEXT);',
  ["INSERT INTO shop VALUES (1, 'Oslo'), (2, 'Rome');"],
  [{ query: 'How many shops are there?', sql: 'SELECT count(*) FROM shop' }],
);
// Not a database folder: no test data.
mkdirSync(join(root, 'notes'));
writeFileSync(join(root, 'notes', 'schema.sql'), 'CREATE TABLE t (a INT);');

let report: SuiteReport;

beforeAll(async () => {
  report = await runSuite(suiteDatabases(root), { concurrency: 2 });
}, 120_000);

describe('runSuite', () => {
  it('finds the database folders, by name', () => {
    expect(suiteDatabases(root).map((d) => basename(d))).toEqual(['pets', 'shops']);
  });

  it('scores each database on its own test databases and pools the items', () => {
    expect(report.rows.map((r) => [r.database, r.items])).toEqual([['pets', 2], ['shops', 1]]);
    expect(report.overall.items).toBe(3);
    // Counting rows is right on every test database, whatever their contents.
    expect(report.items.filter((i) => /count/i.test(i.record.gold_sql!)).every((i) => i.record.correct)).toBe(true);
    const right = report.items.filter((i) => i.record.correct).length;
    expect(report.overall.execution_accuracy).toBe(Math.round((right / 3) * 10_000) / 10_000);
    expect(report.items.map((i) => i.database)).toEqual(['pets', 'pets', 'shops']);
  });

  it('renders one Markdown row per database and one for all', () => {
    const lines = suiteTable(report).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\| database \| items \| accuracy \| strict accuracy \| confidence AUROC \| calibration error \| SQL failed to run \|$/);
    expect(lines[2]).toMatch(/^\| pets \| 2 \| /);
    expect(lines[4]).toMatch(/^\| \*\*all\*\* \| 3 \| /);
  });
});
