import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, openTestSuite, type SampleDatabase } from '../../src/db/database.js';
import { loadCatalogFile } from '../../src/schema/catalog.js';
import type { Catalog } from '../../src/schema/types.js';
import { DEFAULT_SCHEMA_FILE } from '../../src/paths.js';
import { loadParser } from '../../src/sql/parser.js';
import { GL_SHAPES } from './shapes.js';

let catalog: Catalog;
let suite: SampleDatabase[];

beforeAll(async () => {
  await loadParser();
  catalog = loadCatalogFile(DEFAULT_SCHEMA_FILE);
  suite = await openTestSuite({ catalog, seeds: [1, 2, 3] });
}, 300_000);

afterAll(async () => {
  await closeAll(suite ?? []);
});

async function scalar(db: SampleDatabase, sql: string): Promise<number> {
  const { rows } = await db.query(sql);
  return Number(rows[0][0]);
}

describe('the test-suite databases (seeds 1, 2, 3)', () => {
  it('opens one database per seed', () => {
    expect(suite.map((db) => db.seed)).toEqual([1, 2, 3]);
  });

  it('holds different data on each seed', async () => {
    const fingerprints = await Promise.all(
      suite.map((db) => db.query('SELECT sum(Budget), count(*), min(Project_Name) FROM PAC_MNT_PROJECTS').then((r) => JSON.stringify(r.rows))),
    );
    expect(new Set(fingerprints).size).toBe(3);
  });

  it.each(GL_SHAPES)('has $name on every seed', async ({ sql, min }) => {
    const counts = await Promise.all(suite.map((db) => scalar(db, sql)));
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(min);
  });

  it('resolves every foreign-key value', async () => {
    for (const table of catalog.tables) {
      for (const fk of table.foreignKeys) {
        const on = fk.columns.map((c, k) => `p.${fk.refColumns[k]} = c.${c}`).join(' AND ');
        const sql = `SELECT count(*) FROM ${table.name} c WHERE c.${fk.columns[0]} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${fk.refTable} p WHERE ${on})`;
        for (const db of suite) expect(await scalar(db, sql), `${table.name}(${fk.columns}) seed ${db.seed}`).toBe(0);
      }
    }
  });

  it('contains every value of every DDL value domain', async () => {
    for (const table of catalog.tables) {
      for (const column of table.columns.filter((c) => c.valueDomain)) {
        for (const db of suite) {
          const { rows } = await db.query(`SELECT DISTINCT ${column.name} FROM ${table.name}`);
          expect(rows.map((r) => r[0]), `${table.name}.${column.name}`).toEqual(expect.arrayContaining(column.valueDomain!));
        }
      }
    }
  });
});
