/**
 * The embedded sample databases: real Postgres (PGlite) loaded with a
 * catalog's DDL and its seeded sample data, and the one read-only path by
 * which SQL the system did not write itself reaches them.
 *
 * Every `query` and `explain` first passes `checkReadOnly` (exactly one
 * read-only statement, no forbidden function; the parser is Postgres' own
 * grammar), and only the statement's own text goes on, on a line of its own,
 * sent alone through the extended protocol (`db.query`, which Postgres
 * refuses to run with more than one command), never in a multi-statement
 * exec. A query's rows are read through a cursor inside `BEGIN READ ONLY …
 * ROLLBACK`, so the row cap also stops the work; EXPLAIN plans without
 * executing, in the session's implicit transaction, read-only too
 * (`default_transaction_read_only = on`). Calls on one database are queued:
 * PGlite has a single connection and transactions must not interleave.
 *
 * Values come back as PGlite gives them: DECIMAL/NUMERIC as strings (exact),
 * integers and floats as numbers, BIGINT as number, dates and timestamps as
 * Postgres' text (`2025-03-01`, `2025-03-01 10:00:00`), booleans, JSON and
 * JSONB as their text.
 */
import type { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import type { Catalog } from '../schema/types.js';
import { loadParser } from '../sql/parser.js';
import { cachedJson, compactDataDir, dataDirKey, defaultCacheDir, readCached, writeCached } from './datadir-cache.js';
import { sampleDatabaseEntry, takePrestarted } from './prestart.js';
import { sampleDataSql, sqlIdentifier } from './sample-data.js';
import { startWorker, workerReady, type WorkerReply, type WorkerRequest } from './worker.js';
import { dictionary, parseJsonData } from '../dictionary.js';

import {
  checkRowLimit, CURSOR, CURSOR_PREFIX, DEFAULT_ROW_LIMIT, domainColumns, executionError, EXPLAIN_PREFIX, gate, readDomainRow, valueDomainSql,
  type Database, type GatedStatement, type QueryOptions, type QueryResult, type ValueDomains,
} from './engine.js';

export type { Database, QueryOptions, QueryResult, ValueDomains } from './engine.js';

/** A seeded sample database (PGlite, in a worker thread). */
export interface SampleDatabase extends Database {
  readonly seed: number;
  /** How reports name it when it holds given data (`data-1.sql`) rather than a seed's. */
  readonly name?: string;
  /** How this instance started: from a cached data directory or built from scratch. */
  readonly boot: { source: 'cache' | 'built'; ms: number; cacheFile?: string };
}

export interface OpenSampleDatabaseOptions {
  /** May still be in the making when `ddl` is given: a database found in the cache boots without it. */
  catalog: Catalog | Promise<Catalog>;
  /** The catalog's DDL text (default: `catalog.ddl`); it keys the cache. */
  ddl?: string;
  seed?: number;
  /** The day the data's relative dates are spread around; default today. */
  today?: Date;
  /** Where prebuilt data directories are kept; `false` disables the cache. Default: see `defaultCacheDir`. */
  cacheDir?: string | false;
  /** A statement running longer is stopped (its worker is restarted). Default 10 s. */
  statementTimeoutMs?: number;
  /**
   * The rows as SQL (INSERTs, the user's own file, run like the DDL), instead
   * of the seed's generated sample data: a test database of a benchmark.
   */
  data?: string;
  /** The database's name in reports (default `seed N`). */
  name?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export async function openSampleDatabase(options: OpenSampleDatabaseOptions): Promise<SampleDatabase> {
  const db = startSampleDatabase(options);
  await db.started;
  return db;
}

/**
 * The database at once, booting: its calls wait for the boot, and `derived`
 * values kept from an earlier start are read without waiting, so a caller can
 * prepare what it builds from them meanwhile. `started` settles with the boot
 * (rejecting as `openSampleDatabase` would); a failed boot fails every call.
 */
export function startSampleDatabase(options: OpenSampleDatabaseOptions): SampleDatabase & { started: Promise<void> } {
  const { seed = 1 } = options;
  if (!Number.isSafeInteger(seed)) throw new AppError('INVALID_INPUT', `seed must be an integer, got ${seed}`, { field: 'seed' });
  const started = performance.now();
  const dir = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultCacheDir());
  const today = options.today ?? new Date();
  // Given data is part of what the directory holds, so it keys the cache with the DDL.
  const entryOf = (ddl: string) => sampleDatabaseEntry(dir!, { ddl: options.data === undefined ? ddl : `${ddl}\n${options.data}`, seed, today });
  const file = dir && options.ddl !== undefined ? entryOf(options.ddl) : undefined;
  const db = new WorkerDatabase(seed, options.statementTimeoutMs ?? DEFAULT_TIMEOUT_MS, file);
  const booting = (async () => {
    const parser = loadParser();
    const ddl = options.ddl ?? (await options.catalog).ddl;
    const entry = file ?? (dir && entryOf(ddl));
    const early = entry ? takePrestarted(entry) : undefined;
    let dataDir = early?.dataDir ?? (entry ? readCached(entry) : undefined);
    const source = dataDir ? ('cache' as const) : ('built' as const);
    const worker = early?.worker ?? startWorker(dataDir ? { dataDir } : { build: { ddl, data: options.data ?? sampleDataSql(await options.catalog, seed, today) } });
    try {
      const { dump, templates = [] } = await (early?.ready ?? workerReady(worker));
      if (dump) {
        dataDir = compactDataDir(dump, templates.map((oid) => `base/${oid}`));
        if (dir && entry) writeCached(dir, entry, dataDir);
      }
      await parser;
    } catch (err) {
      await worker.terminate();
      const what = options.name ?? `seed ${seed}`;
      throw new AppError('EXECUTION_FAILED', `sample database (${what}) did not start: ${(err as Error).message}`, { seed, ...(options.name ? { database: options.name } : {}) });
    }
    return { worker, dataDir: dataDir!, boot: { source, ms: Math.round(performance.now() - (early?.started ?? started)), cacheFile: entry } };
  })();
  return Object.assign(db, { started: db.attachBoot(booting) }, options.name === undefined ? {} : { name: options.name });
}

/** The test-suite databases used for execution match: one per seed, booted in parallel. */
export async function openTestSuite(
  options: Omit<OpenSampleDatabaseOptions, 'seed'> & { seeds?: number[] },
): Promise<SampleDatabase[]> {
  const { seeds = [1, 2, 3], ...rest } = options;
  return openDatabases(seeds.map((seed) => ({ ...rest, seed })));
}

/** Several databases booted in parallel: all of them, or none (those that started are closed) and the first failure. */
export async function openDatabases(list: readonly OpenSampleDatabaseOptions[]): Promise<SampleDatabase[]> {
  const opened = await Promise.allSettled(list.map((options) => openSampleDatabase(options)));
  const failure = opened.find((r) => r.status === 'rejected');
  const databases = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (failure) {
    await closeAll(databases);
    throw failure.reason;
  }
  return databases;
}

/**
 * A database that boots on first use: the test-suite seeds beyond the first
 * are needed only for execution-based rewards, so a generate-mode process
 * never pays for them. `boot` reports the seed's state once it has started.
 */
export function openOnFirstUse(options: OpenSampleDatabaseOptions & { seed: number }): SampleDatabase {
  let opening: Promise<SampleDatabase> | undefined;
  let closed = false;
  const open = () => {
    if (closed) return Promise.reject(new AppError('EXECUTION_FAILED', `sample database (seed ${options.seed}) is closed`, { seed: options.seed }));
    return (opening ??= openSampleDatabase(options));
  };
  return {
    seed: options.seed,
    label: `seed ${options.seed}`,
    get boot() {
      return { source: 'built' as const, ms: 0 };
    },
    query: async (sql, queryOptions) => (await open()).query(sql, queryOptions),
    explain: async (sql, explainOptions) => (await open()).explain(sql, explainOptions),
    readValueDomains: async (catalog, maxDistinct) => (await open()).readValueDomains(catalog, maxDistinct),
    derived: async (name, compute) => (await open()).derived(name, compute),
    close: async () => {
      closed = true;
      if (opening) await (await opening.catch(() => undefined))?.close();
    },
  };
}

export async function closeAll(databases: readonly Database[]): Promise<void> {
  await Promise.all(databases.map((db) => db.close()));
}

interface Running {
  id: number;
  resolve: (reply: WorkerReply) => void;
  reject: (err: unknown) => void;
}

class WorkerDatabase implements SampleDatabase {
  boot: SampleDatabase['boot'] = { source: 'built', ms: 0 };
  private worker: Worker | undefined;
  private booting: Promise<Worker> | undefined;
  private dataDir: Uint8Array | undefined;
  private bootFailure: unknown;
  private tail: Promise<unknown> = Promise.resolve();
  private running: Running | undefined;
  private nextId = 1;
  private closed = false;

  readonly label: string;

  constructor(
    readonly seed: number,
    private readonly timeoutMs: number,
    /** The cache entry, when known before the boot: `derived` values beside it are read at once. */
    private cacheFile: string | undefined,
  ) {
    this.label = `seed ${seed}`;
  }

  /** Takes the first boot as the live worker; resolves when it is up. */
  attachBoot(booting: Promise<{ worker: Worker; dataDir: Uint8Array; boot: SampleDatabase['boot'] }>): Promise<void> {
    const up = booting.catch((err: unknown) => {
      this.bootFailure = err;
      throw err;
    }).then(async ({ worker, dataDir, boot }) => {
      this.dataDir = dataDir;
      this.boot = boot;
      this.cacheFile = boot.cacheFile;
      if (this.closed) {
        await worker.terminate();
        throw new AppError('EXECUTION_FAILED', 'the database is closed');
      }
      this.attach(worker);
      return worker;
    });
    this.booting = up.finally(() => {
      this.booting = undefined;
    });
    // Callers of the database see the failure through their calls; `started` reports it too.
    this.booting.catch(() => undefined);
    return up.then(() => undefined);
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const rowLimit = checkRowLimit(options.rowLimit ?? DEFAULT_ROW_LIMIT);
    const statement = gate(sql);
    const prefix = CURSOR_PREFIX;
    const reply = await this.run(
      {
        before: 'BEGIN READ ONLY',
        statement: prefix + statement.text,
        after: `FETCH FORWARD ${rowLimit + 1} FROM ${CURSOR};\nROLLBACK`,
      },
      { ...options, sql, statement, prefix },
    );
    const truncated = reply.rows.length > rowLimit;
    return { columns: reply.columns, rows: truncated ? reply.rows.slice(0, rowLimit) : reply.rows, truncated };
  }

  async explain(sql: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<unknown> {
    const statement = gate(sql);
    const prefix = EXPLAIN_PREFIX;
    const reply = await this.run({ statement: prefix + statement.text }, { ...options, sql, statement, prefix });
    const plan = reply.rows[0]?.[0];
    return typeof plan === 'string' ? JSON.parse(plan) : plan;
  }

  readValueDomains(catalog: Catalog, maxDistinct = 12): Promise<ValueDomains> {
    return this.derived(`value-domains-${dataDirKey([catalog.ddl, String(maxDistinct)])}`, () => this.queryValueDomains(catalog, maxDistinct));
  }

  derived<T>(name: string, compute: () => Promise<T>): Promise<T> {
    return cachedJson(this.cacheFile && `${this.cacheFile}.${name}.json`, compute);
  }

  private async queryValueDomains(catalog: Catalog, maxDistinct: number): Promise<ValueDomains> {
    const domains: ValueDomains = dictionary();
    for (const table of catalog.tables) {
      const columns = domainColumns(table);
      if (columns.length === 0) continue;
      const { rows } = await this.query(valueDomainSql(columns, sqlIdentifier(table.name), maxDistinct), { rowLimit: 1 });
      readDomainRow(domains, table.name, columns, rows[0]!, maxDistinct);
    }
    return domains;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker ?? (await this.booting?.catch(() => undefined));
    this.worker = undefined;
    this.running?.reject(new AppError('EXECUTION_FAILED', 'the database was closed'));
    await worker?.terminate();
  }

  /** Queues one request; a caller whose signal aborts is rejected with the abort reason, before or during its run. */
  private run(
    request: Omit<WorkerRequest, 'id'>,
    context: { sql: string; statement: GatedStatement; prefix: string; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<Extract<WorkerReply, { ok: true }>> {
    const { signal } = context;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const result = this.tail.then(async () => {
      if (signal?.aborted) throw signal.reason;
      if (this.closed) throw new AppError('EXECUTION_FAILED', 'the database is closed');
      const reply = await this.send({ ...request, id: this.nextId++ }, signal, context.timeoutMs ?? this.timeoutMs);
      if (!reply.ok) throw executionError(reply.error, context);
      return reply;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async send(request: WorkerRequest, signal: AbortSignal | undefined, timeoutMs: number): Promise<WorkerReply> {
    const worker = await this.ready();
    return new Promise<WorkerReply>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.running = undefined;
        worker.unref();
      };
      // A statement cannot be interrupted inside WASM: stopping it means stopping its thread.
      const stop = (reason: unknown) => {
        finish();
        this.restart(worker);
        reject(reason);
      };
      const onAbort = () => stop(signal!.reason);
      const timer = setTimeout(
        () => stop(new AppError('QUERY_TIMEOUT', `statement exceeded ${timeoutMs} ms and was stopped`, { timeout_ms: timeoutMs })),
        timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.running = {
        id: request.id,
        resolve: (reply) => {
          finish();
          resolve(reply);
        },
        reject: (err) => {
          finish();
          reject(err);
        },
      };
      worker.ref();
      worker.postMessage(request);
    });
  }

  /** An idle worker does not keep the process alive: a caller that forgets `close()` does not hang its exit. */
  private attach(worker: Worker): void {
    this.worker = worker;
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      if (this.running && reply.id === this.running.id) this.running.resolve(reply);
    });
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.running?.reject(new AppError('EXECUTION_FAILED', `the database worker stopped (${reason})`));
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
  }

  private restart(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }

  /** The live worker, booting a fresh one from the data directory after a stop. */
  private async ready(): Promise<Worker> {
    if (this.worker) return this.worker;
    if (!this.booting && !this.dataDir) throw this.bootFailure;
    this.booting ??= (async () => {
      const worker = startWorker({ dataDir: this.dataDir! });
      try {
        await workerReady(worker);
      } catch (err) {
        await worker.terminate();
        throw new AppError('EXECUTION_FAILED', `sample database (seed ${this.seed}) did not restart: ${(err as Error).message}`);
      }
      if (this.closed) {
        await worker.terminate();
        throw new AppError('EXECUTION_FAILED', 'the database is closed');
      }
      this.attach(worker);
      return worker;
    })().finally(() => {
      this.booting = undefined;
    });
    return this.booting;
  }
}

