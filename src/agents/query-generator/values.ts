/**
 * The database values the embedded generator matches literals against:
 * every value of low-cardinality text columns (`On Hold`, `Finance`), and the
 * names and codes that identify rows (`Acme Corp`, `PRJ005`), read once when
 * the generator is set up, never per question.
 */
import { skippable, type Database, type ValueDomains } from '../../db/engine.js';
import { dataDirKey } from '../../db/datadir-cache.js';
import type { Catalog } from '../../schema/types.js';
import { dictionary } from '../../dictionary.js';

/** Columns that name or code a row: matched in questions however many distinct values they have. */
const IDENTIFYING = /(_name|_code|_number)$/i;

/** Rows read per identifying column (a sample database has far fewer). */
const SCAN_ROWS = 50_000;

export function readGeneratorValues(db: Database, catalog: Catalog, maxNames = 2000): Promise<ValueDomains> {
  return db.derived(`generator-values-${dataDirKey([catalog.ddl, String(maxNames)])}`, () => queryGeneratorValues(db, catalog, maxNames));
}

async function queryGeneratorValues(db: Database, catalog: Catalog, maxNames: number): Promise<ValueDomains> {
  const values = await db.readValueDomains(catalog, 60);
  for (const table of catalog.tables) {
    for (const column of table.columns) {
      if (column.category !== 'text' || column.sensitive || !IDENTIFYING.test(column.name) || values[table.name]?.[column.name]) continue;
      // Bounded for a user's large tables: the distinct values among the first rows read.
      const sql = `SELECT DISTINCT ${column.name} FROM (SELECT ${column.name} FROM ${table.name} WHERE ${column.name} IS NOT NULL LIMIT ${SCAN_ROWS}) AS sample`;
      try {
        const { rows } = await db.query(sql, { rowLimit: maxNames });
        (values[table.name] ??= dictionary())[column.name] = rows.map((r) => String(r[0]));
      } catch (err) {
        if (!skippable(err)) throw err;
      }
    }
  }
  return values;
}
