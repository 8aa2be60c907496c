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
import { Worker } from 'node:worker_threads';

/**
 * A request: the caller's gated statement (wrapped in DECLARE or EXPLAIN),
 * sent alone through the extended protocol (`db.query`, which Postgres
 * refuses to run with more than one command), between fixed commands of our
 * own that go through `exec` together: `before` opens the transaction and
 * `after` fetches the rows and closes it, three calls into Postgres instead
 * of four. The rows returned are those of `after`'s first command when there
 * is an `after`, otherwise the statement's.
 */
export interface WorkerRequest {
  id: number;
  statement: string;
  /** Never SQL from outside: the caller's text goes only in `statement`. Opens a transaction, rolled back if the request fails. */
  before?: string;
  after?: string;
}

export interface WorkerError {
  message: string;
  /** SQLSTATE, when Postgres raised it. */
  code?: string;
  /** 1-based character position in the request's `statement`, as Postgres reports it (absent for a failure elsewhere). */
  position?: number;
}

export type WorkerReply =
  | { id: number; ok: true; columns: string[]; rows: unknown[][] }
  | { id: number; ok: false; error: WorkerError };

/** A build's dump comes with the OIDs of the template databases (their directories can be left out of it). */
export type WorkerReady =
  | { type: 'ready'; dump?: Uint8Array; templates?: number[]; /** The WASM, when this worker compiled it. */ module?: WasmModule }
  | { type: 'failed'; error: WorkerError };

export interface WorkerBoot {
  /** An uncompressed data directory tarball from `dumpDataDir` to start from (decompressing in WASM costs more than reading it whole). */
  dataDir?: Uint8Array;
  /** Or build from scratch: run the DDL and the data, then dump the directory back. */
  build?: { ddl: string; data: string };
}

const require = createRequire(import.meta.url);
const PGLITE_ENTRY = require.resolve('@electric-sql/pglite');

/** Bumped whenever the build below changes what a dumped data directory holds: part of the cache key. */
export const DATADIR_LAYOUT = 3;

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
const describe = (e, inStatement) => ({
  message: e && e.message ? e.message : String(e),
  code: e && e.code ? String(e.code) : undefined,
  position: inStatement && e && e.position ? Number(e.position) : undefined,
});
const { existsSync, readFileSync } = require('node:fs');
const { join, dirname } = require('node:path');
(async () => {
  let db;
  try {
    const { PGlite } = require(workerData.pglite);
    // Dates and timestamps stay as Postgres prints them: JSON-friendly and time-zone free.
    const asText = (value) => value;
    // JSON too: a plan crosses to the parent as text, as cloning the parsed tree cost more than planning.
    const parsers = { 114: asText, 3802: asText, 1082: asText, 1083: asText, 1114: asText, 1184: asText, 1266: asText };
    const dataDir = workerData.dataDir ? new Blob([workerData.dataDir]) : undefined;
    // PGlite's own files, read here: a 6 MB bundle costs less to read than to copy in from the parent.
    // The WASM is compiled here too unless the parent holds a compiled copy, and a fresh one goes
    // back to the parent for the workers after this one.
    const dist = dirname(workerData.pglite);
    const wasmFile = join(dist, 'pglite.wasm');
    const bundleFile = join(dist, 'pglite.data');
    const own = existsSync(wasmFile) && existsSync(bundleFile);
    const compiled = own && !workerData.module ? await WebAssembly.compile(readFileSync(wasmFile)) : undefined;
    const module = workerData.module ?? compiled;
    const shared = own ? { pgliteWasmModule: module, fsBundle: new Blob([readFileSync(bundleFile)]) } : {};
    db = await PGlite.create({ loadDataDir: dataDir, parsers, ...shared });
    let dump;
    let templates;
    if (workerData.build) {
      await db.exec(workerData.build.ddl);
      await db.exec(workerData.build.data);
      // VACUUM commits table by table, as it must; ANALYZE in one transaction, as it may:
      // a commit per table was a third of a 2,000-table build.
      await db.exec('VACUUM');
      await db.exec('BEGIN; ANALYZE; COMMIT');
      // Tuned for starts from the dump, which is all a sample database ever boots from again:
      // Postgres zeroes its shared memory at every start, and the default 128 MB of buffers
      // (for a 10 MB database) was a quarter of the boot. Switching to a fresh WAL segment with
      // recycling off, then checkpointing, leaves a single segment holding only the checkpoint,
      // which compactDataDir trims to a page or two.
      await db.exec("ALTER SYSTEM SET shared_buffers = '16MB'");
      await db.exec('ALTER SYSTEM SET max_connections = 4');
      await db.exec('SET wal_recycle = off');
      await db.query('SELECT pg_switch_wal()');
      await db.exec('CHECKPOINT');
      templates = (await db.query('SELECT oid::int AS oid FROM pg_database WHERE datistemplate')).rows.map((r) => r.oid);
      dump = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
    }
    await db.exec('SET default_transaction_read_only = on');
    parentPort.postMessage({ type: 'ready', dump, templates, module: compiled }, dump ? [dump.buffer] : []);
  } catch (e) {
    parentPort.postMessage({ type: 'failed', error: describe(e) });
    return;
  }
  parentPort.on('message', async (request) => {
    let inStatement = false;
    try {
      if (request.before) await db.exec(request.before);
      inStatement = true;
      let result = await db.query(request.statement, [], { rowMode: 'array' });
      inStatement = false;
      if (request.after) result = (await db.exec(request.after, { rowMode: 'array' }))[0];
      parentPort.postMessage({ id: request.id, ok: true, columns: result.fields.map((f) => f.name), rows: result.rows });
    } catch (e) {
      if (request.before) await db.exec('ROLLBACK').catch(() => undefined);
      parentPort.postMessage({ id: request.id, ok: false, error: describe(e, inStatement) });
    }
  });
})();
`;

/**
 * PGlite's WASM compiled once per process, by the first worker, and handed
 * to every later one: a test suite boots three databases, and a stopped
 * statement reboots one, without compiling 9 MB of WASM each time. Compiling
 * in the worker rather than here keeps a busy main thread (parsing the
 * catalog while the database boots) off the boot's path.
 */
/** A compiled WebAssembly module, passed to workers as it is; the build's `lib` (ES2023, no DOM) has no WebAssembly types. */
type WasmModule = object;

let compiledModule: WasmModule | undefined;

export function startWorker(boot: WorkerBoot): Worker {
  return new Worker(WORKER_SOURCE, {
    eval: true,
    // The source is plain CommonJS needing no loader, and a worker refuses some of the parent's flags
    // (`--input-type`, `--expose-gc`): it starts with none.
    execArgv: [],
    workerData: { pglite: PGLITE_ENTRY, dataDir: boot.dataDir, build: boot.build, module: compiledModule },
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
      if (message.type === 'ready' && message.module) compiledModule ??= message.module;
      if (message.type === 'ready') resolve({ dump: message.dump, templates: message.templates });
      else reject(new Error(`database failed to boot: ${message.error.message}`));
    });
  });
}
