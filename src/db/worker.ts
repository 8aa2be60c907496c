/**
 * PGlite runs in a worker thread, one per database. Postgres compiled to WASM
 * executes a query synchronously and ignores `statement_timeout` (no signals
 * in WASM), so a runaway query would freeze the thread it runs on: in a
 * worker, the owner can terminate it on a timer and boot a fresh copy from the
 * prebuilt data directory.
 *
 * The worker's code is plain JavaScript evaluated in the thread, so it runs
 * the same from `src/` under tsx or vitest and from `dist/`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/** A request: statements run in order, each alone via the extended protocol; the last one's rows are returned. */
export interface WorkerRequest {
  id: number;
  statements: string[];
  /** Wrap them in BEGIN READ ONLY … ROLLBACK (needed for cursors). */
  transaction: boolean;
}

export interface WorkerError {
  message: string;
  /** SQLSTATE, when Postgres raised it. */
  code?: string;
  /** 1-based character position in the statement that failed, as Postgres reports it. */
  position?: number;
  /** Index of the failed statement in the request. */
  statement?: number;
}

export type WorkerReply =
  | { id: number; ok: true; columns: string[]; rows: unknown[][] }
  | { id: number; ok: false; error: WorkerError };

/** A build's dump comes with the OIDs of the template databases (their directories can be left out of it). */
export type WorkerReady = { type: 'ready'; dump?: Uint8Array; templates?: number[] } | { type: 'failed'; error: WorkerError };

export interface WorkerBoot {
  /** An uncompressed data directory tarball from `dumpDataDir` to start from (decompressing in WASM costs more than reading 40 MB). */
  dataDir?: Uint8Array;
  /** Or build from scratch: run the DDL and the data, then dump the directory back. */
  build?: { ddl: string; data: string };
}

const require = createRequire(import.meta.url);
const PGLITE_ENTRY = require.resolve('@electric-sql/pglite');

/** The installed PGlite version: part of the cache key, as data directories are not portable across versions. */
export const PGLITE_VERSION = readPgliteVersion();

function readPgliteVersion(): string {
  let dir = dirname(PGLITE_ENTRY);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const describe = (e, statement) => ({
  message: e && e.message ? e.message : String(e),
  code: e && e.code ? String(e.code) : undefined,
  position: e && e.position ? Number(e.position) : undefined,
  statement,
});
(async () => {
  let db;
  try {
    const { PGlite } = require(workerData.pglite);
    // Dates and timestamps stay as Postgres prints them: JSON-friendly and time-zone free.
    const asText = (value) => value;
    const parsers = { 1082: asText, 1083: asText, 1114: asText, 1184: asText, 1266: asText };
    const dataDir = workerData.dataDir ? new Blob([workerData.dataDir]) : undefined;
    const shared = workerData.module ? { pgliteWasmModule: workerData.module, fsBundle: new Blob([workerData.bundle]) } : {};
    db = await PGlite.create({ loadDataDir: dataDir, parsers, ...shared });
    let dump;
    let templates;
    if (workerData.build) {
      await db.exec(workerData.build.ddl);
      await db.exec(workerData.build.data);
      await db.exec('VACUUM ANALYZE');
      templates = (await db.query('SELECT oid::int AS oid FROM pg_database WHERE datistemplate')).rows.map((r) => r.oid);
      dump = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
    }
    await db.exec('SET default_transaction_read_only = on');
    parentPort.postMessage({ type: 'ready', dump, templates }, dump ? [dump.buffer] : []);
  } catch (e) {
    parentPort.postMessage({ type: 'failed', error: describe(e) });
    return;
  }
  parentPort.on('message', async (request) => {
    let index = -1;
    try {
      if (request.transaction) await db.exec('BEGIN READ ONLY');
      let result;
      for (index = 0; index < request.statements.length; index++) {
        result = await db.query(request.statements[index], [], { rowMode: 'array' });
      }
      if (request.transaction) await db.exec('ROLLBACK');
      parentPort.postMessage({ id: request.id, ok: true, columns: result.fields.map((f) => f.name), rows: result.rows });
    } catch (e) {
      if (request.transaction) await db.exec('ROLLBACK').catch(() => undefined);
      parentPort.postMessage({ id: request.id, ok: false, error: describe(e, index) });
    }
  });
})();
`;

/**
 * PGlite's WASM compiled once per process and its file bundle read once,
 * shared by every worker: a test suite boots three databases, and a stopped
 * statement reboots one, without compiling 9 MB of WASM each time. When the
 * files are not where this PGlite version keeps them, each worker loads its own.
 */
/** A compiled WebAssembly module, passed to workers as it is; the build's `lib` (ES2023, no DOM) has no WebAssembly types. */
type WasmModule = object;

let shared: Promise<{ module: WasmModule; bundle: Uint8Array } | undefined> | undefined;

const wasmCompiler = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } }).WebAssembly;

function sharedAssets(): Promise<{ module: WasmModule; bundle: Uint8Array } | undefined> {
  shared ??= (async () => {
    const dist = dirname(PGLITE_ENTRY);
    try {
      const [wasm, bundle] = await Promise.all([readFile(join(dist, 'pglite.wasm')), readFile(join(dist, 'pglite.data'))]);
      return { module: await wasmCompiler.compile(wasm), bundle };
    } catch {
      return undefined;
    }
  })();
  return shared;
}

export async function startWorker(boot: WorkerBoot): Promise<Worker> {
  const assets = await sharedAssets();
  return new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { pglite: PGLITE_ENTRY, dataDir: boot.dataDir, build: boot.build, module: assets?.module, bundle: assets?.bundle },
  });
}

/** Resolves when the worker has booted (with the dumped data directory when it built one). */
export function workerReady(worker: Worker): Promise<{ dump?: Uint8Array; templates?: number[] }> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`database worker exited with code ${code} while booting`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (message: WorkerReady) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (message.type === 'ready') resolve({ dump: message.dump, templates: message.templates });
      else reject(new Error(`database failed to boot: ${message.error.message}`));
    });
  });
}
