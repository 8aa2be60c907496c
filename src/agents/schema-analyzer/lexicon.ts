/**
 * What the analyzer knows, precomputed once per (catalog, vocabulary): every
 * phrase a question may use — vocabulary terms, words of table and column
 * names, value-domain values — with what it points at, plus the foreign-key
 * graph. Questions are then matched by map look-ups, not by scanning the schema.
 */
import { identifierWords, phraseWords, singular, stem } from '../../language/index.js';
import type { Catalog, ForeignKey } from '../../schema/types.js';
import type { Measure, Vocabulary, VocabularyFilter } from '../../schema/vocabulary.js';

export interface AnalyzerDeps {
  catalog: Catalog;
  vocabulary: Vocabulary;
}

export interface ValueTarget {
  table: string;
  column: string;
  value: string;
}

export type Sense =
  | { kind: 'table'; table: string; weight: number; source: 'vocabulary' | 'name' }
  | { kind: 'column'; table: string; column: string; weight: number; source: 'vocabulary' | 'name' }
  | { kind: 'filter'; filters: VocabularyFilter[] }
  | { kind: 'measure'; measures: Measure[] }
  | { kind: 'value'; targets: ValueTarget[] };

export interface LexEntry {
  /** The phrase as the vocabulary or schema spells it. */
  surface: string;
  senses: Sense[];
}

export interface Edge {
  from: string;
  to: string;
  /** `from.x = to.y` for each column pair. */
  on: string[];
  fk: ForeignKey;
}

export interface Lexicon {
  deps: AnalyzerDeps;
  /** Phrases keyed by the singular forms of their words. */
  exact: Map<string, LexEntry>;
  /** Table and column senses keyed by word stems, for derived forms ("expiring" → expire). */
  loose: Map<string, LexEntry>;
  longestPhrase: number;
  /** Single-word exact keys by first letter, for misspellings. */
  fuzzyCandidates: Map<string, string[]>;
  fuzzyCache: Map<string, string | null>;
  /** Schema senses reached from a question word through WordNet (entities.ts), null for none. */
  relatedCache: Map<string, { entry: LexEntry; confidence: number; via: string } | null>;
  /** Foreign-key edges per table (lower-case name), both directions. */
  edges: Map<string, Edge[]>;
  tableOrder: Map<string, number>;
  tableNames: string[];
}

/**
 * Words of a question that say what to do with the data, not which data:
 * they never match a table or column by name (a column `Records_Count` must
 * not answer "count projects").
 */
export const QUESTION_WORDS = new Set(
  (
    'a an the of to in on at by for from with without within into per and or not no nor any all each every ' +
    'is are was were be been being do does did has have had having can could would should will shall may might must ' +
    'i me my we our us you your it its they them their this that these those there here what which who whom whose ' +
    'where when why how many much more most less least than then also only just even both either neither ' +
    'show list find get give display see want need tell fetch return retrieve pull lookup look report ' +
    'count number total sum average avg mean max maximum min minimum top bottom rank ranked ranking ' +
    'highest lowest largest smallest biggest best worst greater larger higher lower smaller fewer ' +
    'over under above below between exceed exceeds exceeding beyond equal equals ' +
    'order ordered sort sorted group grouped distinct unique different duplicate duplicates ' +
    'record records row rows entry entries data information info detail details table tables ' +
    'summary overview breakdown please currently each some other new old ' +
    'since after before during until till like named called about as if so such via'
  ).split(' '),
);

/**
 * Words that name a column in almost every table: they pick the column of a
 * table already in play ("contracts by type") but are no evidence for a table.
 */
const GENERIC_NAME_WORDS = new Set('id name code date type status description created modified percent'.split(' '));

/** The lexicon of a (catalog, vocabulary) pair, built on first use and shared after. */
export function lexiconOf(deps: AnalyzerDeps): Lexicon {
  let byVocabulary = cache.get(deps.catalog);
  if (!byVocabulary) {
    byVocabulary = new WeakMap();
    cache.set(deps.catalog, byVocabulary);
  }
  let lexicon = byVocabulary.get(deps.vocabulary);
  if (!lexicon) {
    lexicon = buildLexicon(deps);
    byVocabulary.set(deps.vocabulary, lexicon);
  }
  return lexicon;
}

const cache = new WeakMap<Catalog, WeakMap<Vocabulary, Lexicon>>();

export function exactKey(words: string[]): string {
  return words.map(singular).join(' ');
}

export function looseKey(words: string[]): string {
  return words.map(stem).join(' ');
}

/**
 * A term's later tables are alternatives, not additions ("project" is
 * PAC_MNT_PROJECTS or else SRM_PROJECTS): alone they stay below the evidence
 * that makes the analyzer join a table in.
 */
const SECONDARY_WEIGHT = 0.3;

/** A word of a column's comment: less than a word of its name, which the schema's author chose to name it by. */
const COMMENT_WEIGHT = 0.25;

/** A word of a table's description (COMMENT ON TABLE): evidence, below the table's own name words. */
const TABLE_COMMENT_WEIGHT = 0.6;

function buildLexicon(deps: AnalyzerDeps): Lexicon {
  const { catalog, vocabulary } = deps;
  const exact = new Map<string, LexEntry>();
  const loose = new Map<string, LexEntry>();
  const fromVocabulary = new Set<string>();
  const canonical = (name: string) => catalog.table(name)?.name ?? name;

  // An entry's table and column senses by target, so adding one is a look-up: a word like
  // "status" has a sense in every table, and scanning them made the build quadratic.
  const targets = new Map<LexEntry, Map<string, Sense>>();
  const add = (map: Map<string, LexEntry>, key: string, surface: string, sense: Sense) => {
    if (key.length === 0) return;
    let entry = map.get(key);
    if (!entry) map.set(key, (entry = { surface, senses: [] }));
    const target = targetKey(sense);
    if (target === undefined) {
      entry.senses.push(sense);
      return;
    }
    let known = targets.get(entry);
    if (!known) targets.set(entry, (known = new Map()));
    const same = known.get(target);
    if (!same) {
      known.set(target, sense);
      entry.senses.push(sense);
    } else if ('weight' in same && 'weight' in sense && sense.weight > same.weight) same.weight = sense.weight;
  };
  const addBoth = (surface: string, sense: Sense) => {
    const words = phraseWords(surface);
    add(exact, exactKey(words), surface, sense);
    if (sense.kind === 'table' || sense.kind === 'column') add(loose, looseKey(words), surface, sense);
  };

  for (const [term, tables] of Object.entries(vocabulary.terms)) {
    fromVocabulary.add(exactKey(phraseWords(term)));
    tables.forEach((t, i) => addBoth(term, { kind: 'table', table: canonical(t), weight: i === 0 ? 1 : SECONDARY_WEIGHT, source: 'vocabulary' }));
  }
  for (const [term, targets] of Object.entries(vocabulary.columns)) {
    fromVocabulary.add(exactKey(phraseWords(term)));
    targets.forEach((target, i) => {
      const [t, c] = target.split('.');
      const column = catalog.column(t, c)?.name ?? c;
      addBoth(term, { kind: 'column', table: canonical(t), column, weight: i === 0 ? 0.5 : 0.35, source: 'vocabulary' });
    });
  }
  for (const [term, filters] of Object.entries(vocabulary.filters)) {
    fromVocabulary.add(exactKey(phraseWords(term)));
    addBoth(term, { kind: 'filter', filters: filters.map((f) => ({ ...f, table: canonical(f.table) })) });
  }
  for (const [term, measures] of Object.entries(vocabulary.measures)) {
    fromVocabulary.add(exactKey(phraseWords(term)));
    addBoth(term, { kind: 'measure', measures: measures.map((m) => ({ ...m, table: canonical(m.table) })) });
  }

  // Schema names speak only where the vocabulary is silent: the vocabulary
  // knows that "project" means PAC_MNT_PROJECTS first, the names do not.
  const fromNames = (surface: string, sense: Sense) => {
    const words = phraseWords(surface);
    if (fromVocabulary.has(exactKey(words))) return;
    add(exact, exactKey(words), surface, sense);
    if (sense.kind !== 'value') add(loose, looseKey(words), surface, sense);
  };
  const columnWordTables = new Map<string, Set<string>>();
  for (const table of catalog.tables) {
    for (const column of table.columns) {
      for (const w of identifierWords(column.name)) {
        if (!columnWordTables.has(singular(w))) columnWordTables.set(singular(w), new Set());
        columnWordTables.get(singular(w))!.add(table.name);
      }
    }
  }
  for (const table of catalog.tables) {
    const words = identifierWords(table.name);
    fromNames(words.join(' '), { kind: 'table', table: table.name, weight: 1.5, source: 'name' });
    for (const w of words) {
      if (w.length >= 3 && !QUESTION_WORDS.has(w)) fromNames(w, { kind: 'table', table: table.name, weight: 0.8, source: 'name' });
    }
    for (const column of table.columns) {
      const colWords = identifierWords(column.name);
      fromNames(colWords.join(' '), { kind: 'column', table: table.name, column: column.name, weight: 0.5, source: 'name' });
      for (const w of colWords) {
        if (w.length < 2 || QUESTION_WORDS.has(w)) continue;
        // A word found in many tables' columns says little about which table is meant.
        const spread = columnWordTables.get(singular(w))?.size ?? 1;
        const weight = GENERIC_NAME_WORDS.has(w) ? 0 : 0.35 / Math.sqrt(spread);
        fromNames(w, { kind: 'column', table: table.name, column: column.name, weight, source: 'name' });
      }
      // A column's comment describes it in words a question may use ("-- yearly pay in EUR"); a
      // list of values (`A | B`) is its domain, read below, not a description.
      if (column.comment && !column.comment.includes('|')) {
        for (const w of new Set(phraseWords(column.comment))) {
          if (w.length < 3 || QUESTION_WORDS.has(w) || GENERIC_NAME_WORDS.has(w) || /\d/.test(w)) continue;
          fromNames(w, { kind: 'column', table: table.name, column: column.name, weight: COMMENT_WEIGHT, source: 'name' });
        }
      }
      for (const value of column.valueDomain ?? []) {
        fromNames(value, { kind: 'value', targets: [{ table: table.name, column: column.name, value }] });
      }
    }
  }
  // A table's description (COMMENT ON TABLE) links the words a data team uses to the name it chose.
  for (const table of catalog.tables) {
    const words = table.comment && !table.comment.includes('|') ? phraseWords(table.comment) : [];
    for (const w of words) {
      if (w.length >= 4 && !QUESTION_WORDS.has(w) && !GENERIC_NAME_WORDS.has(w)) fromNames(w, { kind: 'table', table: table.name, weight: TABLE_COMMENT_WEIGHT, source: 'name' });
    }
  }
  mergeValueTargets(exact);

  const fuzzyCandidates = new Map<string, string[]>();
  for (const key of exact.keys()) {
    if (key.includes(' ') || key.length < 5 || QUESTION_WORDS.has(key)) continue;
    const list = fuzzyCandidates.get(key[0]) ?? [];
    list.push(key);
    fuzzyCandidates.set(key[0], list);
  }

  const edges = new Map<string, Edge[]>();
  const push = (edge: Edge) => {
    const key = edge.from.toLowerCase();
    const list = edges.get(key);
    if (list) list.push(edge);
    else edges.set(key, [edge]);
  };
  for (const table of catalog.tables) {
    for (const fk of table.foreignKeys) {
      if (!catalog.table(fk.refTable)) continue;
      const on = fk.columns.map((c, i) => `${fk.table}.${c} = ${fk.refTable}.${fk.refColumns[i]}`);
      const back = fk.columns.map((c, i) => `${fk.refTable}.${fk.refColumns[i]} = ${fk.table}.${c}`);
      push({ from: fk.table, to: fk.refTable, on, fk });
      if (fk.table !== fk.refTable) push({ from: fk.refTable, to: fk.table, on: back, fk });
    }
  }

  let longestPhrase = 1;
  for (const key of [...exact.keys(), ...loose.keys()]) longestPhrase = Math.max(longestPhrase, key.split(' ').length);
  return {
    deps,
    exact,
    loose,
    longestPhrase,
    fuzzyCandidates,
    fuzzyCache: new Map(),
    relatedCache: new Map(),
    edges,
    tableOrder: new Map(catalog.tables.map((t, i) => [t.name, i])),
    tableNames: catalog.tables.map((t) => t.name),
  };
}

/** One value sense per phrase, listing every column whose domain holds it. */
function mergeValueTargets(map: Map<string, LexEntry>): void {
  for (const entry of map.values()) {
    const values = entry.senses.filter((s): s is Extract<Sense, { kind: 'value' }> => s.kind === 'value');
    if (values.length < 2) continue;
    const merged: Sense = { kind: 'value', targets: values.flatMap((v) => v.targets) };
    entry.senses = [...entry.senses.filter((s) => s.kind !== 'value'), merged];
  }
}

/** The table or column a sense points at; other senses are never merged. */
function targetKey(s: Sense): string | undefined {
  if (s.kind === 'table') return `table\u0000${s.table}`;
  if (s.kind === 'column') return `column\u0000${s.table}\u0000${s.column}`;
  return undefined;
}
