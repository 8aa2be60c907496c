import type { PGlite } from '@electric-sql/pglite';
import type { ResultSource } from '../../src/db/match.js';

/**
 * One schema of a bare PGlite instance as a result source, recording every
 * SQL text it is sent: lets tests prove what did (and did not) reach a
 * database. Several sources share one instance (one WASM boot); each query
 * runs in its own transaction with its schema first on the search path.
 */
export function pgliteSource(db: PGlite, seed: number, sent: string[], schema: string): ResultSource {
  return {
    seed,
    query: (sql, { rowLimit = 1000 }) => db.transaction(async (tx) => {
      sent.push(sql);
      await tx.query(`SET LOCAL search_path TO ${schema}`);
      const res = await tx.query<unknown[]>(sql, [], { rowMode: 'array' });
      return { columns: res.fields.map((f) => f.name), rows: res.rows.slice(0, rowLimit), truncated: res.rows.length > rowLimit };
    }),
  };
}
