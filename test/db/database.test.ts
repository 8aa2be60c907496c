import { existsSync, rmSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSampleDatabase, startSampleDatabase, type SampleDatabase } from '../../src/db/database.js';
import { defaultCacheDir } from '../../src/db/datadir-cache.js';
import { prestartSampleDatabase, sampleDatabaseEntry, takePrestarted } from '../../src/db/prestart.js';
import { AppError } from '../../src/errors.js';
import { DEFAULT_SCHEMA_FILE } from '../../src/paths.js';
import { loadCatalogFile } from '../../src/schema/catalog.js';
import type { Catalog } from '../../src/schema/types.js';
import { loadParser } from '../../src/sql/parser.js';

let catalog: Catalog;
let db: SampleDatabase;

beforeAll(async () => {
  await loadParser();
  catalog = loadCatalogFile(DEFAULT_SCHEMA_FILE);
  db = await openSampleDatabase({ catalog, seed: 1 });
}, 300_000);

afterAll(async () => {
  await db?.close();
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** Counts the requests that reach any database worker while `run` executes. */
async function messagesSent(run: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(Worker.prototype, 'postMessage');
  try {
    await run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('read-only execution', () => {
  it('returns columns and rows as JSON-friendly values', async () => {
    const result = await db.query('SELECT Project_Code, Budget, Start_Date, Created_Date FROM PAC_MNT_PROJECTS WHERE Budget IS NOT NULL AND Start_Date IS NOT NULL ORDER BY 1 LIMIT 1');
    expect(result.columns).toEqual(['project_code', 'budget', 'start_date', 'created_date']);
    const [code, budget, start, created] = result.rows[0];
    expect(code).toBe('PRJ001');
    expect(budget).toMatch(/^\d+\.\d{2}$/);
    expect(start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(result.truncated).toBe(false);
  });

  it.each([
    ['DELETE', 'DELETE FROM PAC_MNT_PROJECTS'],
    ['UPDATE', "UPDATE PAC_MNT_PROJECTS SET Status = 'Closed'"],
    ['INSERT', "INSERT INTO CLNTCLASS (ClntClass_ID, Class_Code, Class_Name) VALUES (99, 'X', 'X')"],
    ['DDL', 'DROP TABLE PROJSTAFF'],
    ['stacked statements', 'SELECT 1; DROP TABLE PROJSTAFF'],
    ['pg_sleep', 'SELECT pg_sleep(10)'],
    ['a data-modifying CTE', 'WITH d AS (DELETE FROM PROJSTAFF RETURNING *) SELECT * FROM d'],
    ['row locks', 'SELECT * FROM PROJSTAFF FOR UPDATE'],
    ['transaction control', 'COMMIT'],
  ])('rejects %s before it reaches the database', async (_, sql) => {
    let err: AppError | undefined;
    const sent = await messagesSent(async () => {
      err = await rejection(db.query(sql));
      await rejection(db.explain(sql));
    });
    expect(err!.code).toBe('UNSAFE_SQL');
    expect(sent).toBe(0);
    expect((await db.query('SELECT count(*) FROM PROJSTAFF')).rows[0][0]).toBeGreaterThan(0);
  });

  it('caps the rows and says so', async () => {
    const all = await db.query('SELECT * FROM PROJSTAFF');
    expect(all.truncated).toBe(false);
    const capped = await db.query('SELECT * FROM PROJSTAFF ORDER BY Staff_ID', { rowLimit: 10 });
    expect(capped.rows).toHaveLength(10);
    expect(capped.truncated).toBe(true);
    expect(capped.rows).toEqual(all.rows.sort((a, b) => Number(a[0]) - Number(b[0])).slice(0, 10));
    const exact = await db.query('SELECT * FROM PROJSTAFF', { rowLimit: all.rows.length });
    expect(exact.truncated).toBe(false);
  });

  it('stops reading at the cap instead of producing every row', async () => {
    // About 1.4 million rows if produced in full; the cursor streams the join and stops after six.
    const result = await db.query('SELECT a.Staff_ID, b.Staff_ID, c.Staff_ID FROM PROJSTAFF a, PROJSTAFF b, PROJSTAFF c', {
      rowLimit: 5,
      timeoutMs: 2_000,
    });
    expect(result.rows).toHaveLength(5);
    expect(result.truncated).toBe(true);
  });

  it('default cap is 1,000 rows', async () => {
    const result = await db.query('SELECT g FROM generate_series(1, 5000) g');
    expect(result.rows).toHaveLength(1000);
    expect(result.truncated).toBe(true);
  });

  it('reports Postgres errors as EXECUTION_FAILED with the position in the caller\'s SQL', async () => {
    const sql = '/* report */ SELECT Project_Name, nope FROM PAC_MNT_PROJECTS;';
    const err = await rejection(db.query(sql));
    expect(err.code).toBe('EXECUTION_FAILED');
    expect(err.message).toContain('column "nope" does not exist');
    expect(err.details.position).toBe(sql.indexOf('nope'));
    expect(err.details.sqlstate).toBe('42703');
  });

  it('semicolons inside literals, dollar quotes and comments stay inside the one statement', async () => {
    expect((await db.query("SELECT 'a;b' AS x")).rows).toEqual([['a;b']]);
    expect((await db.query('SELECT $q$;ROLLBACK;SET default_transaction_read_only = off;$q$ AS x')).rows).toEqual([[';ROLLBACK;SET default_transaction_read_only = off;']]);
    expect((await db.query('SELECT 1 AS x /* ; COMMIT; */')).rows).toEqual([[1]]);
    expect((await db.query("SELECT 'y' AS y -- ; COMMIT; SET default_transaction_read_only = off")).rows).toEqual([['y']]);
    expect((await db.query("SELECT current_setting('default_transaction_read_only') AS ro")).rows).toEqual([['on']]);
  });

  it('any text built from statement separators, quotes, comments and writes either runs as one read-only statement or is refused (property)', async () => {
    const count = async () => (await db.query('SELECT count(*) FROM PROJSTAFF')).rows[0][0];
    const before = await count();
    const fragment = fc.constantFrom(
      'SELECT', ' 1', ' x', "'", "''", ';', '$$', '$q$', '--', '/*', '*/', '\n', ' COMMIT', ' ROLLBACK', ' BEGIN', ' END',
      ' SET default_transaction_read_only = off', ' DELETE FROM PROJSTAFF', ' DROP TABLE PROJSTAFF', ' FROM PROJSTAFF', ' AS', '(', ')', "E'\\''",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 12 }), async (parts) => {
        const sql = parts.join('');
        try {
          const result = await db.query(sql, { rowLimit: 5 });
          expect(Array.isArray(result.rows)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
          expect(['UNSAFE_SQL', 'EXECUTION_FAILED', 'INVALID_INPUT']).toContain((err as AppError).code);
        }
      }),
      { numRuns: 300 },
    );
    expect(await count()).toBe(before);
    expect((await db.query("SELECT current_setting('default_transaction_read_only') AS ro")).rows).toEqual([['on']]);
  });

  it('a statement ending in a line comment still gets its rows and its plan', async () => {
    expect((await db.query('SELECT 3 AS three -- the end')).rows).toEqual([[3]]);
    expect((await db.explain('SELECT 3 AS three -- the end')) as any).toHaveLength(1);
  });

  it('keeps working after an error (the transaction was rolled back)', async () => {
    await rejection(db.query('SELECT 1 / 0'));
    expect((await db.query('SELECT 2 AS two')).rows).toEqual([[2]]);
  });

  it('serializes concurrent callers', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, (_, k) => db.query(`SELECT ${k} AS k, count(*) FROM PROJSTAFF`)));
    results.forEach((r, k) => expect(r.rows[0][0]).toBe(k));
  });

  it('rejects with the abort reason without running when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));
    let caught: unknown;
    const sent = await messagesSent(() => db.query('SELECT 1', { signal: controller.signal }).catch((e: unknown) => (caught = e)));
    expect((caught as Error).message).toBe('caller gave up');
    expect(sent).toBe(0);
  });

  it('drops a queued call whose signal aborts before its turn', async () => {
    const controller = new AbortController();
    const first = db.query('SELECT count(*) FROM PROJSTAFF a, PROJSTAFF b');
    const second = db.query('SELECT 1', { signal: controller.signal });
    controller.abort(new Error('not needed any more'));
    await expect(second).rejects.toThrow('not needed any more');
    await expect(first).resolves.toBeDefined();
  });
});

describe('runaway statements', () => {
  it('stops a statement past its timeout and serves the next one from a fresh worker', async () => {
    const err = await rejection(db.query('SELECT count(*) FROM generate_series(1, 100000000000)', { timeoutMs: 300 }));
    expect(err.code).toBe('QUERY_TIMEOUT');
    expect(err.message).toContain('300 ms');
    expect((await db.query('SELECT count(*) FROM PROJSTAFF')).rows[0][0]).toBeGreaterThan(0);
  });

  it('stops a running statement when its signal aborts', async () => {
    const controller = new AbortController();
    const running = db.query('SELECT count(*) FROM generate_series(1, 100000000000)', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 200);
    await expect(running).rejects.toThrow('cancelled by the user');
    expect((await db.query('SELECT 3')).rows).toEqual([[3]]);
  });
});

describe('explain', () => {
  it('returns the JSON plan with costs', async () => {
    const plan = (await db.explain(
      "SELECT p.Project_Name, r.Resource_Name FROM PAC_MNT_PROJECTS p JOIN PROJSTAFF s ON p.Project_Code = s.Project_Code JOIN PAC_MNT_RESOURCES r ON r.Resource_Code = s.Resource_Code WHERE p.Status = 'Active'",
    )) as Array<{ Plan: Record<string, unknown> }>;
    expect(plan[0].Plan['Total Cost']).toEqual(expect.any(Number));
    expect(plan[0].Plan['Plan Rows']).toEqual(expect.any(Number));
  });

  it('reports planning errors with a position', async () => {
    const err = await rejection(db.explain('SELECT * FROM no_such_table'));
    expect(err.code).toBe('EXECUTION_FAILED');
    expect(err.details.position).toBe(14);
  });
});

describe('value domains', () => {
  it('reads low-cardinality text columns back from the data', async () => {
    const domains = await db.readValueDomains(catalog);
    expect(domains.PAC_MNT_PROJECTS.Status.sort()).toEqual(['Active', 'Cancelled', 'Completed', 'On Hold']);
    expect(domains.PAC_MNT_PROJECTS.Department.length).toBeGreaterThanOrEqual(4);
    expect(domains.PAC_MNT_RESOURCES.Resource_Type.sort()).toEqual(['Equipment', 'Human', 'Material']);
    expect(domains.PAC_MNT_PROJECTS.Project_Name).toBeUndefined();
    expect(domains.SRM_CONTACTS?.Email).toBeUndefined();
    expect(domains.SRM_COMPANIES?.Company_Code).toBeUndefined();
  });

  it('respects maxDistinct', async () => {
    const domains = await db.readValueDomains(catalog, 3);
    for (const columns of Object.values(domains)) for (const values of Object.values(columns)) expect(values.length).toBeLessThanOrEqual(3);
    expect(domains.PAC_MNT_PROJECTS?.Department).toBeUndefined();
  });
});

describe('start-up cache', () => {
  it('opens the same seed again from the prebuilt data directory, with the same data', async () => {
    expect(db.boot.cacheFile && existsSync(db.boot.cacheFile)).toBe(true);
    const again = await openSampleDatabase({ catalog, seed: 1 });
    try {
      expect(again.boot.source).toBe('cache');
      expect(again.boot.cacheFile).toBe(db.boot.cacheFile);
      const sql = 'SELECT Project_Code, Budget, Status FROM PAC_MNT_PROJECTS ORDER BY 1';
      expect((await again.query(sql)).rows).toEqual((await db.query(sql)).rows);
    } finally {
      await again.close();
    }
  });

  it('a database started ahead (prestart) is taken over by the start asking for the same data', async () => {
    const ddl = catalog.ddl;
    const today = new Date();
    const entry = sampleDatabaseEntry(defaultCacheDir(), { ddl, seed: 1, today });
    expect(entry).toBe(db.boot.cacheFile);
    prestartSampleDatabase({ ddl, seed: 1, today });
    const again = startSampleDatabase({ catalog, ddl, seed: 1, today });
    try {
      // Taken: nothing is left for a second start to adopt.
      expect(takePrestarted(entry)).toBeUndefined();
      await again.started;
      expect(again.boot).toMatchObject({ source: 'cache', cacheFile: entry });
      expect((await again.query('SELECT count(*) FROM PAC_MNT_PROJECTS')).rows[0][0]).toBeGreaterThan(0);
    } finally {
      await again.close();
    }
  });

  it('starts nothing ahead for data the cache does not hold, or another seed than the one asked for', async () => {
    const today = new Date();
    prestartSampleDatabase({ ddl: `${catalog.ddl}\n-- not cached`, seed: 1, today });
    expect(takePrestarted(sampleDatabaseEntry(defaultCacheDir(), { ddl: `${catalog.ddl}\n-- not cached`, seed: 1, today }))).toBeUndefined();
    prestartSampleDatabase({ ddl: catalog.ddl, seed: 1, today });
    expect(takePrestarted(sampleDatabaseEntry(defaultCacheDir(), { ddl: catalog.ddl, seed: 2, today }))).toBeUndefined();
    const early = takePrestarted(sampleDatabaseEntry(defaultCacheDir(), { ddl: catalog.ddl, seed: 1, today }));
    expect(early).toBeDefined();
    await early!.ready;
    await early!.worker.terminate();
  });

  it('boots from a compact directory: one WAL segment cut to its used pages, 16 MB of shared buffers', async () => {
    const again = await openSampleDatabase({ catalog, seed: 1 });
    try {
      expect(again.boot.source).toBe('cache');
      expect((await again.query("SELECT current_setting('shared_buffers')")).rows).toEqual([['16MB']]);
      // 9 MB of tables and catalogs; the dump before compaction was 27 MB, 16 of it a zero-filled WAL segment.
      expect(statSync(again.boot.cacheFile!).size).toBeLessThan(14 * 2 ** 20);
      expect((await again.query('SELECT count(*) FROM PAC_MNT_PROJECTS')).rows[0][0]).toBeGreaterThan(0);
    } finally {
      await again.close();
    }
  });

  it('keeps derived values beside the data directory: the next start reads them before it has booted', async () => {
    const name = `test-${process.pid}-${Date.now()}`;
    const compute = vi.fn(async () => (await db.query('SELECT count(*) FROM PAC_MNT_PROJECTS')).rows[0][0]);
    const first = await db.derived(name, compute);
    expect(await db.derived(name, compute)).toBe(first);
    expect(compute).toHaveBeenCalledTimes(1);
    const again = startSampleDatabase({ catalog, ddl: catalog.ddl, seed: 1 });
    try {
      const recompute = vi.fn(async () => -1);
      let booted = false;
      void again.started.then(() => (booted = true));
      expect(await again.derived(name, recompute)).toBe(first);
      expect(booted).toBe(false);
      expect(recompute).not.toHaveBeenCalled();
      await again.started;
      expect(again.boot.source).toBe('cache');
    } finally {
      await again.close();
      rmSync(`${db.boot.cacheFile}.${name}.json`, { force: true });
    }
  });

  it('a database that fails to boot rejects `started` and every call with EXECUTION_FAILED', async () => {
    const broken: Catalog = { ...catalog, tables: [], ddl: 'CREATE TABLE broken (x no_such_type);' };
    const failing = startSampleDatabase({ catalog: broken, seed: 1, cacheDir: false });
    const started = await rejection(failing.started);
    expect(started.code).toBe('EXECUTION_FAILED');
    expect(started.message).toMatch(/no_such_type/);
    expect((await rejection(failing.query('SELECT 1'))).code).toBe('EXECUTION_FAILED');
    await failing.close();
  });

  it('rejects calls after close', async () => {
    const other = await openSampleDatabase({ catalog, seed: 1 });
    await other.close();
    const err = await rejection(other.query('SELECT 1'));
    expect(err.code).toBe('EXECUTION_FAILED');
  });
});
