/**
 * The Schema Analyzer's pure logic: from a question to the tables, columns,
 * filters and joins it needs. Each phrase the question uses adds weighted
 * evidence to the tables it points at (vocabulary terms weigh most, then table
 * names, then column names and domain values); the best-supported tables are
 * connected by shortest foreign-key paths, and the tables on those paths join
 * the answer as bridges.
 */
import type { ColumnFilter, JoinPath, MeasureUse, RelevantTable, SchemaAnalysis, SchemaAnalyzerInput } from './contract.js';
import { closest } from '../../schema/fuzzy.js';
import type { Table } from '../../schema/types.js';
import type { FilterValue, VocabularyFilter } from '../../schema/vocabulary.js';
import { extract, type Extraction, type Literal, type Mention } from './entities.js';
import { shortestPaths, selfEdges } from './joins.js';
import { lexiconOf, QUESTION_WORDS, type AnalyzerDeps, type Edge, type Lexicon } from './lexicon.js';
import { renderSchemaContext } from './schema-context.js';

export const DEFAULT_DEPTH = 3;

/** Raw evidence from which a table counts as asked for (and is joined to the others). */
const CORE_EVIDENCE = 0.45;
const MAX_CORE_TABLES = 5;
const MAX_RELEVANT_TABLES = 8;
const MIN_SCORE = 0.05;
const LOW_CONFIDENCE = 0.5;
/** What an ambiguous word still gives a table the rest of the question does not support. */
const UNSUPPORTED_SHARE = 0.3;
/** Share of a wanted table's evidence given to the tables its foreign keys reference. */
const REFERENCED_SHARE = 0.3;

/** Words that ask to keep rows without a match: the joins become LEFT joins. */
const KEEP_UNMATCHED = new Set(['even', 'including', 'include', 'optional', 'optionally', 'zero']);
/** Negations do the same when a table follows them closely ("without staff", "not on any project"). */
const NEGATIONS = new Set(['without', 'no', 'not', 'never', 'none', 'missing', 'lacking', 'lack']);
const NEGATION_REACH = 3;
/** Words that ask for a row's parent or children through a self-reference. */
const HIERARCHY = new Set(['parent', 'parents', 'child', 'children', 'sub', 'subproject', 'subprojects', 'hierarchy', 'nested', 'descendant', 'descendants', 'ancestor', 'ancestors']);

const COMPARATORS: Array<[string[], string]> = [
  [['greater', 'than', 'or', 'equal', 'to'], '>='],
  [['less', 'than', 'or', 'equal', 'to'], '<='],
  [['at', 'least'], '>='], [['at', 'most'], '<='], [['no', 'more', 'than'], '<='], [['no', 'less', 'than'], '>='],
  [['more', 'than'], '>'], [['greater', 'than'], '>'], [['larger', 'than'], '>'], [['higher', 'than'], '>'], [['bigger', 'than'], '>'],
  [['less', 'than'], '<'], [['lower', 'than'], '<'], [['smaller', 'than'], '<'], [['fewer', 'than'], '<'],
  [['over'], '>'], [['above'], '>'], [['exceeds'], '>'], [['exceeding'], '>'], [['exceed'], '>'], [['beyond'], '>'],
  [['under'], '<'], [['below'], '<'], [['equals'], '='], [['equal', 'to'], '='],
  [['>'], '>'], [['>='], '>='], [['<'], '<'], [['<='], '<='], [['='], '='],
];

interface TableEvidence {
  table: Table;
  raw: number;
  reasons: string[];
  columns: string[];
  /** Token positions where the question points at this table. */
  positions: number[];
  filters: ColumnFilter[];
  measures: MeasureUse[];
  bridge?: string;
}

function noEvidence(table: Table): TableEvidence {
  return { table, raw: 0, reasons: [], columns: [], positions: [], filters: [], measures: [] };
}

export function analyzeSchema(input: SchemaAnalyzerInput, deps: AnalyzerDeps): SchemaAnalysis {
  const lexicon = lexiconOf(deps);
  const depth = Number.isInteger(input.depth) && input.depth >= 0 ? input.depth : DEFAULT_DEPTH;
  const query = typeof input.query === 'string' ? input.query : '';
  const warnings: string[] = [];
  const suggestions: string[] = [];
  const evidence = new Map<string, TableEvidence>();
  const ev = (name: string): TableEvidence | undefined => {
    const table = deps.catalog.table(name);
    if (!table) return undefined;
    let e = evidence.get(table.name);
    if (!e) evidence.set(table.name, (e = noEvidence(table)));
    return e;
  };

  // Hints first, so that an ambiguous word means the hinted table.
  const hintTables = Array.isArray(input.hint_tables) ? input.hint_tables.filter((h): h is string => typeof h === 'string') : [];
  for (const hint of hintTables) {
    const e = ev(hint);
    if (e) {
      e.raw += 1.5;
      e.reasons.push('named in hint_tables');
      continue;
    }
    const near = closest(hint, lexicon.tableNames, { max: 3, minSimilarity: 0.4 }).map((s) => s.value);
    warnings.push(`Unknown hint table "${hint}"`);
    suggestions.push(near.length > 0 ? `"${hint}" is not a table: did you mean ${near.join(', ')}?` : `"${hint}" is not a table of the schema`);
  }

  const main = extract(query, lexicon);
  const raw = (name: string) => evidence.get(deps.catalog.table(name)?.name ?? name)?.raw ?? 0;
  weigh(main, 1, ev, raw);
  for (const text of contextTexts(input.business_context)) weigh(extract(text, lexicon), 0.3, ev, raw);
  if (maxRaw(evidence) < CORE_EVIDENCE) {
    const last: unknown = input.context?.historical_queries?.at(-1);
    const previous = typeof last === 'string' ? last : (last as { query?: unknown } | undefined)?.query;
    if (typeof previous === 'string') weigh(extract(previous, lexicon), 0.5, ev, raw);
  }
  const leftJoin = keepsUnmatched(main);
  const { paths, unreachable } = connect(evidence, lexicon, depth, leftJoin);
  for (const name of unreachable) warnings.push(`No join path of at most ${depth} hops links ${name} to the other tables`);
  if (main.tokens.some((t) => HIERARCHY.has(t.lower))) paths.push(...hierarchyPaths(evidence, lexicon));
  addReferencedTables(evidence, lexicon);

  placeFilters(main, evidence);
  placeComparisons(main, evidence);
  placeNamedValues(main, evidence);
  placePeriods(main, evidence);

  const ranked = [...evidence.values()]
    .map((e) => ({ e, score: score(e.raw) }))
    .filter(({ score: s }) => s >= MIN_SCORE)
    .sort((a, b) => b.score - a.score || (lexicon.tableOrder.get(a.e.table.name) ?? 0) - (lexicon.tableOrder.get(b.e.table.name) ?? 0))
    .slice(0, MAX_RELEVANT_TABLES);
  const relevant_tables: RelevantTable[] = ranked.map(({ e, score: s }) => toRelevant(e, s, deps));

  if (relevant_tables.length === 0) {
    warnings.push('No table matched the question');
  } else if (relevant_tables[0].relevance_score < LOW_CONFIDENCE) {
    warnings.push(`Low confidence: the best match, ${relevant_tables[0].table_name}, scores ${relevant_tables[0].relevance_score}`);
  }
  const kept = new Set(relevant_tables.map((t) => t.table_name));
  const join_paths = paths.filter((p) => kept.has(p.from_table) && kept.has(p.to_table)).sort((a, b) => a.join_columns.length - b.join_columns.length);

  return {
    relevant_tables,
    join_paths,
    entity_mappings: { query_terms: main.query_terms, mapped_entities: main.mapped_entities },
    schema_context: renderSchemaContext(relevant_tables, join_paths, deps),
    warnings,
    suggestions,
  };
}

function keepsUnmatched(extraction: Extraction): boolean {
  const { tokens, mentions } = extraction;
  if (tokens.some((t) => KEEP_UNMATCHED.has(t.lower))) return true;
  return tokens.some((t, i) => NEGATIONS.has(t.lower) &&
    mentions.some((m) => m.first > i && m.first <= i + NEGATION_REACH && m.senses.some((s) => s.kind === 'table')));
}

/** 0..1, rising quickly with the first pieces of evidence and saturating after. */
function score(raw: number): number {
  return Math.round((1 - Math.exp(-1.2 * raw)) * 1000) / 1000;
}

function maxRaw(evidence: Map<string, TableEvidence>): number {
  let max = 0;
  for (const e of evidence.values()) max = Math.max(max, e.raw);
  return max;
}

function contextTexts(context: Record<string, unknown> | undefined): string[] {
  if (!context || typeof context !== 'object') return [];
  return Object.values(context).flatMap((v) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []));
}

/** The tables a mention's table, column and measure senses point at. */
function tablesOf(m: Mention): Set<string> {
  return new Set(
    m.senses.flatMap((s) =>
      (s.kind === 'table' || s.kind === 'column') && s.weight > 0 ? [s.table] : s.kind === 'measure' ? s.measures.map((x) => x.table) : [],
    ),
  );
}

/**
 * Adds each mention's evidence, scaled by `factor`, to the tables it points at.
 * A word that may mean several tables ("project", "end date", "duration") is
 * read after the unambiguous ones, and means the tables they already support, if any.
 */
function weigh(extraction: Extraction, factor: number, ev: (name: string) => TableEvidence | undefined, raw: (name: string) => number): void {
  const ambiguous = extraction.mentions.filter((m) => tablesOf(m).size > 1);
  for (const m of extraction.mentions) if (!ambiguous.includes(m)) weighMention(m, factor, ev, undefined);
  for (const m of ambiguous) {
    const supported = new Set([...tablesOf(m)].filter((t) => raw(t) >= CORE_EVIDENCE));
    weighMention(m, factor, ev, supported.size > 0 ? supported : undefined);
  }
}

/** A sense's weight, given the tables the rest of the question supports (undefined: no preference). */
function adjusted(weight: number, table: string, strongest: number, supported: Set<string> | undefined): number {
  if (!supported) return weight;
  return supported.has(table) ? strongest : weight * UNSUPPORTED_SHARE;
}

const HOW: Record<Mention['match'], string> = { exact: '', stem: ', by stem', fuzzy: ', misspelt', abbreviation: ', abbreviated', related: ', through WordNet:' };

function weighMention(m: Mention, factor: number, ev: (name: string) => TableEvidence | undefined, supported: Set<string> | undefined): void {
  const c = m.confidence * factor;
  const how = HOW[m.match] + (m.via ? ` "${m.via}"` : '');
  const strongest = (kind: 'table' | 'column') => Math.max(...m.senses.map((s) => (s.kind === kind ? s.weight : 0)));
  for (const s of m.senses) {
    if (s.kind === 'table') {
      const e = ev(s.table);
      if (!e) continue;
      e.raw += c * adjusted(s.weight, s.table, strongest('table'), supported);
      e.positions.push(m.first);
      e.reasons.push(`"${m.term}" ${s.source === 'vocabulary' ? 'means this table' : 'names this table'}${how}`);
    } else if (s.kind === 'column') {
      const e = ev(s.table);
      if (!e) continue;
      if (!e.columns.includes(s.column)) e.columns.push(s.column);
      if (s.weight > 0) {
        e.raw += c * adjusted(s.weight, s.table, strongest('column'), supported);
        e.positions.push(m.first);
        e.reasons.push(`"${m.term}" → column ${s.column}${how}`);
      }
    } else if (s.kind === 'value') {
      const single = m.first === m.last;
      s.targets.forEach((t) => {
        const e = ev(t.table);
        if (!e) return;
        e.raw += (c * (single ? 0.3 : 0.5)) / s.targets.length;
        e.reasons.push(`"${m.term}" is a value of ${t.column}${how}`);
      });
    } else if (s.kind === 'filter') {
      const specific = s.filters.length === 1;
      const e = ev(s.filters[0].table);
      if (!e) continue;
      e.raw += c * (specific ? 0.6 : 0.15);
      if (!specific) continue;
      e.reasons.push(`"${m.term}" is a filter on this table${how}`);
      const related = s.filters[0].value;
      const other = related && typeof related === 'object' && 'table' in related ? ev(related.table) : undefined;
      if (other) {
        other.raw += c * 0.4;
        other.reasons.push(`"${m.term}" is decided by rows of this table`);
      }
    } else {
      const single = s.measures.length === 1;
      s.measures.forEach((x, i) => {
        const e = ev(x.table);
        if (!e) return;
        const weight = adjusted(single ? 0.6 : i === 0 ? 0.4 : 0.2, x.table, 0.4, supported);
        e.raw += c * weight;
        if (weight >= 0.4) e.reasons.push(`"${m.term}" is a measure on this table${how}`);
      });
    }
  }
}

/**
 * Connects the tables the question asks for, growing a tree from the best
 * one: the next table joined is the one nearest to the tree (ties: more
 * evidence), by its shortest path; tables on that path become bridges with a
 * share of their ends' evidence.
 */
function connect(evidence: Map<string, TableEvidence>, lexicon: Lexicon, depth: number, leftJoin: boolean): { paths: JoinPath[]; unreachable: string[] } {
  const core = [...evidence.values()]
    .filter((e) => e.raw >= CORE_EVIDENCE)
    .sort((a, b) => b.raw - a.raw || (lexicon.tableOrder.get(a.table.name) ?? 0) - (lexicon.tableOrder.get(b.table.name) ?? 0))
    .slice(0, MAX_CORE_TABLES);
  const paths: JoinPath[] = [];
  if (core.length === 0) return { paths, unreachable: [] };
  const tree = new Set([core[0].table.name]);
  let remaining = core.slice(1);
  while (remaining.length > 0) {
    remaining = remaining.filter((e) => !tree.has(e.table.name));
    let next: { target: TableEvidence; edges: Edge[] } | undefined;
    for (const target of remaining) {
      const edges = bestPath(shortestPaths(lexicon, tree, target.table.name, depth), evidence);
      if (edges && (!next || edges.length < next.edges.length)) next = { target, edges };
    }
    if (!next) break;
    const { target, edges } = next;
    const from = evidence.get(edges[0].from);
    for (const edge of edges.slice(0, -1)) {
      const bridge = evidence.get(edge.to) ?? noEvidence(lexicon.deps.catalog.table(edge.to)!);
      evidence.set(edge.to, bridge);
      const share = 0.8 * Math.min(target.raw, from?.raw ?? target.raw);
      if (share > bridge.raw) {
        bridge.raw = share;
        bridge.bridge = `joins ${edges[0].from} to ${target.table.name}`;
      }
    }
    for (const edge of edges) tree.add(edge.to);
    paths.push(toJoinPath(edges, leftJoin, evidence));
    remaining = remaining.filter((e) => e !== target);
  }
  return { paths, unreachable: remaining.map((e) => e.table.name) };
}

/** Of equally short paths, the one through the tables the question supports most. */
function bestPath(candidates: Edge[][], evidence: Map<string, TableEvidence>): Edge[] | undefined {
  let best: Edge[] | undefined;
  let bestVia = -1;
  for (const edges of candidates) {
    const via = edges.slice(0, -1).reduce((sum, e) => sum + (evidence.get(e.to)?.raw ?? 0), 0);
    if (via > bestVia) {
      best = edges;
      bestVia = via;
    }
  }
  return best;
}

/**
 * The tables a wanted table references hold the names behind its codes
 * (an assignment's project and resource): they come along, well below it.
 */
function addReferencedTables(evidence: Map<string, TableEvidence>, lexicon: Lexicon): void {
  const core = [...evidence.values()].filter((e) => e.raw >= CORE_EVIDENCE && !e.bridge);
  for (const e of core) {
    for (const fk of e.table.foreignKeys) {
      const parent = lexicon.deps.catalog.table(fk.refTable);
      if (!parent || parent.name === e.table.name) continue;
      const share = REFERENCED_SHARE * e.raw;
      const existing = evidence.get(parent.name);
      if (existing && existing.raw >= share) continue;
      const target = existing ?? noEvidence(parent);
      target.raw = share;
      target.reasons.push(`referenced by ${e.table.name}.${fk.columns.join(', ')}`);
      evidence.set(parent.name, target);
    }
  }
}

function toJoinPath(edges: Edge[], leftJoin: boolean, evidence: Map<string, TableEvidence>): JoinPath {
  const from = edges[0].from;
  const to = edges[edges.length - 1].to;
  const ends = (score(evidence.get(from)?.raw ?? 0) + score(evidence.get(to)?.raw ?? 0)) / 2;
  return {
    from_table: from,
    to_table: to,
    join_columns: edges.flatMap((e) => e.on),
    join_type: leftJoin ? 'LEFT' : 'INNER',
    path_score: Math.round(ends * 0.9 ** (edges.length - 1) * 1000) / 1000,
  };
}

function hierarchyPaths(evidence: Map<string, TableEvidence>, lexicon: Lexicon): JoinPath[] {
  const paths: JoinPath[] = [];
  for (const e of evidence.values()) {
    if (e.raw < CORE_EVIDENCE) continue;
    for (const edge of selfEdges(lexicon, e.table.name)) {
      const s = score(e.raw);
      paths.push({ from_table: edge.from, to_table: edge.to, join_columns: edge.on, join_type: 'LEFT', path_score: s });
      for (const c of edge.fk.columns) if (!e.columns.includes(c)) e.columns.push(c);
    }
  }
  return paths;
}

/** How close a table's mentions are to a word: the noun a filter word modifies usually follows it. */
function distance(e: TableEvidence | undefined, position: number): number {
  if (!e || e.positions.length === 0) return Number.POSITIVE_INFINITY;
  return Math.min(...e.positions.map((p) => (p >= position ? p - position : (position - p) * 1.5)));
}

function pick<T extends { table: string }>(options: T[], position: number, evidence: Map<string, TableEvidence>): T {
  let best = options[0];
  let bestDistance = distance(evidence.get(best.table), position);
  for (const o of options.slice(1)) {
    const d = distance(evidence.get(o.table), position);
    if (d < bestDistance) {
      best = o;
      bestDistance = d;
    }
  }
  if (bestDistance === Number.POSITIVE_INFINITY) {
    best = options.find((o) => (evidence.get(o.table)?.raw ?? 0) >= CORE_EVIDENCE) ?? options[0];
  }
  return best;
}

function addFilter(e: TableEvidence | undefined, filter: ColumnFilter): void {
  if (!e) return;
  const same = e.filters.some((f) => f.column === filter.column && f.operator === filter.operator && JSON.stringify(f.value) === JSON.stringify(filter.value));
  if (!same) e.filters.push(filter);
  if (!e.columns.includes(filter.column)) e.columns.push(filter.column);
}

/** Vocabulary filters, measures and domain values, each placed on the table the question most likely means. */
function placeFilters(extraction: Extraction, evidence: Map<string, TableEvidence>): void {
  for (const m of extraction.mentions) {
    for (const s of m.senses) {
      if (s.kind === 'filter') {
        const f: VocabularyFilter = pick(s.filters, m.first, evidence);
        const e = evidence.get(f.table);
        const source = `"${m.term}" (vocabulary)`;
        const extra = f.aggregate ? { aggregate: f.aggregate, ...(f.per ? { per: f.per } : {}) } : {};
        addFilter(e, { column: f.column, operator: f.operator, value: f.value, source, ...extra });
        for (const c of f.and ?? []) addFilter(e, { column: c.column, operator: c.operator, value: c.value, source });
        if (f.per && e && !e.columns.includes(f.per)) e.columns.push(f.per);
      } else if (s.kind === 'value') {
        const t = pick(s.targets, m.first, evidence);
        addFilter(evidence.get(t.table), { column: t.column, operator: '=', value: t.value, source: `"${m.term}" (value of ${t.column})` });
      } else if (s.kind === 'measure') {
        const x = pick(s.measures, m.first, evidence);
        const e = evidence.get(x.table);
        if (!e || e.measures.some((u) => u.sql === x.sql)) continue;
        e.measures.push({ term: m.term, sql: x.sql, description: x.description, ...(x.aggregate ? { aggregate: true } : {}), ...(x.per ? { per: x.per } : {}) });
        for (const c of e.table.columns) {
          if (identifiersOf(x.sql).has(c.name.toLowerCase()) && !e.columns.includes(c.name)) e.columns.push(c.name);
        }
      }
    }
  }
}

/** The bare identifiers of a vocabulary SQL expression, to know which columns it reads. */
function identifiersOf(sql: string): Set<string> {
  return new Set(sql.toLowerCase().split(/[^a-z0-9_]+/).filter((w) => w.length > 0));
}

/** The column a literal is about: the nearest mentioned column of the wanted category before it (or just after). */
function columnNear(extraction: Extraction, at: number, evidence: Map<string, TableEvidence>, categories: string[]): { e: TableEvidence; column: string } | undefined {
  let best: { e: TableEvidence; column: string } | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const m of extraction.mentions) {
    const d = m.last < at ? at - m.last : m.first > at ? (m.first - at) * 2 : Number.POSITIVE_INFINITY;
    if (d > 6 || d >= bestDistance) continue;
    for (const s of m.senses) {
      if (s.kind !== 'column') continue;
      const e = evidence.get(s.table);
      const col = e?.table.columns.find((c) => c.name === s.column);
      if (!e || !col || !categories.includes(col.category)) continue;
      if (best && bestDistance === d && (best.e.raw >= e.raw)) continue;
      best = { e, column: s.column };
      bestDistance = d;
    }
  }
  return best;
}

/** "budget over 100k", "between 50000 and 200000": numeric conditions on the column named just before. */
function placeComparisons(extraction: Extraction, evidence: Map<string, TableEvidence>): void {
  const { tokens } = extraction;
  const numbers = extraction.literals.filter((l) => l.kind === 'number' || l.kind === 'percent');
  for (const n of numbers) {
    const before = tokens.slice(Math.max(0, n.first - 5), n.first).map((t) => t.lower);
    if (before.at(-1) === 'between') {
      const upper = numbers.find((x) => x.first === n.last + 2 && tokens[n.last + 1]?.lower === 'and');
      const target = upper && columnNear(extraction, n.first - 1, evidence, ['number']);
      if (upper && target) {
        addFilter(target.e, { column: target.column, operator: '>=', value: n.value, source: `"between ${n.text} and ${upper.text}"` });
        addFilter(target.e, { column: target.column, operator: '<=', value: upper.value, source: `"between ${n.text} and ${upper.text}"` });
      }
      continue;
    }
    const match = COMPARATORS.find(([words]) => words.length <= before.length && words.every((w, i) => before[before.length - words.length + i] === w));
    if (!match) continue;
    const target = columnNear(extraction, n.first - match[0].length, evidence, ['number']);
    if (target) addFilter(target.e, { column: target.column, operator: match[1], value: n.value, source: `"${match[0].join(' ')} ${n.text}"` });
  }
}

/**
 * "Finance department", "the Energy industry": a capitalized word the lexicon
 * does not know, right before a text column's name, is a value of that column.
 */
function placeNamedValues(extraction: Extraction, evidence: Map<string, TableEvidence>): void {
  const used = new Set<number>();
  for (const x of [...extraction.mentions, ...extraction.literals]) for (let i = x.first; i <= x.last; i++) used.add(i);
  for (const m of extraction.mentions) {
    const before = extraction.tokens[m.first - 1];
    if (!before || used.has(m.first - 1) || before.kind !== 'word' || !/^\p{Lu}/u.test(before.text)) continue;
    // An acronym ("IT", "HR") may spell a question word; a capitalized question word ("Show") is not a value.
    const acronym = before.text.length >= 2 && before.text === before.text.toUpperCase();
    if (!acronym && QUESTION_WORDS.has(before.lower)) continue;
    const columns = m.senses
      .flatMap((s) => (s.kind === 'column' ? [s] : []))
      .filter((s) => evidence.get(s.table)?.table.columns.find((c) => c.name === s.column)?.category === 'text');
    if (columns.length === 0) continue;
    const target = pick(columns, m.first, evidence);
    addFilter(evidence.get(target.table), { column: target.column, operator: '=', value: before.text, source: `"${before.text} ${m.term}"` });
  }
}

/** Dates and periods ("this year", "in 2024") bound the date column named near them. */
function placePeriods(extraction: Extraction, evidence: Map<string, TableEvidence>): void {
  for (const l of extraction.literals) {
    if (typeof l.value !== 'object') continue;
    const target = columnNear(extraction, l.first, evidence, ['date', 'timestamp']);
    if (!target) continue;
    const source = `"${l.text}" (${l.kind})`;
    const value = periodBounds(l);
    addFilter(target.e, { column: target.column, operator: '>=', value: value.from, source });
    addFilter(target.e, { column: target.column, operator: '<', value: value.to, source });
  }
}

function periodBounds(l: Literal): { from: FilterValue; to: FilterValue } {
  const v = l.value as { from: string; to: string };
  return { from: { sql: v.from }, to: { sql: v.to } };
}

function toRelevant(e: TableEvidence, relevance: number, deps: AnalyzerDeps): RelevantTable {
  const display = deps.vocabulary.tables[e.table.name]?.display_columns ?? defaultDisplay(e.table);
  const columns = [...new Set([...display, ...e.columns])];
  const reasons = [...new Set(e.reasons)];
  if (e.bridge) reasons.push(e.bridge);
  return {
    table_name: e.table.name,
    relevance_score: relevance,
    reason: reasons.join('; ') || 'weak match',
    columns,
    filters: e.filters,
    ...(e.measures.length > 0 ? { measures: e.measures } : {}),
  };
}

/** Without a vocabulary entry: the key, and the first text column that looks like a name. */
function defaultDisplay(table: Table): string[] {
  const name = table.columns.find((c) => c.category === 'text' && /name|title/i.test(c.name));
  return [...new Set([...table.primaryKey, ...(name ? [name.name] : [])])];
}

