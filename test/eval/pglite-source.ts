import type { PGlite } from '@electric-sql/pglite';
import type { ResultSource } from '../../src/eval/match.js';

/**
 * A bare PGlite instance as a result source, recording every SQL text it is
 * sent: lets tests prove what did (and did not) reach a database.
 */
export function pgliteSource(db: PGlite, seed: number, sent: string[]): ResultSource {
  return {
    seed,
    async query(sql, { rowLimit = 1000 }) {
      sent.push(sql);
      const res = await db.query<unknown[]>(sql, [], { rowMode: 'array' });
      return { columns: res.fields.map((f) => f.name), rows: res.rows.slice(0, rowLimit), truncated: res.rows.length > rowLimit };
    },
  };
}
