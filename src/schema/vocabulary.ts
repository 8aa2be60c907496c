/**
 * The business vocabulary: how analysts' words map onto a schema — terms to
 * tables and columns, named filters and derived measures. It is data
 * (`data/gl/vocabulary.json`, format in docs/vocabulary.md), checked here on
 * load so that a bad entry fails with the key that is wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { DATA_DIR } from '../paths.js';
import type { Catalog } from './types.js';
import { parseJsonData } from '../dictionary.js';

export const DEFAULT_VOCABULARY_FILE = join(DATA_DIR, 'gl', 'vocabulary.json');

export const FILTER_OPERATORS = [
  '=', '<>', '>', '>=', '<', '<=', 'IN', 'NOT IN', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE',
  'IS NULL', 'IS NOT NULL', 'EXISTS', 'NOT EXISTS',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export const AGGREGATES = ['SUM', 'COUNT', 'AVG', 'MIN', 'MAX'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/**
 * A literal, a list of literals (IN), another column of the same row
 * (`{column}`), an SQL expression (`{sql}`, e.g. CURRENT_DATE), or for
 * EXISTS / NOT EXISTS the related table's column (`{table, column}`).
 */
export type FilterValue =
  | string | number | boolean | null
  | Array<string | number>
  | { column: string }
  | { sql: string }
  | { table: string; column: string };

export interface FilterCondition {
  column: string;
  operator: FilterOperator;
  value: FilterValue;
}

export interface VocabularyFilter extends FilterCondition {
  table: string;
  /** Further conditions on the same table, all required. */
  and?: FilterCondition[];
  /** The condition holds for the aggregate of `column` grouped by `per` (a HAVING condition). */
  aggregate?: Aggregate;
  per?: string;
}

export interface Measure {
  table: string;
  /** SQL expression over the table's columns. */
  sql: string;
  description: string;
  unit?: string;
  /** The expression already aggregates (grouped by `per` when given). */
  aggregate?: boolean;
  per?: string;
}

export interface TableInfo {
  description: string;
  /** The columns that name a row: shown when a question just lists the table. */
  display_columns: string[];
}

export interface Vocabulary {
  version: number;
  schema: string;
  tables: Record<string, TableInfo>;
  /** term → tables, preferred first. */
  terms: Record<string, string[]>;
  /** term → `TABLE.Column`, preferred first. */
  columns: Record<string, string[]>;
  /** term → filter per table, preferred first. */
  filters: Record<string, VocabularyFilter[]>;
  /** term → measure per table, preferred first. */
  measures: Record<string, Measure[]>;
}

export function loadVocabulary(path: string = DEFAULT_VOCABULARY_FILE): Vocabulary {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_CONFIG', `vocabulary file ${path} cannot be read (${(err as Error).message})`, { field: 'vocabulary', file: path });
  }
  let json: unknown;
  try {
    json = parseJsonData(text);
  } catch (err) {
    throw new AppError('INVALID_CONFIG', `vocabulary file ${path} is not JSON (${(err as Error).message})`, { field: 'vocabulary', file: path });
  }
  return parseVocabulary(json, path);
}

/** Checks the shape of a vocabulary object; the error names the first bad key. */
export function parseVocabulary(json: unknown, source = 'vocabulary'): Vocabulary {
  const fail = (field: string, problem: string): never => {
    throw new AppError('INVALID_CONFIG', `${source}: ${field} ${problem}`, { field });
  };
  const root = record(json, 'vocabulary', fail);
  if (typeof root.version !== 'number') fail('version', 'must be a number');
  if (typeof root.schema !== 'string') fail('schema', 'must be a string');

  const tables = record(root.tables, 'tables', fail);
  for (const [name, info] of Object.entries(tables)) {
    const entry = record(info, `tables.${name}`, fail);
    if (typeof entry.description !== 'string') fail(`tables.${name}.description`, 'must be a string');
    stringList(entry.display_columns, `tables.${name}.display_columns`, fail);
  }
  for (const key of ['terms', 'columns'] as const) {
    for (const [term, targets] of Object.entries(record(root[key], key, fail))) {
      const list = stringList(targets, `${key}["${term}"]`, fail);
      if (list.length === 0) fail(`${key}["${term}"]`, 'must name at least one target');
      if (key === 'columns') {
        list.forEach((t, i) => {
          if (!/^[^.]+\.[^.]+$/.test(t)) fail(`columns["${term}"][${i}]`, `must be TABLE.Column, got "${t}"`);
        });
      }
    }
  }
  for (const [term, list] of Object.entries(record(root.filters, 'filters', fail))) {
    entries(list, `filters["${term}"]`, fail).forEach((f, i) => checkFilter(f, `filters["${term}"][${i}]`, fail));
  }
  for (const [term, list] of Object.entries(record(root.measures, 'measures', fail))) {
    entries(list, `measures["${term}"]`, fail).forEach((m, i) => {
      const at = `measures["${term}"][${i}]`;
      for (const key of ['table', 'sql', 'description'] as const) {
        if (typeof m[key] !== 'string' || m[key] === '') fail(`${at}.${key}`, 'must be a non-empty string');
      }
      if (m.aggregate !== undefined && typeof m.aggregate !== 'boolean') fail(`${at}.aggregate`, 'must be a boolean');
    });
  }
  return json as Vocabulary;
}

/** A vocabulary that knows no term: a schema's own names are all there is to link a question to. */
export function emptyVocabulary(schema = ''): Vocabulary {
  return { version: 1, schema, tables: {}, terms: {}, columns: {}, filters: {}, measures: {} };
}

/**
 * The part of a vocabulary that applies to a catalog: entries naming only
 * tables it has. The bundled GL vocabulary over another schema (`--schema
 * spider.sql`) is then empty, instead of pointing questions at tables that do
 * not exist.
 */
export function vocabularyFor(vocabulary: Vocabulary, catalog: Catalog): Vocabulary {
  const has = (table: string) => catalog.table(table) !== undefined;
  const keep = <T>(record: Record<string, T[]>, ok: (target: T) => boolean): Record<string, T[]> =>
    Object.fromEntries(Object.entries(record).map(([term, list]) => [term, list.filter(ok)] as const).filter(([, list]) => list.length > 0));
  const filterTables = (f: VocabularyFilter) => [f, ...(f.and ?? [])].map((c) => c.value).flatMap((v) => (v && typeof v === 'object' && !Array.isArray(v) && 'table' in v ? [v.table] : []));
  return {
    ...vocabulary,
    tables: Object.fromEntries(Object.entries(vocabulary.tables).filter(([name]) => has(name))),
    terms: keep(vocabulary.terms, has),
    columns: keep(vocabulary.columns, (target) => has(target.split('.')[0])),
    filters: keep(vocabulary.filters, (f) => has(f.table) && filterTables(f).every(has)),
    measures: keep(vocabulary.measures, (m) => has(m.table)),
  };
}

/** Every table and column the vocabulary names that the catalog does not have. */
export function unknownReferences(vocabulary: Vocabulary, catalog: Catalog): string[] {
  const problems: string[] = [];
  const table = (name: string, at: string) => {
    if (!catalog.table(name)) problems.push(`${at}: unknown table ${name}`);
  };
  const column = (t: string, c: string, at: string) => {
    if (catalog.table(t) && !catalog.column(t, c)) problems.push(`${at}: unknown column ${t}.${c}`);
  };
  for (const [name, info] of Object.entries(vocabulary.tables)) {
    table(name, `tables.${name}`);
    info.display_columns.forEach((c) => column(name, c, `tables.${name}.display_columns`));
  }
  for (const [term, list] of Object.entries(vocabulary.terms)) list.forEach((t) => table(t, `terms["${term}"]`));
  for (const [term, list] of Object.entries(vocabulary.columns)) {
    for (const target of list) {
      const [t, c] = target.split('.');
      table(t, `columns["${term}"]`);
      column(t, c, `columns["${term}"]`);
    }
  }
  for (const [term, list] of Object.entries(vocabulary.filters)) {
    list.forEach((f, i) => {
      const at = `filters["${term}"][${i}]`;
      table(f.table, at);
      for (const cond of [f, ...(f.and ?? [])]) {
        column(f.table, cond.column, at);
        const v = cond.value;
        if (v && typeof v === 'object' && !Array.isArray(v) && 'column' in v) {
          const ref = 'table' in v ? v.table : f.table;
          table(ref, at);
          column(ref, v.column, at);
        }
      }
      if (f.per) column(f.table, f.per, at);
    });
  }
  for (const [term, list] of Object.entries(vocabulary.measures)) list.forEach((m, i) => table(m.table, `measures["${term}"][${i}]`));
  return problems;
}

type Fail = (field: string, problem: string) => never;

function record(value: unknown, field: string, fail: Fail): Record<string, any> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(field, 'must be an object');
  return value as Record<string, any>;
}

function stringList(value: unknown, field: string, fail: Fail): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(field, 'must be a list of strings');
  return value as string[];
}

function entries(value: unknown, field: string, fail: Fail): Record<string, any>[] {
  if (!Array.isArray(value) || value.length === 0) fail(field, 'must be a non-empty list');
  return (value as unknown[]).map((v, i) => record(v, `${field}[${i}]`, fail));
}

function checkFilter(f: Record<string, any>, at: string, fail: Fail): void {
  if (typeof f.table !== 'string' || f.table === '') fail(`${at}.table`, 'must be a non-empty string');
  checkCondition(f, at, fail);
  if (f.and !== undefined) {
    if (!Array.isArray(f.and)) fail(`${at}.and`, 'must be a list of conditions');
    (f.and as unknown[]).forEach((c, i) => checkCondition(record(c, `${at}.and[${i}]`, fail), `${at}.and[${i}]`, fail));
  }
  if (f.aggregate !== undefined && !(AGGREGATES as readonly string[]).includes(f.aggregate)) {
    fail(`${at}.aggregate`, `must be one of ${AGGREGATES.join(', ')}`);
  }
  if (f.per !== undefined && typeof f.per !== 'string') fail(`${at}.per`, 'must be a column name');
}

function checkCondition(c: Record<string, any>, at: string, fail: Fail): void {
  if (typeof c.column !== 'string' || c.column === '') fail(`${at}.column`, 'must be a non-empty string');
  if (!(FILTER_OPERATORS as readonly string[]).includes(c.operator)) {
    fail(`${at}.operator`, `must be one of ${FILTER_OPERATORS.join(', ')}, got ${JSON.stringify(c.operator)}`);
  }
  if (!('value' in c)) fail(`${at}.value`, 'is missing');
  const v = c.value;
  const literal = (x: unknown) => x === null || ['string', 'number', 'boolean'].includes(typeof x);
  const ok =
    literal(v) ||
    (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) ||
    (typeof v === 'object' && v !== null && (typeof v.column === 'string' || typeof v.sql === 'string'));
  if (!ok) fail(`${at}.value`, 'must be a literal, a list of literals, {column}, {sql} or {table, column}');
  if (c.operator.endsWith('EXISTS') && !(v && typeof v.table === 'string' && typeof v.column === 'string')) {
    fail(`${at}.value`, `must be {table, column} for ${c.operator}`);
  }
}
