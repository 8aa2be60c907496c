import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, openTestSuite, type SampleDatabase } from '../../src/db/database.js';
import { executionMatch, runOnAll, type DatabaseRun } from '../../src/db/match.js';
import { DEFAULT_SCHEMA_FILE } from '../../src/paths.js';
import { loadCatalogFile } from '../../src/schema/catalog.js';
import { loadParser } from '../../src/sql/parser.js';

/** The metric on real data: every dev gold query against rewrites of itself, on the seeded test suite. */
const golds: string[] = readFileSync(join(import.meta.dirname, '../fixtures/gl-dev.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { sql?: string })
  .flatMap((item) => (item.sql ? [item.sql] : []));

let suite: SampleDatabase[];
const runs = new Map<string, DatabaseRun[]>();

beforeAll(async () => {
  await loadParser();
  suite = await openTestSuite({ catalog: loadCatalogFile(DEFAULT_SCHEMA_FILE), seeds: [1, 2] });
  for (const sql of golds) runs.set(sql, await runOnAll(suite, sql));
});

afterAll(() => closeAll(suite));

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

describe('execution match on the dev gold queries', () => {
  it('every gold query runs on every test database', () => {
    const failing = golds.filter((sql) => runs.get(sql)?.some((r) => !r.ok));
    expect(failing).toEqual([]);
  });

  it('each gold matches itself with its columns reversed, renamed and an extra column added', async () => {
    let checked = 0;
    for (const sql of golds) {
      const first = runs.get(sql)?.[0];
      if (!first?.ok) continue;
      const columns = first.result.columns;
      // A subquery cannot expose two output columns of the same name.
      if (new Set(columns).size !== columns.length) continue;
      const select = [...columns].reverse().map((c, i) => `g.${quote(c)} AS renamed_${i}`).join(', ');
      const rewrite = `SELECT 42 AS extra, ${select} FROM (${sql}) AS g`;
      const m = await executionMatch(suite, sql, rewrite, { gold: runs.get(sql) });
      expect({ sql, same: m.same_results, reasons: m.per_database.map((d) => d.reason) }).toEqual({ sql, same: true, reasons: [undefined, undefined] });
      const strict = await executionMatch(suite, sql, rewrite, { gold: runs.get(sql), strict: true });
      expect(strict.same_results).toBe(false);
      checked++;
    }
    expect(checked).toBeGreaterThan(golds.length * 0.9);
  });

  it('dropping one row breaks the match wherever the gold has rows', async () => {
    let checked = 0;
    for (const sql of golds) {
      const gold = runs.get(sql);
      const rows = gold?.map((r) => (r.ok ? r.result.rows.length : 0)) ?? [];
      if (!gold || rows.some((n) => n < 2 || n >= 1000)) continue;
      const m = await executionMatch(suite, sql, `SELECT * FROM (${sql}) AS g OFFSET 1`, { gold });
      expect({ sql, same: m.same_results }).toEqual({ sql, same: false });
      checked++;
    }
    expect(checked).toBeGreaterThan(golds.length / 2);
  });

  it('most gold queries return rows on every seed, so the test suite can tell queries apart', () => {
    const empty = golds.filter((sql) => runs.get(sql)?.some((r) => r.ok && r.result.rows.length === 0));
    console.log(`dev gold queries with an empty result on some seed: ${empty.length} of ${golds.length}`);
    expect(empty.length).toBeLessThan(golds.length * 0.2);
  });
});
