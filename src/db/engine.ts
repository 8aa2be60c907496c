/**
 * What every database engine offers the agents, whichever it is: the seeded
 * sample databases (PGlite, database.ts) and a user's PostgreSQL server
 * (server.ts) both implement `Database`, so the validator, the executor and
 * the rewards never branch on the engine. The gate that keeps SQL the system
 * did not write itself from reaching either engine lives here, once.
 */
import { dictionary } from '../dictionary.js';
import { AppError } from '../errors.js';
import type { Catalog } from '../schema/types.js';
import { checkReadOnly } from '../sql/safety.js';
import { sqlIdentifier } from './sample-data.js';

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  /** More rows than `rowLimit` existed; only the first `rowLimit` are returned. */
  truncated: boolean;
}

export interface QueryOptions {
  /** Default 1,000. */
  rowLimit?: number;
  signal?: AbortSignal;
  /** Overrides the database's statement timeout for this call. */
  timeoutMs?: number;
}

export type ValueDomains = Record<string, Record<string, string[]>>;

export interface Database {
  /** What the database is, for summaries and logs (never a secret): `seed 2`, `db.example.com:5432/erp`. */
  readonly label: string;
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  /** The `EXPLAIN (FORMAT JSON)` document: `[{ Plan: { 'Node Type', 'Total Cost', 'Plan Rows', … } }]`. */
  explain(sql: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>;
  /** Distinct values of low-cardinality text columns (at most `maxDistinct`, and repeated across rows); sensitive columns never. */
  readValueDomains(catalog: Catalog, maxDistinct?: number): Promise<ValueDomains>;
  /**
   * A value computed from the data alone (JSON), computed once and kept on
   * disk, so later starts read it instead of querying. `name` must identify
   * the computation and its arguments.
   */
  derived<T>(name: string, compute: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const DEFAULT_ROW_LIMIT = 1000;
export const CURSOR = 'gl_rl_rows';
export const EXPLAIN_PREFIX = 'EXPLAIN (FORMAT JSON)\n';
export const CURSOR_PREFIX = `DECLARE ${CURSOR} NO SCROLL CURSOR FOR\n`;

export function checkRowLimit(rowLimit: number): number {
  if (!Number.isSafeInteger(rowLimit) || rowLimit < 0) {
    throw new AppError('INVALID_INPUT', `rowLimit must be a non-negative integer, got ${rowLimit}`, { field: 'rowLimit' });
  }
  return rowLimit;
}

export interface GatedStatement {
  /** The statement's own text (no trailing semicolon), as sent after the prefix. */
  text: string;
  /** Its offset, in characters, in the caller's SQL. */
  offset: number;
}

/** Nothing reaches a database unless the parser shows one read-only statement. */
export function gate(sql: string): GatedStatement {
  if (typeof sql !== 'string') throw new AppError('INVALID_INPUT', 'sql must be a string', { field: 'sql' });
  const safety = checkReadOnly(sql);
  if (!safety.ok) {
    const first = safety.violations[0];
    throw new AppError('UNSAFE_SQL', safety.violations.map((v) => v.message).join('; '), {
      position: first?.position,
      violations: safety.violations.map((v) => v.kind),
    });
  }
  // libpg-query reports byte offsets; JavaScript strings count UTF-16 units.
  const bytes = Buffer.from(sql, 'utf8');
  const { stmt_location: location = 0, stmt_len: length = 0 } = safety.tree.stmts[0];
  const text = bytes.subarray(location, length > 0 ? location + length : undefined).toString('utf8');
  return { text, offset: bytes.subarray(0, location).toString('utf8').length };
}

/** A statement's failure, its position moved from the text the database received back into the caller's SQL. */
export function executionError(
  error: { message: string; code?: string; position?: number },
  context: { statement: GatedStatement; prefix: string },
): AppError {
  // Postgres counts 1-based characters in the statement it received: the prefix, then the caller's statement.
  const inStatement = error.position !== undefined ? error.position - 1 - context.prefix.length : -1;
  const position = inStatement >= 0 && inStatement < context.statement.text.length ? context.statement.offset + inStatement : undefined;
  return new AppError('EXECUTION_FAILED', error.message, { position, sqlstate: error.code });
}

/** Columns whose values may make a domain: text (or declared with one), not keys, not sensitive. */
export function domainColumns(table: Catalog['tables'][number]) {
  return table.columns.filter((c) => (c.category === 'text' || c.valueDomain) && !c.primaryKey && !c.unique && !c.sensitive);
}

/**
 * One pass over `from` (a table, or a bounded sample of it): the row count,
 * then per column its distinct count and up to maxDistinct + 1 values.
 */
export function valueDomainSql(columns: Array<{ name: string }>, from: string, maxDistinct: number): string {
  const parts = columns.flatMap((c) => {
    const col = `${sqlIdentifier(c.name)}::text`;
    return [`count(DISTINCT ${col})`, `(array_agg(DISTINCT ${col}) FILTER (WHERE ${col} IS NOT NULL))[1:${maxDistinct + 1}]`];
  });
  return `SELECT count(*), ${parts.join(', ')} FROM ${from}`;
}

/** Reads the pass of `valueDomainSql` into `domains`: a column whose values barely repeat (names, codes) has none. */
export function readDomainRow(domains: ValueDomains, table: string, columns: Array<{ name: string }>, row: unknown[], maxDistinct: number): void {
  const [total, ...cells] = row as [number, ...unknown[]];
  columns.forEach((c, k) => {
    const distinct = Number(cells[2 * k]);
    const values = (cells[2 * k + 1] as string[] | null) ?? [];
    if (distinct === 0 || distinct > maxDistinct || distinct * 2 > Number(total)) return;
    (domains[table] ??= dictionary())[c.name] = values;
  });
}

/** A sampling query that failed on its own (over budget, a type without text output): the table is skipped. */
export function skippable(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code === 'QUERY_TIMEOUT' || code === 'EXECUTION_FAILED';
}
