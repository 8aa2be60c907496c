import { PGlite } from '@electric-sql/pglite';
import type { ResultSource } from '../../../src/eval/match.js';
import type { Catalog } from '../../../src/schema/types.js';
import { sampleDataSql } from '../../../src/db/sample-data.js';

/** Seeded sample databases for the generator's tests, with the distinct values its lexicon matches literals against. */
export interface DevDatabases {
  sources: ResultSource[];
  values: Record<string, Record<string, string[]>>;
  close(): Promise<void>;
}

/** Text columns with few distinct values, or that name or code a row, as the generator's `values`. */
async function readValues(db: PGlite, catalog: Catalog): Promise<Record<string, Record<string, string[]>>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const table of catalog.tables) {
    for (const column of table.columns) {
      if (column.category !== 'text') continue;
      const res = await db.query<{ v: string }>(`SELECT DISTINCT ${column.name} AS v FROM ${table.name} WHERE ${column.name} IS NOT NULL LIMIT 201`);
      const named = /(_name|_code|_number)$/i.test(column.name);
      if (res.rows.length > 60 && !named) continue;
      (out[table.name] ??= {})[column.name] = res.rows.map((r) => r.v);
    }
  }
  return out;
}

export async function openDevDatabases(catalog: Catalog, seeds: number[]): Promise<DevDatabases> {
  const dbs: PGlite[] = [];
  for (const seed of seeds) {
    const db = await PGlite.create();
    await db.exec(catalog.ddl);
    await db.exec(sampleDataSql(catalog, seed));
    dbs.push(db);
  }
  const sources: ResultSource[] = dbs.map((db, i) => ({
    seed: seeds[i],
    async query(sql, { rowLimit = 10_000 }) {
      const res = await db.query<unknown[]>(sql, [], { rowMode: 'array' });
      return { columns: res.fields.map((f) => f.name), rows: res.rows.slice(0, rowLimit), truncated: res.rows.length > rowLimit };
    },
  }));
  return { sources, values: await readValues(dbs[0], catalog), close: async () => { await Promise.all(dbs.map((d) => d.close())); } };
}
