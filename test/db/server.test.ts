/**
 * The user's-server path on a real PostgreSQL server: every statement from
 * outside runs alone, read-only, under its budget and row cap; a statement
 * over its budget is cancelled on the server; data never changes.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerDatabase } from '../../src/db/server.js';
import { AppError } from '../../src/errors.js';
import { buildCatalog } from '../../src/schema/catalog.js';
import type { Catalog } from '../../src/schema/types.js';
import { checksum, GL_DDL, loadGlDatabase } from '../support/gl-database.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

let server: PostgresServer;
let url: string;
let db: ServerDatabase;
let catalog: Catalog;

beforeAll(async () => {
  server = await startPostgres();
  url = await loadGlDatabase(server, 'gl');
  catalog = buildCatalog(GL_DDL);
  db = new ServerDatabase({ url, cacheDir: false, statementTimeoutMs: 1000 });
}, 120_000);

afterAll(async () => {
  await db?.close();
  await server?.stop();
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** What the server is still running for gl-rl, once the cancellation has had up to two seconds to land. */
async function activeStatements(): Promise<string[]> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const [r] = await server.sql("SELECT query FROM pg_stat_activity WHERE application_name = 'gl-rl' AND state = 'active'");
    const queries = r!.rows.map((row: { query: string }) => row.query);
    if (queries.length === 0 || Date.now() > deadline) return queries;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a user server as a database', () => {
  it('runs a statement read-only, with its own budget, lock timeout and idle timeout set for the transaction', async () => {
    const { columns, rows } = await db.query(
      "SELECT current_setting('transaction_read_only'), current_setting('statement_timeout'), current_setting('lock_timeout'), " +
        "current_setting('idle_in_transaction_session_timeout'), current_setting('application_name')",
    );
    expect(columns).toHaveLength(5);
    expect(rows[0]).toEqual(['on', '1s', '1s', '3s', 'gl-rl']);
    const outside = await db.query("SELECT current_setting('statement_timeout')", { timeoutMs: 250 });
    expect(outside.rows[0]).toEqual(['250ms']);
  });

  it('caps rows and reports truncation; values come back as the sample databases give them', async () => {
    const capped = await db.query('SELECT project_code FROM pac_mnt_projects ORDER BY 1', { rowLimit: 3 });
    expect(capped.rows).toHaveLength(3);
    expect(capped.truncated).toBe(true);
    const { rows } = await db.query("SELECT DATE '2025-03-01', TIMESTAMP '2025-03-01 10:00:00', 12::bigint, 1.50::numeric(5,2), true");
    expect(rows[0]).toEqual(['2025-03-01', '2025-03-01 10:00:00', 12, '1.50', true]);
  });

  it('plans with EXPLAIN (FORMAT JSON) without running', async () => {
    const plan = (await db.explain('SELECT * FROM srm_projects WHERE project_id = 3')) as Array<{ Plan: Record<string, unknown> }>;
    expect(plan[0]!.Plan['Node Type']).toBeTypeOf('string');
    expect(plan[0]!.Plan['Total Cost']).toBeTypeOf('number');
  });

  it('sends nothing that is not one read-only statement', async () => {
    for (const sql of ['DELETE FROM srm_projects', 'SELECT 1; DROP TABLE srm_projects', "SELECT pg_sleep(1)", 'WITH d AS (DELETE FROM srm_projects RETURNING 1) SELECT * FROM d']) {
      expect((await rejection(db.query(sql))).code, sql).toBe('UNSAFE_SQL');
      expect((await rejection(db.explain(sql))).code, sql).toBe('UNSAFE_SQL');
    }
  });

  it('reports the statement failure at its position in the caller\'s SQL', async () => {
    const sql = '  SELECT nope FROM srm_projects';
    const err = await rejection(db.query(sql));
    expect(err.code).toBe('EXECUTION_FAILED');
    expect(err.details.position).toBe(sql.indexOf('nope'));
  });

  it('cancels a statement of ten seconds on the server at its budget: QUERY_TIMEOUT, and the pool stays healthy', async () => {
    // About ten seconds of work (a cross join counted): statement_timeout stops it after one.
    const slow = 'SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b';
    const started = performance.now();
    const err = await rejection(db.query(slow));
    expect(err.code).toBe('QUERY_TIMEOUT');
    expect(err.message).toMatch(/cancelled on the server/);
    expect(performance.now() - started).toBeLessThan(8000);
    expect(await activeStatements()).toEqual([]);
    // Every connection of the pool still answers.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => db.query(`SELECT ${i}`)));
    expect(answers.map((a) => a.rows[0]![0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('a caller that aborts has its statement cancelled on the server too', async () => {
    const controller = new AbortController();
    const slow = db.query('SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b', { signal: controller.signal, timeoutMs: 20_000 });
    setTimeout(() => controller.abort(new AppError('CANCELLED', 'test')), 200);
    await expect(slow).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await activeStatements()).toEqual([]);
    expect((await db.query('SELECT 1')).rows).toEqual([[1]]);
  });

  it('1,000 generated read-only queries leave the data unchanged', async () => {
    const before = await checksum(server, 'gl');
    const tables = catalog.tables;
    const query = fc
      .record({
        table: fc.constantFrom(...tables),
        limit: fc.integer({ min: 0, max: 50 }),
        shape: fc.constantFrom('rows', 'count', 'group', 'join', 'nextval', 'for update'),
        pick: fc.nat(),
      })
      .map(({ table, limit, shape, pick }) => {
        const column = table.columns[pick % table.columns.length]!.name;
        const fk = table.foreignKeys[0];
        switch (shape) {
          case 'count':
            return `SELECT count(*) FROM ${table.name} WHERE ${column} IS NOT NULL`;
          case 'group':
            return `SELECT ${column}, count(*) FROM ${table.name} GROUP BY 1 ORDER BY 2 DESC LIMIT ${limit}`;
          case 'join':
            return fk
              ? `SELECT a.* FROM ${table.name} a JOIN ${fk.refTable} b ON a.${fk.columns[0]} = b.${fk.refColumns[0]} LIMIT ${limit}`
              : `SELECT * FROM ${table.name} LIMIT ${limit}`;
          case 'nextval':
            return `SELECT nextval('gl_rl_probe_seq'), ${column} FROM ${table.name}`;
          case 'for update':
            return `SELECT ${column} FROM ${table.name} FOR UPDATE`;
          default:
            return `SELECT ${column} FROM ${table.name} ORDER BY 1 LIMIT ${limit}`;
        }
      });
    let ran = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(query, async (sql) => {
        try {
          await db.query(sql, { rowLimit: 20 });
          ran++;
        } catch (err) {
          expect(['UNSAFE_SQL', 'EXECUTION_FAILED']).toContain((err as AppError).code);
          refused++;
        }
      }),
      { numRuns: 1000 },
    );
    expect(ran + refused).toBe(1000);
    expect(ran).toBeGreaterThan(500);
    expect(await checksum(server, 'gl')).toBe(before);
  }, 120_000);
});
