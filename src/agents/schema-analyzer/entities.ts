/**
 * Entity extraction: splits a question into words and literals (quoted
 * strings, codes, amounts, percentages, dates and periods), then matches the
 * longest phrases against the lexicon — exactly, by stem, or within a small
 * edit distance for misspellings.
 */
import type { EntityMapping } from './contract.js';
import { analyze, magnitudeOf, monthNumber, periodSql, readPeriod, singular, type WordToken } from '../../language/index.js';
import { allowedEdits, damerauLevenshtein, initialKeys, relatedLink } from '../../schema/fuzzy.js';
import { exactKey, lexiconOf, looseKey, QUESTION_WORDS, type AnalyzerDeps, type LexEntry, type Lexicon, type Sense } from './lexicon.js';

export interface Token {
  text: string;
  lower: string;
  start: number;
  end: number;
  kind: 'word' | 'number' | 'quoted' | 'code' | 'symbol';
}

export type LiteralKind = 'text' | 'code' | 'number' | 'percent' | 'year' | 'month' | 'date' | 'period';

export interface Literal {
  kind: LiteralKind;
  text: string;
  /** number for amounts and percentages; `{from, to}` SQL date expressions (half-open) for dates and periods; string otherwise. */
  value: string | number | { from: string; to: string };
  /** Token indices covered. */
  first: number;
  last: number;
}

export interface Mention {
  term: string;
  first: number;
  last: number;
  senses: Sense[];
  /** `related`: through a WordNet relation of the word (`via` names the schema word it reached). */
  match: 'exact' | 'stem' | 'fuzzy' | 'abbreviation' | 'related';
  via?: string;
  /** How far to trust the match: 1 exact, less for stems and misspellings. */
  confidence: number;
}

export interface Extraction {
  tokens: Token[];
  literals: Literal[];
  mentions: Mention[];
  query_terms: string[];
  mapped_entities: EntityMapping[];
}

export function extractEntities(query: string, deps: AnalyzerDeps): { query_terms: string[]; mapped_entities: EntityMapping[] } {
  const { query_terms, mapped_entities } = extract(query, lexiconOf(deps));
  return { query_terms, mapped_entities };
}

export function extract(query: string, lexicon: Lexicon): Extraction {
  const tokens = tokenize(query);
  const literals = findLiterals(tokens);
  const covered = new Set<number>();
  for (const l of literals) for (let i = l.first; i <= l.last; i++) covered.add(i);
  let tagged: Map<number, WordToken> | undefined;
  // The tagger runs only for a question with a word no name matched, and then once.
  const tagAt = (start: number) => (tagged ??= new Map(analyze(query).map((t) => [t.start, t]))).get(start);
  const mentions = findMentions(tokens, covered, lexicon, tagAt);
  const query_terms: string[] = [];
  const mapped_entities: EntityMapping[] = [];
  const mentionAt = new Map(mentions.map((m) => [m.first, m]));
  const literalAt = new Map(literals.map((l) => [l.first, l]));
  for (let i = 0; i < tokens.length; i++) {
    const m = mentionAt.get(i);
    const l = literalAt.get(i);
    if (l) {
      query_terms.push(l.text);
      mapped_entities.push({ term: l.text, kind: 'literal', target: `${l.kind}:${typeof l.value === 'object' ? `${l.value.from}..${l.value.to}` : l.value}`, score: 1, value: l.value });
      i = l.last;
    } else if (m) {
      query_terms.push(m.term);
      mapped_entities.push(...mappings(m));
      i = m.last;
    } else if (tokens[i].kind === 'word' && !QUESTION_WORDS.has(tokens[i].lower)) {
      query_terms.push(tokens[i].lower);
    }
  }
  return { tokens, literals, mentions, query_terms, mapped_entities };
}

function mappings(m: Mention): EntityMapping[] {
  const score = round(m.confidence);
  return m.senses.flatMap((s): EntityMapping[] => {
    switch (s.kind) {
      case 'table':
        return [{ term: m.term, kind: 'table', target: s.table, score: round(m.confidence * Math.min(1, s.weight)) }];
      case 'column':
        return s.weight > 0 ? [{ term: m.term, kind: 'column', target: `${s.table}.${s.column}`, score: round(m.confidence * Math.min(1, s.weight * 2)) }] : [];
      case 'value':
        return s.targets.map((t) => ({ term: m.term, kind: 'value' as const, target: `${t.table}.${t.column}`, score, value: t.value }));
      case 'filter':
        return s.filters.map((f) => ({ term: m.term, kind: 'filter' as const, target: `${f.table}.${f.column} ${f.operator}`, score, value: f.value }));
      case 'measure':
        return s.measures.map((x) => ({ term: m.term, kind: 'measure' as const, target: `${x.table}: ${x.sql}`, score }));
    }
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const TOKEN = /[“"]([^”"]*)[”"]|(?<![\p{L}\p{N}])[‘']([^’']+)[’'](?![\p{L}\p{N}])|[\p{L}][\p{L}\p{N}]*(?:[-_]?\p{N}+)?|\d{4}-\d{2}-\d{2}\b|\$?\p{N}+(?:,\p{N}{3})*(?:\.\p{N}+)?(?:[kKmMbB](?![\p{L}]))?%?|[<>]=?|=/gu;

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  for (const m of query.matchAll(TOKEN)) {
    const text = m[1] ?? m[2] ?? m[0];
    const start = m.index!;
    let kind: Token['kind'];
    if (m[1] !== undefined || m[2] !== undefined) kind = 'quoted';
    else if (/^[<>=]/.test(m[0])) kind = 'symbol';
    else if (/^[$\p{N}]/u.test(m[0])) kind = 'number';
    else if (/\p{N}/u.test(m[0])) kind = 'code';
    else kind = 'word';
    tokens.push({ text, lower: text.toLowerCase(), start, end: start + m[0].length, kind });
  }
  return tokens;
}

const DATE_PREPOSITIONS = new Set(['in', 'since', 'after', 'before', 'during', 'from', 'until', 'till', 'of', 'for', 'to', 'through']);

const pad = (n: number) => String(n).padStart(2, '0');
const dateSql = (y: number, m: number, d = 1) => `DATE '${y}-${pad(m)}-${pad(d)}'`;

/** Quoted text, codes, amounts, percentages, years, months, dates and relative periods. */
function findLiterals(tokens: Token[]): Literal[] {
  const found: Literal[] = [];
  const words = tokens.map((t) => t.lower);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'quoted') {
      found.push({ kind: 'text', text: t.text, value: t.text, first: i, last: i });
      continue;
    }
    const quarter = /^q([1-4])$/i.exec(t.text);
    if (quarter && tokens[i + 1]?.kind === 'number' && /^\d{4}$/.test(tokens[i + 1].text)) {
      const year = Number(tokens[i + 1].text);
      const q = Number(quarter[1]);
      const to = q === 4 ? dateSql(year + 1, 1) : dateSql(year, 3 * q + 1);
      found.push({ kind: 'period', text: `${t.text} ${tokens[i + 1].text}`, value: { from: dateSql(year, 3 * q - 2), to }, first: i, last: i + 1 });
      i++;
      continue;
    }
    if (t.kind === 'code') {
      found.push({ kind: 'code', text: t.text, value: t.text.toUpperCase(), first: i, last: i });
      continue;
    }
    if (t.kind === 'number' && /^\d{4}-\d{2}-\d{2}$/.test(t.text)) {
      found.push({ kind: 'date', text: t.text, value: { from: `DATE '${t.text}'`, to: `DATE '${t.text}' + 1` }, first: i, last: i });
      continue;
    }
    if (t.kind === 'number') {
      const literal = numberLiteral(tokens, i);
      found.push(literal);
      i = literal.last;
      continue;
    }
    if (t.kind !== 'word') continue;
    const month = monthNumber(t.lower);
    if (month !== undefined && (tokens[i + 1]?.kind === 'number' && /^\d{4}$/.test(tokens[i + 1].text))) {
      const year = Number(tokens[i + 1].text);
      const next = month === 12 ? dateSql(year + 1, 1) : dateSql(year, month + 1);
      found.push({ kind: 'month', text: `${t.text} ${tokens[i + 1].text}`, value: { from: dateSql(year, month), to: next }, first: i, last: i + 1 });
      i++;
      continue;
    }
    // "the" stays outside the literal: it is no part of the period's text.
    const period = t.lower === 'the' ? undefined : readPeriod(words, i);
    if (period) {
      found.push({ kind: 'period', text: tokens.slice(i, period.end).map((x) => x.text).join(' '), value: periodSql(period.period), first: i, last: period.end - 1 });
      i = period.end - 1;
    }
  }
  return found;
}

function numberLiteral(tokens: Token[], i: number): Literal {
  const t = tokens[i];
  const raw = t.text.replace(/[$,]/g, '');
  const percent = raw.endsWith('%');
  const suffix = /[kmb]$/i.exec(raw.replace('%', ''))?.[0].toLowerCase();
  let value = Number.parseFloat(raw);
  let last = i;
  if (suffix) value *= magnitudeOf(suffix) ?? 1;
  const next = tokens[i + 1]?.lower;
  const scale = next && next.length > 2 ? magnitudeOf(next) : undefined;
  if (!suffix && scale !== undefined) {
    value *= scale;
    last = i + 1;
  }
  if (percent || next === 'percent' || next === 'pct') {
    return { kind: 'percent', text: tokens.slice(i, percent ? i + 1 : i + 2).map((x) => x.text).join(' '), value, first: i, last: percent ? i : i + 1 };
  }
  const previous = tokens[i - 1]?.lower ?? '';
  const isYear = /^\d{4}$/.test(raw) && value >= 1900 && value <= 2100 && last === i && DATE_PREPOSITIONS.has(previous);
  if (isYear) return { kind: 'year', text: t.text, value: { from: dateSql(value, 1), to: dateSql(value + 1, 1) }, first: i, last: i };
  return { kind: 'number', text: tokens.slice(i, last + 1).map((x) => x.text).join(' '), value, first: i, last };
}

/** Longest phrases first; a word already inside a literal is not matched again. */
function findMentions(tokens: Token[], covered: Set<number>, lexicon: Lexicon, tagAt: (start: number) => WordToken | undefined): Mention[] {
  const mentions: Mention[] = [];
  const wordAt = (i: number) => (tokens[i]?.kind === 'word' && !covered.has(i) ? tokens[i] : undefined);
  for (let i = 0; i < tokens.length; i++) {
    if (!wordAt(i)) continue;
    let found: Mention | undefined;
    const words: string[] = [];
    for (let j = i; j < i + lexicon.longestPhrase && wordAt(j); j++) words.push(tokens[j].lower);
    for (let n = words.length; n >= 1 && !found; n--) {
      const phrase = words.slice(0, n);
      const term = tokens.slice(i, i + n).map((t) => t.text).join(' ');
      const exact = lexicon.exact.get(exactKey(phrase));
      const loose = exact ? undefined : lexicon.loose.get(looseKey(phrase));
      if (exact) found = mention(term, i, i + n - 1, exact, 'exact', 1);
      else if (loose) found = mention(term, i, i + n - 1, loose, 'stem', 0.9);
      else {
        const short = abbreviated(phrase, lexicon);
        if (short) found = mention(term, i, i + n - 1, short, 'abbreviation', 0.85);
      }
    }
    if (!found) {
      const key = fuzzyKey(words[0], lexicon);
      const entry = key === undefined ? undefined : lexicon.exact.get(key);
      if (entry) found = mention(tokens[i].text, i, i, entry, 'fuzzy', 0.8);
    }
    found ??= relatedMention(tokens[i], i, lexicon, tagAt);
    if (found && found.senses.length > 0) {
      mentions.push(found);
      i = found.last;
    }
  }
  return mentions;
}

function mention(term: string, first: number, last: number, entry: LexEntry, match: Mention['match'], confidence: number): Mention {
  return { term, first, last, senses: entry.senses, match, confidence };
}

/** A table or column sense of a name that shortens the phrase's first word to its initial ("first name" → `Fname`). */
function abbreviated(phrase: string[], lexicon: Lexicon): LexEntry | undefined {
  if (phrase.some((w) => QUESTION_WORDS.has(w))) return undefined;
  for (const key of initialKeys(phrase)) {
    const entry = lexicon.exact.get(key);
    if (entry?.senses.some((s) => s.kind === 'table' || s.kind === 'column')) return entry;
  }
  return undefined;
}

/**
 * A schema table or column reached through WordNet (`relatedLink`) from a word
 * no name matched, read with its part of speech and lemma in the question;
 * looked up once per word, part of speech and lexicon.
 */
function relatedMention(token: Token, at: number, lexicon: Lexicon, tagAt: (start: number) => WordToken | undefined): Mention | undefined {
  const word = token.lower;
  if (word.length < 3 || QUESTION_WORDS.has(word) || /[^a-z'-]/.test(word)) return undefined;
  const tag = tagAt(token.start);
  if (!tag) return undefined;
  const cacheKey = `${word} ${tag.pos}`;
  let hit = lexicon.relatedCache.get(cacheKey);
  if (hit === undefined) {
    const link = relatedLink([tag.lemma, singular(word)], tag.pos, (words) => {
      const key = exactKey(words);
      const entry = QUESTION_WORDS.has(key) ? undefined : lexicon.exact.get(key);
      const senses = entry?.senses.filter((s) => s.kind === 'table' || s.kind === 'column');
      return senses && senses.length > 0 ? { surface: entry!.surface, senses } : undefined;
    });
    hit = link ? { entry: link.target, confidence: link.confidence, via: link.via } : null;
    if (lexicon.relatedCache.size > 10_000) lexicon.relatedCache.clear();
    lexicon.relatedCache.set(cacheKey, hit);
  }
  return hit ? { ...mention(token.text, at, at, hit.entry, 'related', hit.confidence), via: hit.via } : undefined;
}

const INFLECTIONS = ['ing', 'ed', 'er', 'es', 's', 'd', 'r'];

function root(word: string): string {
  const suffix = INFLECTIONS.find((x) => word.endsWith(x) && word.length - x.length >= 3);
  return suffix ? word.slice(0, -suffix.length) : word;
}

/** "managed" and "manager" are two words of one root, not a misspelling of each other. */
function sameRoot(a: string, b: string): boolean {
  return root(a) === root(b);
}

/** The lexicon word a misspelt word most likely meant; same first letter, few edits. */
function fuzzyKey(word: string, lexicon: Lexicon): string | undefined {
  if (QUESTION_WORDS.has(word)) return undefined;
  const cached = lexicon.fuzzyCache.get(word);
  if (cached !== undefined) return cached ?? undefined;
  const w = singular(word);
  const budget = allowedEdits(w.length);
  let best: string | null = null;
  let bestDistance = budget + 1;
  if (budget > 0) {
    for (const candidate of lexicon.fuzzyCandidates.get(w[0]) ?? []) {
      if (Math.abs(candidate.length - w.length) > budget || sameRoot(w, candidate)) continue;
      const d = damerauLevenshtein(w, candidate, bestDistance - 1);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
  }
  if (lexicon.fuzzyCache.size > 10_000) lexicon.fuzzyCache.clear();
  lexicon.fuzzyCache.set(word, best);
  return best ?? undefined;
}
