/**
 * Faults of a user's server, on a real one: down at start, a refused
 * connection, a silent listener, a bad password, a restart in the middle of a
 * run, a connection dropped during a query. Each gives its code and a message
 * naming what to check, never the password; nothing hangs; the process
 * recovers when the server is back (unhandled rejections fail the run).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openUserDatabase } from '../../src/db/user-database.js';
import { AppError } from '../../src/errors.js';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { isErrorResponse } from '../../src/orchestrator/result.js';
import { glServer } from '../support/gl-server.js';
import type { PostgresServer } from '../support/postgres-server.js';

const { state, connect } = glServer();
let server: PostgresServer;
let url: string;

beforeAll(() => {
  ({ server, url } = state);
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  const e = err as AppError;
  expect(JSON.stringify(e.toJSON()) + e.message).not.toContain(server.password);
  return e;
}

async function withServerDown<T>(run: () => Promise<T>): Promise<T> {
  await server.halt();
  try {
    return await run();
  } finally {
    await server.start();
  }
}

describe('faults of a user server', () => {
  it('a server down at start: DATABASE_UNAVAILABLE naming the address to check, at once', async () => {
    await withServerDown(async () => {
      const started = performance.now();
      const err = await failure(openUserDatabase({ url, cacheDir: false, warn: () => undefined }));
      expect(err.code).toBe('DATABASE_UNAVAILABLE');
      expect(err.message).toContain(`connection refused at 127.0.0.1:${server.port}; check that the server is running`);
      expect(performance.now() - started).toBeLessThan(5000);
    });
  });

  it('a refused connection (no CONNECT privilege) names the privilege to check', async () => {
    await server.sql("DROP ROLE IF EXISTS outsider; CREATE ROLE outsider LOGIN PASSWORD 'outsider-pass'; REVOKE CONNECT ON DATABASE gl FROM PUBLIC");
    try {
      const err = await failure(connect(server.urlFor('gl', 'outsider', 'outsider-pass')).query('SELECT 1'));
      expect(err.code).toBe('DATABASE_UNAVAILABLE');
      expect(err.message).toMatch(/permission denied for database "gl".*check the role's CONNECT privilege/);
    } finally {
      await server.sql('GRANT CONNECT ON DATABASE gl TO PUBLIC');
    }
  });

  it('a listener that never answers: DATABASE_UNAVAILABLE after the connect timeout, not a hang', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const db = connect(`postgres://someone:s3cret-pw@127.0.0.1:${port}/erp`, { connectTimeoutMs: 500 });
      const started = performance.now();
      const err = await failure(db.query('SELECT 1'));
      expect(err.code).toBe('DATABASE_UNAVAILABLE');
      expect(err.message).toMatch(/someone@127\.0\.0\.1:\d+\/erp: no connection within the connect timeout/);
      expect(err.message).not.toContain('s3cret-pw');
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('a bad password or database name says which to check, without the password', async () => {
    const wrong = await failure(connect(server.urlFor('gl', 'postgres', 'not-the-password')).query('SELECT 1'));
    expect(wrong.code).toBe('DATABASE_UNAVAILABLE');
    expect(wrong.message).toContain('login refused for user postgres');
    expect(wrong.message).toContain('check the user and password in the URL');
    expect(wrong.message).not.toContain('not-the-password');
    const missing = await failure(connect(server.urlFor('no_such_db')).query('SELECT 1'));
    expect(missing.message).toContain('database no_such_db does not exist');
  });

  it('a server stopped and restarted in the middle of a run: calls fail with DATABASE_UNAVAILABLE, then recover', async () => {
    const db = connect(url);
    expect((await db.query('SELECT count(*) > 0 FROM srm_projects')).rows).toEqual([[true]]);
    await withServerDown(async () => {
      const err = await failure(db.query('SELECT 1'));
      expect(err.code).toBe('DATABASE_UNAVAILABLE');
      expect((await failure(db.explain('SELECT 1'))).code).toBe('DATABASE_UNAVAILABLE');
    });
    expect((await db.query('SELECT 1')).rows).toEqual([[1]]);
    // A restart with connections idle in the pool: they are dropped, new ones are made.
    await Promise.all([db.query('SELECT 1'), db.query('SELECT 2'), db.query('SELECT 3')]);
    await server.restart();
    const results = await Promise.allSettled([1, 2, 3].map((i) => db.query(`SELECT ${i}`)));
    for (const r of results) if (r.status === 'rejected') expect((r.reason as AppError).code).toBe('DATABASE_UNAVAILABLE');
    expect((await db.query('SELECT 4')).rows).toEqual([[4]]);
  });

  it('a connection dropped during a query: DATABASE_UNAVAILABLE, and the next query runs', async () => {
    const db = connect(url, { statementTimeoutMs: 20_000 });
    const slow = db.query('SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b');
    const outcome = slow.then(() => undefined, (e: unknown) => e);
    // Wait until the statement runs (its cursor is being fetched), then end its backend as an operator (or a failover) would.
    const running = "application_name = 'gl-rl' AND state = 'active' AND query LIKE 'FETCH%'";
    let ended = 0;
    for (let i = 0; i < 200 && ended === 0; i++) {
      const [r] = await server.sql(`SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${running}) t`);
      ended = r!.rows[0].n;
      if (ended === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(ended).toBe(1);
    const err = (await outcome) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('DATABASE_UNAVAILABLE');
    expect(err.message).toMatch(/closed by the server|connection was lost/);
    expect((await db.query('SELECT 1')).rows).toEqual([[1]]);
  });

  describe('through the orchestrator', () => {
    let orchestrator: Orchestrator;
    beforeAll(async () => {
      orchestrator = createOrchestrator({ config: { database_url: url, seeds: [1], log_level: 'silent', max_retries: 1, retry_backoff: 0.01 } });
      await orchestrator.initialize();
    }, 120_000);
    afterAll(() => orchestrator?.shutdown());

    it('answers on the server, fails with DATABASE_UNAVAILABLE while it is down, and answers again when it is back', async () => {
      const ok = await orchestrator.process({ query: 'how many projects are there' });
      expect(isErrorResponse(ok)).toBe(false);
      const down = await withServerDown(() => orchestrator.process({ query: 'how many companies are there' }));
      expect(isErrorResponse(down) && down.error_code).toBe('DATABASE_UNAVAILABLE');
      expect(JSON.stringify(down)).toContain('check that the server is running');
      expect(JSON.stringify(down)).not.toContain(server.password);
      const back = await orchestrator.process({ query: 'how many companies are there' });
      expect(isErrorResponse(back)).toBe(false);
    });

    it('does not start when the server is down', async () => {
      await withServerDown(async () => {
        const other = createOrchestrator({ config: { database_url: url, seeds: [1], log_level: 'silent' } });
        try {
          await expect(other.initialize()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
        } finally {
          await other.shutdown();
        }
      });
    });
  });
});
