/**
 * A user's PostgreSQL server as a `Database` (see engine.ts), through
 * node-postgres with a small pool.
 *
 * SQL the system did not write itself goes through `gate` (exactly one
 * read-only statement, checked by Postgres' own parser) and is then sent
 * alone through the extended protocol (`queryMode: 'extended'`: the server
 * refuses more than one command there), inside a transaction this module
 * opens with its own text:
 *
 *   BEGIN READ ONLY; SET LOCAL statement_timeout …; SET LOCAL lock_timeout …;
 *   SET LOCAL idle_in_transaction_session_timeout …
 *   DECLARE gl_rl_rows NO SCROLL CURSOR FOR <statement>      (alone)
 *   FETCH FORWARD <cap + 1> FROM gl_rl_rows; ROLLBACK
 *
 * and every connection also starts with `default_transaction_read_only = on`.
 * A statement over its budget is cancelled by the server itself
 * (statement_timeout) and reported as QUERY_TIMEOUT; a caller's abort sends
 * the protocol's cancel request; a server that stops answering altogether has
 * its connection destroyed after the budget and a grace period, so nothing
 * waits forever and the pool keeps only healthy connections.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { AppError } from '../errors.js';
import type { Catalog } from '../schema/types.js';
import { cachedJson, defaultCacheDir } from './datadir-cache.js';
import {
  checkRowLimit, CURSOR, CURSOR_PREFIX, DEFAULT_ROW_LIMIT, domainColumns, EXPLAIN_PREFIX, gate, readDomainRow, skippable, valueDomainSql,
  type Database, type GatedStatement, type QueryOptions, type QueryResult, type ValueDomains,
} from './engine.js';
import { sqlIdentifier } from './sample-data.js';
import { connectError, serverError } from './server-errors.js';
import { parseDatabaseUrl, type DatabaseTarget } from './url.js';

export interface ServerDatabaseOptions {
  url: string;
  /** The schemas unqualified names resolve in, in order (`search_path`). Default `public`. */
  schemas?: string[];
  /** Budget of one statement. Default 5 s. */
  statementTimeoutMs?: number;
  /** Longest wait for a lock. Default 1 s. */
  lockTimeoutMs?: number;
  /** Longest wait for a connection (connect, or a free slot in the pool). Default 5 s. */
  connectTimeoutMs?: number;
  /** Connections kept. Default 4. */
  poolSize?: number;
  /** Where derived values are kept; `false` disables. Default: see `defaultCacheDir`. */
  cacheDir?: string | false;
  /** Rows read per table when sampling values. Default 10,000. */
  sampleRows?: number;
  /** Budget of one sampling query; a table not sampled in time is skipped. Default 2 s. */
  sampleTimeoutMs?: number;
  /** Ignore derived values kept on disk (and write them anew). */
  refresh?: boolean;
}


/** Extra time a silent server gets past a statement's budget before its connection is given up. */
const GRACE_MS = 2000;

export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

// Values as the sample databases give them (database.ts): dates and timestamps as Postgres' text,
// BIGINT as a number when exact, JSON as its text.
const TEXT = (value: string) => value;
const TYPE_PARSERS: Record<number, (value: string) => unknown> = {
  1082: TEXT, 1114: TEXT, 1184: TEXT, 114: TEXT, 3802: TEXT,
  20: (value) => (Number.isSafeInteger(Number(value)) ? Number(value) : value),
};
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export class ServerDatabase implements Database {
  readonly label: string;
  readonly target: DatabaseTarget;
  readonly schemas: string[];
  readonly statementTimeoutMs: number;
  private readonly lockTimeoutMs: number;
  private readonly pool: pg.Pool;
  private readonly cacheDir: string | undefined;
  readonly sampleRows: number;
  private readonly poolSize: number;
  private readonly sampleTimeoutMs: number;
  private readonly refresh: boolean;
  private closed = false;
  /** Keys the derived values kept on disk: the introspected definitions' fingerprint, once known. */
  fingerprint: string | undefined;

  constructor(options: ServerDatabaseOptions) {
    this.target = parseDatabaseUrl(options.url);
    this.label = this.target.label;
    this.schemas = options.schemas?.length ? options.schemas : ['public'];
    this.statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 1000;
    this.cacheDir = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultCacheDir());
    this.sampleRows = options.sampleRows ?? 10_000;
    this.poolSize = options.poolSize ?? 4;
    this.sampleTimeoutMs = options.sampleTimeoutMs ?? 2000;
    this.refresh = options.refresh ?? false;
    const searchPath = this.schemas.map((s) => sqlIdentifier(s).replaceAll('\\', '\\\\').replaceAll(' ', '\\ ')).join(',');
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: this.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
      keepAlive: true,
      application_name: 'gl-rl',
      options: `-c default_transaction_read_only=on -c search_path=${searchPath}`,
      // Our BEGIN, the statement and the ROLLBACK go out together (see `untrusted`).
      pipeline: true,
      types,
    });
    // An idle connection lost (server restart): the pool drops it and connects anew on next use.
    this.pool.on('error', () => undefined);
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const rowLimit = checkRowLimit(options.rowLimit ?? DEFAULT_ROW_LIMIT);
    const statement = gate(sql);
    const result = await this.untrusted(statement, CURSOR_PREFIX, options, `FETCH FORWARD ${rowLimit + 1} FROM ${CURSOR}`);
    const rows = result.rows;
    const truncated = rows.length > rowLimit;
    return { columns: result.fields.map((f) => f.name), rows: truncated ? rows.slice(0, rowLimit) : rows, truncated };
  }

  async explain(sql: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<unknown> {
    const statement = gate(sql);
    const result = await this.untrusted(statement, EXPLAIN_PREFIX, options);
    const plan = result.rows[0]?.[0];
    return typeof plan === 'string' ? JSON.parse(plan) : plan;
  }

  /**
   * Bounded sampling: per table, at most `sampleRows` rows are read
   * (`LIMIT` in a subquery, so the server stops scanning there), under the
   * statement budget; a table that cannot be sampled in time is skipped.
   * Sensitive columns are never read.
   */
  readValueDomains(catalog: Catalog, maxDistinct = 12): Promise<ValueDomains> {
    return this.derived(`value-domains-${maxDistinct}-${this.sampleRows}`, () => this.sampleValueDomains(catalog, maxDistinct));
  }

  /**
   * `readValueDomains` without the cache. The sampling SQL is the system's
   * own (quoted catalog names), so each connection of the pool samples its
   * share of the tables in one read-only transaction, a statement per table
   * under the sampling budget; a table over it is skipped and the rest go on
   * in a new transaction.
   */
  async sampleValueDomains(catalog: Catalog, maxDistinct = 12): Promise<ValueDomains> {
    const domains: ValueDomains = {};
    const pending = catalog.tables.filter((t) => domainColumns(t).length > 0);
    const sampleShare = async (client: pg.PoolClient): Promise<void> => {
      for (let table = pending.shift(); table; table = pending.shift()) {
        const columns = domainColumns(table);
        const from = `(SELECT ${columns.map((c) => sqlIdentifier(c.name)).join(', ')} FROM ${sqlIdentifier(table.name)} LIMIT ${this.sampleRows}) AS sample`;
        try {
          const { rows } = await client.query<unknown[]>({ text: valueDomainSql(columns, from, maxDistinct), rowMode: 'array' });
          readDomainRow(domains, table.name, columns, rows[0]!, maxDistinct);
        } catch (err) {
          const mapped = serverError(err, this.target, undefined, this.sampleTimeoutMs);
          if (!skippable(mapped)) throw mapped;
          return; // the transaction is aborted: the next tables go on in a new one
        }
      }
    };
    const worker = async () => {
      while (pending.length > 0) await this.transaction({ timeoutMs: this.sampleTimeoutMs }, sampleShare);
    };
    await Promise.all(Array.from({ length: this.poolSize }, worker));
    // In catalog order, whatever order the answers came in.
    return Object.fromEntries(catalog.tables.flatMap((t) => (domains[t.name] ? [[t.name, domains[t.name]!]] : [])));
  }

  derived<T>(name: string, compute: () => Promise<T>): Promise<T> {
    const file = this.cacheDir && this.fingerprint ? join(this.cacheDir, `server-${this.fingerprint}.${name}.json`) : undefined;
    return cachedJson(file, compute, this.refresh);
  }

  /**
   * Our own catalog queries (introspection, privileges), read-only and under
   * the statement budget, with parameters; never SQL from outside.
   */
  async catalogQuery<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    const [rows] = await this.catalogQueries([{ text, values }]);
    return rows as R[];
  }

  /** Several of our own catalog queries in one read-only transaction (fewer round trips). */
  async catalogQueries(queries: Array<{ text: string; values?: unknown[] }>): Promise<pg.QueryResultRow[][]> {
    return this.transaction({}, async (client) => {
      const results: pg.QueryResultRow[][] = [];
      for (const q of queries) results.push((await client.query(q.text, q.values ?? [])).rows);
      return results;
    });
  }

  /** Checks the server answers (a round trip); DATABASE_UNAVAILABLE naming what to check otherwise. */
  async ping(): Promise<void> {
    await this.catalogQuery('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }

  /**
   * The gated statement alone, after `prefix`, in the read-only transaction;
   * `fetch` (our own text) reads what it left (the cursor). Everything is
   * queued at once on the pipelined connection: one round trip to the server.
   */
  private untrusted(
    statement: GatedStatement,
    prefix: string,
    options: { signal?: AbortSignal; timeoutMs?: number },
    fetch?: string,
  ): Promise<pg.QueryResult<unknown[]>> {
    const timeoutMs = Math.round(options.timeoutMs ?? this.statementTimeoutMs);
    return this.transaction(
      options,
      (client) => {
        const sent = client
          .query({ text: prefix + statement.text, rowMode: 'array', queryMode: 'extended' } as pg.QueryConfig)
          .catch((err: unknown) => {
            throw serverError(err, this.target, { statement, prefix }, timeoutMs);
          }) as Promise<pg.QueryResult<unknown[]>>;
        if (!fetch) return sent;
        const fetched = client.query<unknown[]>({ text: fetch, rowMode: 'array' });
        // When the statement fails, the fetch fails after it (the transaction is aborted): the statement's error is the one reported.
        fetched.catch(() => undefined);
        return sent.then(() => fetched);
      },
      { pipelined: true },
    );
  }

  /**
   * Our transaction around `work`, on a pooled connection. A caller's abort
   * rejects at once with its reason; the statement is cancelled on the server
   * and the connection rolled back (or given up) before it returns to the pool.
   * `pipelined` work queues all its statements before its first answer, so the
   * ROLLBACK is queued right after them.
   */
  private transaction<T>(
    options: { signal?: AbortSignal; timeoutMs?: number },
    work: (client: pg.PoolClient) => Promise<T>,
    mode: { pipelined?: boolean } = {},
  ): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const running = this.inTransaction(options, work, mode.pipelined === true);
    if (!signal) return running;
    running.catch(() => undefined);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      running.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async inTransaction<T>(
    options: { signal?: AbortSignal; timeoutMs?: number },
    work: (client: pg.PoolClient) => Promise<T>,
    pipelined: boolean,
  ): Promise<T> {
    const { signal } = options;
    if (this.closed) throw new AppError('DATABASE_UNAVAILABLE', `${this.label}: the connection pool is closed`);
    const timeoutMs = options.timeoutMs ?? this.statementTimeoutMs;
    const client = await this.pool.connect().catch((err: unknown) => {
      throw connectError(err, this.target);
    });
    let destroy = false;
    let silent = false;
    // A connection lost while checked out: its queries fail with the cause, and it is not reused.
    const onLost = () => {
      destroy = true;
    };
    client.on('error', onLost);
    // A server that stops answering (network gone, host frozen): the connection is given up.
    const guard = setTimeout(() => {
      silent = destroy = true;
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }, timeoutMs + GRACE_MS);
    const onAbort = () => this.cancel(client);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const ms = Math.max(1, Math.round(timeoutMs));
    const settled = <V>(promise: Promise<V>) => promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
    try {
      const begin = settled(
        client.query(
          `BEGIN READ ONLY; SET LOCAL statement_timeout = ${ms}; SET LOCAL lock_timeout = ${Math.min(ms, this.lockTimeoutMs)}; ` +
            `SET LOCAL idle_in_transaction_session_timeout = ${ms + GRACE_MS}`,
        ),
      );
      let working: ReturnType<typeof settled<T>>;
      if (pipelined) working = settled(work(client));
      else {
        const started = await begin;
        working = started.ok ? settled(work(client)) : Promise.resolve({ ok: false as const, error: started.error });
      }
      const end = pipelined ? settled(client.query('ROLLBACK')) : working.then(() => settled(client.query('ROLLBACK')));
      const [opened, outcome, closed] = await Promise.all([begin, working, end]);
      if (!closed.ok) destroy = true;
      if (silent) {
        throw new AppError('QUERY_TIMEOUT', `${this.label} did not answer within ${ms + GRACE_MS} ms; check the server and the network`, {
          timeout_ms: ms,
        });
      }
      const failure = !opened.ok ? opened.error : !outcome.ok ? outcome.error : !closed.ok ? closed.error : undefined;
      if (failure !== undefined) throw failure instanceof AppError ? failure : serverError(failure, this.target, undefined, ms);
      return (outcome as { value: T }).value;
    } finally {
      clearTimeout(guard);
      signal?.removeEventListener('abort', onAbort);
      client.off('error', onLost);
      client.release(destroy);
    }
  }

  /**
   * The protocol's CancelRequest for what `client` is running: a separate
   * short connection that needs no login, only the key the server gave the
   * session. A cancel that cannot be delivered leaves the statement to its
   * statement_timeout.
   */
  private cancel(client: pg.PoolClient): void {
    const { processID, secretKey } = client as unknown as { processID: number | null; secretKey: number | null };
    if (processID === null || secretKey === null) return;
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(80877102, 4);
    packet.writeInt32BE(processID, 8);
    packet.writeInt32BE(secretKey, 12);
    const socket = connect({ host: this.target.host, port: this.target.port }, () => socket.end(packet));
    socket.on('error', () => undefined);
    socket.setTimeout(GRACE_MS, () => socket.destroy());
  }

}
