/**
 * Everything the layers look up, computed once per catalog and rules (the
 * validator factory does it up front): lower-cased name maps, foreign-key
 * pairs, indexed columns, and which rule each numeric column falls under.
 * Callers that build a fresh deps object per call still share that work.
 */
import { identifierWords } from '../../language/index.js';
import type { Catalog, Column, Table } from '../../schema/types.js';
import { defaultBusinessRules } from './rules.js';
import type { OutputColumn } from './resolve.js';
import type { BusinessRules, ExplainFn, ValidatorDeps } from './types.js';

export interface NumericBounds {
  rule: string;
  description: string;
  min?: number;
  max?: number;
}

/** What depends on the catalog and the rules only. */
interface CatalogIndex {
  catalog: Catalog;
  rules: BusinessRules;
  /** Each table's columns as resolution sees them (lower-case names), shared by every query. */
  tableColumns: Map<Table, OutputColumn[]>;
  /** `table.column` (lower case) pairs joined by a foreign key, both directions. */
  foreignKeyPairs: Set<string>;
  /** `table.column` (lower case) of columns that lead an index or a key. */
  indexedColumns: Set<string>;
  /** `table.column` (lower case) → the bounds of its numeric rule. */
  numericBounds: Map<string, NumericBounds>;
  /** Lower-case table name → [start, end] date column pairs of that table. */
  dateRanges: Map<string, Array<[Column, Column]>>;
  /** Lower-case column name → the tables that have it. */
  columnHomes: Map<string, Table[]>;
}

export interface PreparedDeps extends CatalogIndex {
  explain?: ExplainFn;
  sensitiveColumns: Set<string>;
  restrictedTables: Set<string>;
}

const prepared = new WeakMap<ValidatorDeps, PreparedDeps>();
const indexes = new WeakMap<Catalog, WeakMap<BusinessRules, CatalogIndex>>();

/** The prepared form of `deps`, computed on first use and kept for as long as `deps` lives. */
export function prepareDeps(deps: ValidatorDeps): PreparedDeps {
  let p = prepared.get(deps);
  if (!p) {
    p = {
      ...catalogIndex(deps.catalog, deps.rules ?? defaultBusinessRules()),
      explain: deps.explain,
      sensitiveColumns: new Set((deps.security?.sensitiveColumns ?? []).map((c) => c.toLowerCase())),
      restrictedTables: new Set((deps.security?.restrictedTables ?? []).map((t) => t.toLowerCase())),
    };
    prepared.set(deps, p);
  }
  return p;
}

function catalogIndex(catalog: Catalog, rules: BusinessRules): CatalogIndex {
  let byRules = indexes.get(catalog);
  if (!byRules) indexes.set(catalog, (byRules = new WeakMap()));
  let index = byRules.get(rules);
  if (!index) byRules.set(rules, (index = buildIndex(catalog, rules)));
  return index;
}

export function columnKey(table: string, column: string): string {
  return `${table.toLowerCase()}.${column.toLowerCase()}`;
}

function buildIndex(catalog: Catalog, rules: BusinessRules): CatalogIndex {
  const foreignKeyPairs = new Set<string>();
  const indexedColumns = new Set<string>();
  const numericBounds = new Map<string, NumericBounds>();
  const dateRanges = new Map<string, Array<[Column, Column]>>();
  const columnHomes = new Map<string, Table[]>();
  for (const table of catalog.tables) {
    for (const fk of table.foreignKeys) {
      fk.columns.forEach((c, i) => {
        const a = columnKey(fk.table, c);
        const b = columnKey(fk.refTable, fk.refColumns[i] ?? '');
        foreignKeyPairs.add(`${a}=${b}`).add(`${b}=${a}`);
      });
    }
    const leading = [table.primaryKey, ...table.uniqueKeys, ...table.indexes.map((i) => i.columns)];
    for (const key of leading) if (key[0]) indexedColumns.add(columnKey(table.name, key[0]));
    for (const column of table.columns) {
      const homes = columnHomes.get(column.name.toLowerCase()) ?? [];
      homes.push(table);
      columnHomes.set(column.name.toLowerCase(), homes);
      const bounds = numericRuleOf(column, rules);
      if (bounds) numericBounds.set(columnKey(table.name, column.name), bounds);
    }
    const pairs: Array<[Column, Column]> = [];
    for (const range of rules.date_ranges) {
      const start = catalog.column(table.name, range.start);
      const end = catalog.column(table.name, range.end);
      if (start && end) pairs.push([start, end]);
    }
    if (pairs.length > 0) dateRanges.set(table.name.toLowerCase(), pairs);
  }
  return {
    tableColumns: new Map(catalog.tables.map((t) => [t, t.columns.map((c) => ({ name: c.name.toLowerCase(), source: c }))])),
    catalog,
    rules,
    foreignKeyPairs,
    indexedColumns,
    numericBounds,
    dateRanges,
    columnHomes,
  };
}

/** The first rule (in file order) whose columns, name words or comment words take in this numeric column. */
function numericRuleOf(column: Column, rules: BusinessRules): NumericBounds | undefined {
  if (column.category !== 'number') return undefined;
  const words = new Set(identifierWords(column.name));
  const commentWords = new Set(identifierWords(column.comment ?? ''));
  const names = new Set([columnKey(column.table, column.name), column.name.toLowerCase()]);
  const entries = Object.entries(rules.numeric);
  // A rule that lists the column by name wins over another rule's words.
  const found =
    entries.find(([, r]) => (r.columns ?? []).some((c) => names.has(c.toLowerCase()))) ??
    entries.find(([, r]) =>
      (r.name_words ?? []).some((w) => words.has(w.toLowerCase())) ||
      (r.comment_words ?? []).some((w) => commentWords.has(w.toLowerCase())));
  if (!found) return undefined;
  const [rule, r] = found;
  return { rule, description: r.description, min: r.min, max: r.max };
}
