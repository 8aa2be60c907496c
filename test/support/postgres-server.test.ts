import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from './postgres-server.js';

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  return client;
}

describe('the test PostgreSQL server', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  it('answers on 127.0.0.1 as its superuser, never as root', async () => {
    const client = await connect(server.url);
    try {
      const { rows } = await client.query("SELECT current_user AS who, current_setting('listen_addresses') AS listen, version() AS v");
      expect(rows[0]).toMatchObject({ who: 'postgres', listen: '127.0.0.1' });
      expect(rows[0].v).toMatch(/^PostgreSQL \d+/);
    } finally {
      await client.end();
    }
  });

  it('creates separate databases and refuses a wrong password', async () => {
    const url = await server.createDatabase('harness_a');
    await server.sql('CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)', 'harness_a');
    const client = await connect(url);
    expect((await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(2);
    await client.end();
    await expect(connect(server.urlFor('harness_a', 'postgres', 'wrong'))).rejects.toThrow(/password authentication failed/);
  });

  it('halts (connections refused, data kept) and starts again on the same port', async () => {
    const port = server.port;
    await server.halt();
    expect(server.running).toBe(false);
    await expect(connect(server.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await server.start();
    expect(server.port).toBe(port);
    const client = await connect(server.urlFor('harness_a'));
    expect((await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(2);
    await client.end();
    await server.restart();
    expect(server.running).toBe(true);
  });

  it('removes its files when stopped, and a process exit leaves no server behind', async () => {
    const other = await startPostgres();
    await other.stop();
    expect(existsSync(other.dataDir)).toBe(false);
    await expect(connect(other.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // A child process that starts a server and exits without stopping it: the exit hook kills the server.
    const script = `import { startPostgres } from ${JSON.stringify(fileURLToPath(new URL('./postgres-server.ts', import.meta.url)))};
      const s = await startPostgres(); process.stdout.write(s.url + '\\n'); process.exit(0);`;
    const url = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))));
    });
    expect(url).toMatch(/^postgres:\/\//);
    await expect(connect(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it.runIf(userInfo().uid === 0)('also runs for a user that is not root', async () => {
    // The same harness in a process running as `nobody`: no uid switch is needed there.
    const script = `import { startPostgres } from ${JSON.stringify(fileURLToPath(new URL('./postgres-server.ts', import.meta.url)))};
      import pg from 'pg';
      const s = await startPostgres(); const c = new pg.Client(s.url); await c.connect();
      const { rows } = await c.query('SELECT 1 AS one'); await c.end(); await s.stop();
      process.stdout.write(String(rows[0].one) + ' ' + process.getuid());`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        uid: 65534,
        gid: 65534,
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: { ...process.env, HOME: '/tmp' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}: ${err}`))));
    });
    expect(out).toBe('1 65534');
  });
});
