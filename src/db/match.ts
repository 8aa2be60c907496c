/**
 * Execution match: is a predicted query's result the gold query's result?
 *
 * The metric is test-suite execution match (Zhong, Yu & Klein 2020): both
 * queries run on several seeded sample databases and the prediction counts as
 * correct only when the results agree on every one of them, so a query that is
 * right by accident on one data set is caught by another.
 *
 * Results are compared without names or order: the relaxed comparison (the
 * headline metric) looks for an assignment of each gold column to a distinct
 * predicted column under which the projected predicted rows equal the gold
 * rows as multisets; extra predicted columns are allowed. Strict also requires
 * as many columns as the gold. Values are canonicalized first: numbers (and
 * the numeric strings Postgres returns for DECIMAL) to 4 decimals, dates and
 * timestamps to ISO strings, null equal to null.
 */
import { isAppError, isUnavailable, type ErrorCode } from '../errors.js';
import { parseSql, loadParser } from '../sql/parser.js';
import { checkReadOnly } from '../sql/safety.js';

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
}

/** What the comparison needs from a database: `SampleDatabase` (src/db/database.ts) fits it. */
export interface ResultSource {
  query(sql: string, options: { rowLimit?: number; signal?: AbortSignal; timeoutMs?: number }): Promise<QueryResult & { truncated?: boolean }>;
  name?: string;
  /** What the database is (`seed 2`, `user@host:5432/db`). */
  label?: string;
  seed?: number;
}

export interface CompareOptions {
  strict?: boolean;
}

export interface Comparison {
  match: boolean;
  /** Some gold row or some whole gold column appears in the prediction (always true on a match). */
  partial: boolean;
  /** Why there is no match. */
  reason?: string;
  /** On a match: the predicted column index for each gold column. */
  mapping?: number[];
}

/** Past this many assignment attempts the search gives up and reports no match. */
const SEARCH_LIMIT = 20_000;
/** Past this many gold×predicted row pairs the row-overlap check stops looking. */
const OVERLAP_PAIR_LIMIT = 2_000_000;

const NUMERIC_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const PLAIN_DATE_TEXT = /^\d{4}-(0[1-9]|1[0-2])-\d{2}$/;
const ISO_DATE_TEXT = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The canonical, type-tagged text of one value, so equal values have equal keys. */
export function canonicalValue(value: unknown): string {
  if (value === null || value === undefined) return 'z';
  if (typeof value === 'number') return numberKey(value);
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? numberKey(Number(value)) : `n:${value.toString()}`;
  }
  if (typeof value === 'boolean') return `b:${value}`;
  if (value instanceof Date) return dateKey(value);
  if (typeof value === 'string') {
    if (NUMERIC_TEXT.test(value)) return numberKey(Number(value));
    // A plain date on a day every month has: the key parseIsoText would give, without building a Date.
    if (PLAIN_DATE_TEXT.test(value)) {
      const day = Number(value.slice(8));
      if (day >= 1 && day <= 28) return `d:${value}T00:00:00.000Z`;
    }
    const date = parseIsoText(value);
    return date ? dateKey(date) : `s:${value}`;
  }
  if (Array.isArray(value)) return `a:${JSON.stringify(value.map(canonicalValue))}`;
  if (value instanceof Uint8Array) return `x:${Buffer.from(value).toString('hex')}`;
  return `o:${JSON.stringify(value)}`;
}

/** A date or timestamp written as text; a timestamp without zone is UTC, as Postgres' `timestamp` comes back. */
function parseIsoText(text: string): Date | undefined {
  const m = ISO_DATE_TEXT.exec(text);
  if (!m) return undefined;
  const [, day, time, zone] = m;
  if (time === undefined) return validDate(new Date(`${day}T00:00:00Z`));
  const offset = zone === undefined || zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  return validDate(new Date(`${day}T${time}${offset}`));
}

function validDate(date: Date): Date | undefined {
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function numberKey(x: number): string {
  if (!Number.isFinite(x)) return `n:${x}`;
  const rounded = Math.round(x * 1e4) / 1e4;
  return `n:${Object.is(rounded, -0) ? 0 : rounded}`;
}

function dateKey(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'd:invalid' : `d:${date.toISOString()}`;
}

type Multiset<K> = Map<K, number>;

function multiset<K>(keys: Iterable<K>): Multiset<K> {
  const counts: Multiset<K> = new Map();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

function sameMultiset<K>(a: Multiset<K>, b: Multiset<K>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, n] of a) if (b.get(k) !== n) return false;
  return true;
}

/**
 * The result as value ids, column-major (`cols[c][r]`), with each column's
 * multiset signature. Ids come from one comparison's `ValueIds`: equal ids
 * for values whose canonical keys are equal.
 */
interface Canonical {
  width: number;
  height: number;
  cols: Int32Array[];
  signature: string[];
}

/**
 * Canonical keys interned as small integers for one comparison: statuses,
 * names and dates repeat down a column and across both sides, so each
 * distinct value is canonicalized once, and rows and signatures are built
 * from numbers instead of key strings.
 */
class ValueIds {
  private readonly byText = new Map<string, number>();
  private readonly byNumber = new Map<number, number>();
  private readonly byKey = new Map<string, number>();

  id(value: unknown): number {
    if (typeof value === 'string') return this.memo(this.byText, value);
    if (typeof value === 'number') return this.memo(this.byNumber, value);
    return this.keyId(canonicalValue(value));
  }

  private memo<V>(seen: Map<V, number>, value: V): number {
    let id = seen.get(value);
    if (id === undefined) seen.set(value, (id = this.keyId(canonicalValue(value))));
    return id;
  }

  private keyId(key: string): number {
    let id = this.byKey.get(key);
    if (id === undefined) this.byKey.set(key, (id = this.byKey.size));
    return id;
  }
}

function canonicalize(result: QueryResult, ids: ValueIds): Canonical {
  const width = result.columns.length;
  const height = result.rows.length;
  const cols = Array.from({ length: width }, (_, c) => {
    const col = new Int32Array(height);
    for (let r = 0; r < height; r++) col[r] = ids.id(result.rows[r][c]);
    return col;
  });
  const signature = cols.map((col) => col.slice().sort().join(','));
  return { width, height, cols, signature };
}

function projectedRows(table: Canonical, columns: number[]): Multiset<string> {
  const keys: string[] = [];
  for (let r = 0; r < table.height; r++) keys.push(columns.map((c) => table.cols[c][r]).join(','));
  return multiset(keys);
}

export function compareResults(gold: QueryResult, predicted: QueryResult, options: CompareOptions = {}): Comparison {
  // An equivalent prediction usually returns the very same values in the same order: no canonical keys needed.
  if (sameValues(gold, predicted)) return { match: true, partial: true, mapping: gold.columns.map((_, c) => c) };
  const ids = new ValueIds();
  const g = canonicalize(gold, ids);
  const p = canonicalize(predicted, ids);
  const failure = (reason: string): Comparison => ({ match: false, partial: overlaps(g, p), reason });

  if (options.strict && p.width !== g.width) {
    return failure(`strict: ${p.width} predicted column(s) for ${g.width} gold column(s)`);
  }
  if (p.width < g.width) return failure(`${p.width} predicted column(s) for ${g.width} gold column(s)`);
  if (p.height !== g.height) return failure(`${p.height} predicted row(s) for ${g.height} gold row(s)`);

  const predictedBySignature = new Map<string, number[]>();
  p.signature.forEach((sig, c) => predictedBySignature.set(sig, [...(predictedBySignature.get(sig) ?? []), c]));
  const candidates = g.signature.map((sig) => predictedBySignature.get(sig) ?? []);
  const unmatched = candidates.findIndex((list) => list.length === 0);
  if (unmatched >= 0) {
    return failure(`gold column "${gold.columns[unmatched]}" has no predicted column with the same values`);
  }

  const mapping = assignColumns(g, p, candidates);
  if (mapping === 'limit') return failure('column assignment search exceeded its limit');
  if (mapping === undefined) return failure('columns match one by one but the rows differ');
  return { match: true, partial: true, mapping };
}

/** Same width, same rows in the same order, each value identical as given: equal under any canonicalization. */
function sameValues(a: QueryResult, b: QueryResult): boolean {
  if (a.columns.length !== b.columns.length || a.rows.length !== b.rows.length) return false;
  for (let r = 0; r < a.rows.length; r++) {
    const x = a.rows[r];
    const y = b.rows[r];
    for (let c = 0; c < a.columns.length; c++) if (!Object.is(x[c], y[c])) return false;
  }
  return true;
}

/**
 * Backtracking over gold columns, fewest candidates first. After each choice
 * the rows projected on the columns assigned so far must already agree as
 * multisets, which prunes almost every wrong branch at once. Predicted columns
 * holding the very same values row by row are interchangeable, so only one of
 * them is tried per slot.
 */
function assignColumns(g: Canonical, p: Canonical, candidates: number[][]): number[] | undefined | 'limit' {
  const order = candidates.map((_, i) => i).sort((a, b) => candidates[a].length - candidates[b].length);
  const vector = p.cols.map((col) => col.join(','));
  const chosen: number[] = new Array(g.width);
  const used = new Set<number>();
  let steps = 0;

  const search = (depth: number): boolean | 'limit' => {
    if (depth === order.length) return true;
    const goldCol = order[depth];
    const tried = new Set<string>();
    for (const predCol of candidates[goldCol]) {
      if (used.has(predCol) || tried.has(vector[predCol])) continue;
      tried.add(vector[predCol]);
      if (++steps > SEARCH_LIMIT) return 'limit';
      chosen[goldCol] = predCol;
      const assignedGold = order.slice(0, depth + 1);
      if (!sameMultiset(projectedRows(g, assignedGold), projectedRows(p, assignedGold.map((c) => chosen[c])))) continue;
      used.add(predCol);
      const found = search(depth + 1);
      used.delete(predCol);
      if (found) return found;
    }
    return false;
  };

  const found = search(0);
  if (found === 'limit') return 'limit';
  return found ? chosen : undefined;
}

/** A whole gold column found among the predicted columns, or a gold row contained in a predicted row. */
function overlaps(g: Canonical, p: Canonical): boolean {
  if (g.height === 0 || p.height === 0) return false;
  const predictedSignatures = new Set(p.signature);
  if (g.signature.some((sig) => predictedSignatures.has(sig))) return true;
  if (g.width === 0) return false;

  const rowValues = (t: Canonical, r: number) => t.cols.map((col) => col[r]);
  const sortedRow = (t: Canonical, r: number) => rowValues(t, r).sort((a, b) => a - b).join(',');
  const sortedRows = new Set(Array.from({ length: p.height }, (_, r) => sortedRow(p, r)));
  for (let r = 0; r < g.height; r++) if (sortedRows.has(sortedRow(g, r))) return true;
  if (p.width <= g.width) return false;

  const predictedRows = Array.from({ length: p.height }, (_, r) => multiset(rowValues(p, r)));
  let pairs = 0;
  for (let r = 0; r < g.height; r++) {
    const goldRow = multiset(rowValues(g, r));
    for (const predRow of predictedRows) {
      if (++pairs > OVERLAP_PAIR_LIMIT) return false;
      if (containsMultiset(predRow, goldRow)) return true;
    }
  }
  return false;
}

function containsMultiset(outer: Multiset<number>, inner: Multiset<number>): boolean {
  for (const [k, n] of inner) if ((outer.get(k) ?? 0) < n) return false;
  return true;
}

/** The parse tree with every source location removed, as text; undefined when the SQL does not parse. */
export function normalizedSql(sql: string): string | undefined {
  const parsed = parseSql(sql);
  if (!parsed.ok) return undefined;
  return JSON.stringify(parsed.tree.stmts.map((s) => s.stmt), (key, value) => (key === 'location' ? undefined : value));
}

/** Identical normalized SQL: same parse tree up to whitespace, keyword case, unquoted identifier case and comments. */
export function sameSql(a: string, b: string): boolean {
  const na = normalizedSql(a);
  return na !== undefined && na === normalizedSql(b);
}

export type DatabaseRun =
  | { ok: true; result: QueryResult; truncated: boolean }
  | { ok: false; message: string; /** The catalog code of the failure (QUERY_TIMEOUT: stopped at its time budget). */ code?: ErrorCode };

export interface RunOptions {
  rowLimit?: number;
  signal?: AbortSignal;
  /** Time budget of each statement, in ms (default: the database's own). */
  timeoutMs?: number;
}

/** Rows fetched per query unless told otherwise: enough for the sample databases, bounded for runaway joins. */
export const DEFAULT_ROW_LIMIT = 10_000;

/**
 * Runs one SQL text on every database. Nothing is sent unless `checkReadOnly`
 * passes; a failure is recorded per database, never thrown, except that an
 * aborted signal or a database that cannot be reached stops the run.
 */
export async function runOnAll(databases: readonly ResultSource[], sql: string, options: RunOptions = {}): Promise<DatabaseRun[]> {
  await loadParser();
  const safety = checkReadOnly(sql);
  if (!safety.ok) {
    const message = `not run: ${safety.violations.map((v) => v.message).join('; ')}`;
    return databases.map(() => ({ ok: false, message }));
  }
  return Promise.all(databases.map(async (db): Promise<DatabaseRun> => {
    try {
      const { columns, rows, truncated } = await db.query(sql, { rowLimit: options.rowLimit ?? DEFAULT_ROW_LIMIT, signal: options.signal, timeoutMs: options.timeoutMs });
      return { ok: true, result: { columns, rows }, truncated: truncated ?? false };
    } catch (err) {
      // An outage is not a result: the run fails rather than scoring as a mismatch.
      if (options.signal?.aborted || isUnavailable(err)) throw err;
      return { ok: false, message: err instanceof Error ? err.message : String(err), ...(isAppError(err) ? { code: err.code } : {}) };
    }
  }));
}

export interface DatabaseMatch {
  database: string;
  match: boolean;
  partial: boolean;
  reason?: string;
  gold_rows?: number;
  predicted_rows?: number;
  /** A row cap cut one of the results: the comparison saw only part of it. */
  truncated?: boolean;
}

export interface ExecutionMatch {
  /** Identical normalized SQL (same parse tree without locations). */
  exact: boolean;
  /** Equal results on every database. */
  same_results: boolean;
  /** Overlapping rows or columns on at least one database (true whenever same_results is). */
  partial: boolean;
  per_database: DatabaseMatch[];
  error?: { side: 'gold' | 'predicted'; message: string };
}

export interface ExecutionMatchOptions extends RunOptions, CompareOptions {
  /** The gold query's runs, one per database in the same order, when already known or under way (a group of candidates runs the gold once). */
  gold?: DatabaseRun[] | Promise<DatabaseRun[]>;
}

export async function executionMatch(
  databases: readonly ResultSource[],
  goldSql: string,
  predictedSql: string,
  options: ExecutionMatchOptions = {},
): Promise<ExecutionMatch> {
  const goldRuns = Promise.resolve(options.gold ?? runOnAll(databases, goldSql, options));
  let exact: boolean;
  try {
    await loadParser();
    exact = sameSql(goldSql, predictedSql);
  } catch (err) {
    // The gold runs are under way: settled before leaving, they never reject unobserved.
    await goldRuns.catch(() => undefined);
    throw err;
  }
  // The same statement has the same results: an exact prediction is not run again.
  const [gold, predicted] = await Promise.all([goldRuns, exact ? goldRuns : runOnAll(databases, predictedSql, options)]);
  return { exact, ...compareRuns(databases, gold, predicted, options) };
}

/** How reports name a database: its name, else its label, else its seed, else its position. */
export function databaseName(db: ResultSource, index: number): string {
  return db.name ?? db.label ?? (db.seed !== undefined ? `seed ${db.seed}` : `#${index + 1}`);
}

/**
 * Compares runs already made, one per database in the same order: lets a
 * caller run a prediction once and compare it with several gold queries, or
 * under both the relaxed and the strict rule.
 */
export function compareRuns(
  databases: readonly ResultSource[],
  goldRuns: readonly DatabaseRun[],
  predictedRuns: readonly DatabaseRun[],
  options: CompareOptions = {},
): Omit<ExecutionMatch, 'exact'> {
  let error: ExecutionMatch['error'];
  const per_database = databases.map((db, i): DatabaseMatch => {
    const database = databaseName(db, i);
    const goldRun = goldRuns[i];
    const predictedRun = predictedRuns[i];
    if (!goldRun.ok) {
      error ??= { side: 'gold', message: goldRun.message };
      return { database, match: false, partial: false, reason: `gold failed: ${goldRun.message}` };
    }
    if (!predictedRun.ok) {
      error ??= { side: 'predicted', message: predictedRun.message };
      return { database, match: false, partial: false, reason: `predicted failed: ${predictedRun.message}` };
    }
    const comparison = compareResults(goldRun.result, predictedRun.result, options);
    return {
      database,
      match: comparison.match,
      partial: comparison.partial,
      ...(comparison.reason !== undefined ? { reason: comparison.reason } : {}),
      gold_rows: goldRun.result.rows.length,
      predicted_rows: predictedRun.result.rows.length,
      ...(goldRun.truncated || predictedRun.truncated ? { truncated: true } : {}),
    };
  });
  return {
    same_results: per_database.length > 0 && per_database.every((d) => d.match),
    partial: per_database.some((d) => d.partial),
    per_database,
    ...(error ? { error } : {}),
  };
}
