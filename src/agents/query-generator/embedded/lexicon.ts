/**
 * The generator's lexicon, built once per catalog: every phrase the parser
 * can recognise, with its senses — grammar words from data/gl/grammar.json,
 * table and column names from the catalog, business terms, filters and
 * measures from the vocabulary, and values from the columns' domains and the
 * database. Phrases are keyed by their words' singular forms, so "budgets"
 * meets "budget" and "companies" meets "company".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR } from '../../../paths.js';
import { identifierWords, phraseWords, singular } from '../../../language/index.js';
import type { Catalog, Column, Table } from '../../../schema/types.js';
import type { Vocabulary, VocabularyFilter, FilterCondition } from '../../../schema/vocabulary.js';
import { collect, nameParts } from '../../../sql/ast.js';
import { parseSql } from '../../../sql/parser.js';
import { degreeForms } from './degrees.js';
import { pathFinder, type PathFinder } from './joins.js';
import { col, lit, type Cond, type Expr, type Template } from './query.js';
import { parseJsonData } from '../../../dictionary.js';

export interface Grammar {
  numbers: Record<string, number>;
  months: Record<string, number>;
  units: Record<string, string>;
  keywords: Record<string, string[]>;
  stopwords: string[];
  /** Adjectives naming the lesser end of their attribute ("young" of age): their comparatives read as "<". */
  lesser: string[];
}

export const GRAMMAR_FILE = join(DATA_DIR, 'gl', 'grammar.json');

export function loadGrammar(path: string = GRAMMAR_FILE): Grammar {
  return parseJsonData(readFileSync(path, 'utf8')) as Grammar;
}

export type Sense =
  | { kind: 'kw'; kws: Set<string> }
  | { kind: 'table'; table: string; rank: number }
  | { kind: 'column'; table: string; column: string; rank: number }
  | { kind: 'value'; table: string; column: string; value: string }
  | { kind: 'filter'; table: string; label: string; cond: Cond; having?: { fn: string; per: string; column: string } }
  | { kind: 'measure'; table: string; label: string; expr: Expr; aggregate: boolean; per?: string; denominator?: Expr }
  /** A comparative or superlative of an adjective measuring a column: "older" (Age, more), "youngest" (Age, less). */
  | { kind: 'degree'; table: string; column: string; more: boolean; superlative: boolean };

interface TrieNode {
  next: Map<string, TrieNode>;
  senses: Sense[];
  /** The senses by `senseKey`, so adding one is a look-up, not a scan (a word like "status" has a sense per table). */
  byKey?: Map<string, Sense>;
  /** Senses that need the words written in capitals (acronym values: IT, HR). */
  exact?: string;
}

export interface TableFacts {
  table: Table;
  /** Columns that name a row (vocabulary display columns, else key and name columns). */
  display: string[];
  /** The column holding the row's name (`…_Name`), for "with X in the name". */
  nameColumn?: string;
  /** The row's code or key column, for "starting with PRJ". */
  codeColumn?: string;
  dateColumns: string[];
  /** The date column a bare date phrase refers to. */
  defaultDate?: string;
  startDate?: string;
  endDate?: string;
}

export interface Lexicon {
  catalog: Catalog;
  vocabulary?: Vocabulary;
  grammar: Grammar;
  root: TrieNode;
  stopwords: Set<string>;
  facts: Map<string, TableFacts>;
  /** Single words of schema senses by length, for misspelling look-ups. */
  fuzzyWords: Map<number, Array<[string, Sense[]]>>;
  /** Foreign-key paths between tables. */
  path: PathFinder;
  /** Every value per column, `TABLE.Column` → values, to match literals. */
  values: Map<string, string[]>;
}

function add(root: TrieNode, words: string[], sense: Sense, exact?: string): void {
  if (words.length === 0) return;
  let node = root;
  for (const w of words) {
    let child = node.next.get(w);
    if (!child) {
      child = { next: new Map(), senses: [] };
      node.next.set(w, child);
    }
    node = child;
  }
  if (sense.kind === 'kw') {
    const existing = node.senses.find((s): s is Extract<Sense, { kind: 'kw' }> => s.kind === 'kw');
    if (existing) {
      for (const k of sense.kws) existing.kws.add(k);
      return;
    }
  } else {
    const key = senseKey(sense);
    node.byKey ??= new Map();
    const existing = node.byKey.get(key);
    if (existing) {
      if ('rank' in existing && 'rank' in sense && sense.rank < existing.rank) existing.rank = sense.rank;
      return;
    }
    node.byKey.set(key, sense);
  }
  node.senses.push(sense);
  if (exact) node.exact = exact;
}

/** What a sense points at: two senses with the same key are one (the better rank kept). */
function senseKey(s: Exclude<Sense, { kind: 'kw' }>): string {
  switch (s.kind) {
    case 'table':
      return `table\u0000${s.table}`;
    case 'column':
      return `column\u0000${s.table}\u0000${s.column}`;
    case 'value':
      return `value\u0000${s.table}\u0000${s.column}\u0000${s.value}`;
    case 'filter':
    case 'measure':
      return `${s.kind}\u0000${s.table}\u0000${s.label}`;
    case 'degree':
      return `degree\u0000${s.table}\u0000${s.column}\u0000${s.superlative}`;
  }
}

/** Longest phrase starting at `start`: its end (exclusive) and senses, or undefined. */
export function longestMatch(lex: Lexicon, words: string[], raw: string[], start: number): { end: number; senses: Sense[] } | undefined {
  let node = lex.root;
  let best: { end: number; senses: Sense[] } | undefined;
  for (let i = start; i < words.length; i++) {
    const child = node.next.get(words[i]);
    if (!child) break;
    node = child;
    if (node.senses.length === 0) continue;
    if (node.exact !== undefined && raw.slice(start, i + 1).join(' ') !== node.exact) {
      const other = node.senses.filter((s) => s.kind !== 'value');
      if (other.length) best = { end: i + 1, senses: other };
      continue;
    }
    best = { end: i + 1, senses: node.senses };
  }
  return best;
}

function firstDate(columns: Column[], words: string[]): string | undefined {
  return columns.find((c) => (c.category === 'date' || c.category === 'timestamp') && words.some((w) => identifierWords(c.name).includes(w)))?.name;
}

function tableFacts(table: Table, vocabulary?: Vocabulary): TableFacts {
  const cols = table.columns;
  const nameColumn = cols.find((c) => /_name$/i.test(c.name) && c.category === 'text')?.name ??
    cols.find((c) => identifierWords(c.name).includes('name') && c.category === 'text')?.name;
  const codeColumn = cols.find((c) => /_code$/i.test(c.name) && (c.primaryKey || c.unique))?.name ??
    cols.find((c) => /(_number|_code)$/i.test(c.name) && c.unique)?.name ?? table.primaryKey[0];
  const dateColumns = cols.filter((c) => c.category === 'date' || c.category === 'timestamp').map((c) => c.name);
  const businessDates = cols.filter((c) => c.category === 'date').map((c) => c.name);
  const vocabDisplay = vocabulary?.tables[table.name]?.display_columns ?? Object.entries(vocabulary?.tables ?? {})
    .find(([name]) => name.toLowerCase() === table.name.toLowerCase())?.[1].display_columns;
  const display = vocabDisplay && vocabDisplay.length ? vocabDisplay : [...new Set([...table.primaryKey, ...(nameColumn ? [nameColumn] : [])])];
  return {
    table,
    display,
    nameColumn,
    codeColumn,
    dateColumns,
    defaultDate: businessDates[0] ?? dateColumns[0],
    startDate: firstDate(cols, ['start', 'begin', 'reported', 'created']),
    endDate: firstDate(cols, ['end', 'expected', 'resolved', 'close', 'due']),
  };
}

/** Words that name a table: its vocabulary terms and the plural-free words of its name. */
function entityWords(table: Table, vocabulary?: Vocabulary): Set<string> {
  const words = new Set<string>();
  for (const [term, tables] of Object.entries(vocabulary?.terms ?? {})) {
    if (tables[0]?.toLowerCase() === table.name.toLowerCase()) for (const w of phraseWords(term)) words.add(w);
  }
  // "Pets" names a pet: its PetType is the pet's "type".
  const parts = identifierWords(table.name);
  words.add(singular(parts[parts.length - 1]));
  return words;
}

/**
 * Splits a vocabulary SQL expression around its column references, found by
 * the PostgreSQL parser, and names the denominator of a ratio
 * (`x / NULLIF(d, 0)`), whose rows a listing keeps only where it is positive.
 */
export function template(sql: string, table: string): { parts: Template; denominator?: string } {
  const prefix = 'SELECT ';
  const parsed = parseSql(`${prefix}${sql} FROM ${table}`);
  if (!parsed.ok) return { parts: [sql] };
  const nullif = collect(parsed.tree, 'A_Expr').find((e) => e.kind === 'AEXPR_NULLIF');
  const denominator = nullif?.lexpr?.ColumnRef ? nameParts(nullif.lexpr.ColumnRef.fields).at(-1) : undefined;
  const refs = collect(parsed.tree, 'ColumnRef')
    .map((n) => ({ at: Number(n.location) - prefix.length, name: String(n.fields?.[0]?.String?.sval ?? '') }))
    .filter((r) => r.at >= 0 && r.name !== '')
    .sort((a, b) => a.at - b.at);
  const parts: Template = [];
  let pos = 0;
  for (const r of refs) {
    const written = sql.slice(r.at, r.at + r.name.length);
    if (written.toLowerCase() !== r.name) continue;
    if (r.at > pos) parts.push(sql.slice(pos, r.at));
    parts.push({ column: written });
    pos = r.at + r.name.length;
  }
  if (pos < sql.length) parts.push(sql.slice(pos));
  const written = parts.find((p): p is { column: string } => typeof p !== 'string' && p.column.toLowerCase() === denominator);
  return { parts, denominator: written?.column };
}

function valueExpr(v: unknown, table: string): Expr {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, string>;
    if (typeof o.column === 'string') return col(table, o.column);
    if (typeof o.sql === 'string') return { k: 'sql', text: o.sql };
  }
  return lit(v as string | number | boolean | null);
}

function conditionOf(c: FilterCondition, table: string): Cond {
  const left = col(table, c.column);
  const v = c.value;
  switch (c.operator) {
    case 'IN':
    case 'NOT IN':
      return { k: 'in', arg: left, values: (Array.isArray(v) ? v : [v]).map((x) => lit(x as string)), negated: c.operator === 'NOT IN' };
    case 'IS NULL':
    case 'IS NOT NULL':
      return { k: 'null', arg: left, negated: c.operator === 'IS NOT NULL' };
    case 'LIKE':
    case 'ILIKE':
    case 'NOT LIKE':
    case 'NOT ILIKE':
      return { k: 'like', arg: left, pattern: String(v), negated: c.operator.startsWith('NOT') };
    case 'EXISTS':
    case 'NOT EXISTS': {
      const ref = v as { table: string; column: string };
      const inner = ref.table;
      const key = `${inner}#sub`;
      return {
        k: 'exists',
        negated: c.operator === 'NOT EXISTS',
        query: {
          distinct: false, select: [{ expr: lit(1) }], from: { table: inner, key }, joins: [],
          where: [{ k: 'cmp', op: '=', left: col(key, ref.column), right: left }], groupBy: [], having: [], orderBy: [],
        },
      };
    }
    default:
      return { k: 'cmp', op: c.operator, left, right: valueExpr(v, table) };
  }
}

function filterSense(term: string, f: VocabularyFilter): Sense {
  const conds = [conditionOf(f, f.table), ...(f.and ?? []).map((c) => conditionOf(c, f.table))];
  const cond: Cond = conds.length === 1 ? conds[0] : { k: 'and', items: conds };
  if (f.aggregate && f.per) {
    return { kind: 'filter', table: f.table, label: term, cond, having: { fn: f.aggregate, per: f.per, column: f.column } };
  }
  return { kind: 'filter', table: f.table, label: term, cond };
}

function byLength(words: Map<string, Sense[]>): Map<number, Array<[string, Sense[]]>> {
  const out = new Map<number, Array<[string, Sense[]]>>();
  for (const entry of words) {
    const list = out.get(entry[0].length) ?? [];
    list.push(entry);
    out.set(entry[0].length, list);
  }
  return out;
}

export interface LexiconInput {
  catalog: Catalog;
  vocabulary?: Vocabulary;
  values?: Record<string, Record<string, string[]>>;
  grammar?: Grammar;
}

/** Builds the lexicon; the PostgreSQL parser must be loaded (vocabulary measures are split with it). */
export function buildLexicon({ catalog, vocabulary, values, grammar = loadGrammar() }: LexiconInput): Lexicon {
  const root: TrieNode = { next: new Map(), senses: [] };
  const fuzzyWords = new Map<string, Map<string, Sense>>();
  const remember = (words: string[], sense: Sense) => {
    if (words.length !== 1 || words[0].length < 4 || /\d/.test(words[0]) || sense.kind === 'kw') return;
    let known = fuzzyWords.get(words[0]);
    if (!known) fuzzyWords.set(words[0], (known = new Map()));
    const key = senseKey(sense);
    if (!known.has(key)) known.set(key, sense);
  };
  const schemaTerm = (phrase: string, sense: Sense, exact?: string) => {
    const words = phraseWords(phrase);
    add(root, words, sense, exact);
    if (!exact) remember(words, sense);
  };

  for (const [kw, phrases] of Object.entries(grammar.keywords)) {
    for (const p of phrases) add(root, phraseWords(p), { kind: 'kw', kws: new Set([kw]) });
  }

  const facts = new Map<string, TableFacts>();
  const tableOf = (name: string) => catalog.table(name)?.name;
  // A grammar word ("list") never names a table, even when a table's name ends with it.
  const grammarWords = new Set([...Object.values(grammar.keywords).flat(), ...grammar.stopwords].flatMap((p) => phraseWords(p)));
  for (const table of catalog.tables) {
    facts.set(table.name, tableFacts(table, vocabulary));
    schemaTerm(table.name, { kind: 'table', table: table.name, rank: 0 });
    const parts = identifierWords(table.name);
    const last = singular(parts[parts.length - 1]);
    if (parts.length > 1 && !grammarWords.has(last)) schemaTerm(last, { kind: 'table', table: table.name, rank: 1 });
    const entity = entityWords(table, vocabulary);
    for (const column of table.columns) {
      const words = identifierWords(column.name);
      const sense: Sense = { kind: 'column', table: table.name, column: column.name, rank: 0 };
      schemaTerm(words.join(' '), sense);
      // "Project_Name" is also the project's "name"; "Contract_Value" the contract's "value".
      if (words.length > 1 && entity.has(singular(words[0]))) schemaTerm(words.slice(1).join(' '), { ...sense, rank: 1 });
      if (words.at(-1) === 'percent') schemaTerm([...words.slice(0, -1), 'percentage'].join(' '), sense);
      // "Start_Date" is the "start"; "Purge_Date" is not the "purge" (that names the table).
      if (words.length === 2 && words[1] === 'date' && !entity.has(singular(words[0]))) schemaTerm(words[0], { ...sense, rank: 2 });
      // "Number_products" is the shop's "number of products".
      if (words.length > 1 && (words[0] === 'number' || words[0] === 'num')) schemaTerm(['number', 'of', ...words.slice(1)].join(' '), sense);
      // "Records_Count" is what "1000 records" counts.
      if (words.length > 1 && words.at(-1) === 'count' && !entity.has(singular(words[0]))) schemaTerm(words.slice(0, -1).join(' '), { ...sense, rank: 2 });
    }
  }
  if (vocabulary) {
    for (const [term, tables] of Object.entries(vocabulary.terms)) {
      tables.forEach((t, rank) => {
        const name = tableOf(t);
        if (name) schemaTerm(term, { kind: 'table', table: name, rank });
      });
    }
    for (const [term, targets] of Object.entries(vocabulary.columns)) {
      targets.forEach((target, rank) => {
        const [t, c] = target.split('.');
        const column = catalog.column(t, c);
        if (column) schemaTerm(term, { kind: 'column', table: column.table, column: column.name, rank });
      });
    }
    for (const [term, list] of Object.entries(vocabulary.filters)) {
      for (const f of list) {
        const name = tableOf(f.table);
        if (name) schemaTerm(term, filterSense(term, { ...f, table: name }));
      }
    }
    for (const [term, list] of Object.entries(vocabulary.measures)) {
      for (const m of list) {
        const name = tableOf(m.table);
        if (!name) continue;
        const { parts, denominator } = template(m.sql, name);
        schemaTerm(term, {
          kind: 'measure', table: name, label: term, expr: { k: 'tpl', src: name, parts }, aggregate: m.aggregate === true,
          per: m.per, denominator: denominator ? col(name, denominator) : undefined,
        });
      }
    }
  }

  for (const d of degreeForms(catalog, new Set(grammar.lesser))) {
    add(root, phraseWords(d.words.join(' ')), { kind: 'degree', table: d.table, column: d.column, more: d.more, superlative: d.superlative });
  }

  const valueMap = new Map<string, string[]>();
  const addValues = (table: string, column: string, list: string[]) => {
    const c = catalog.column(table, column);
    if (!c || c.category !== 'text') return;
    const key = `${c.table}.${c.name}`;
    const known = new Set(valueMap.get(key) ?? []);
    for (const v of list) {
      if (typeof v !== 'string' || v.trim() === '' || known.has(v)) continue;
      known.add(v);
      const words = phraseWords(v);
      if (words.length === 0 || words.length > 6 || words.every((w) => /^[0-9]+$/.test(w))) continue;
      const acronym = /^[A-Z0-9&]{1,4}$/.test(v.trim());
      const sense: Sense = { kind: 'value', table: c.table, column: c.name, value: v };
      if (acronym) add(root, words, sense, v.trim());
      else schemaTerm(v, sense);
      // The value written with its column's name ("high priority", "active status") names the column explicitly.
      const columnWords = identifierWords(c.name).map((w) => singular(w));
      if (!acronym) {
        add(root, [...words, ...columnWords], sense);
        if (columnWords.length > 1) add(root, [...words, columnWords[columnWords.length - 1]], sense);
      }
    }
    valueMap.set(key, [...known]);
  };
  for (const table of catalog.tables) for (const c of table.columns) if (c.valueDomain) addValues(table.name, c.name, c.valueDomain);
  for (const [table, columns] of Object.entries(values ?? {})) {
    for (const [column, list] of Object.entries(columns)) if (Array.isArray(list)) addValues(table, column, list);
  }

  return {
    catalog, vocabulary, grammar, root, facts, values: valueMap, path: pathFinder(catalog),
    fuzzyWords: byLength(new Map([...fuzzyWords].map(([word, senses]) => [word, [...senses.values()]]))),
    stopwords: new Set(grammar.stopwords.map((w) => singular(w))),
  };
}
