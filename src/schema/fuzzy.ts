/**
 * Matching words to schema names and vocabulary terms beyond equality:
 * misspellings ("projet", "compnies") by edit distance, never by a list of
 * known misspellings; names shortened to an initial ("first name" → Fname);
 * and words the names do not use, through WordNet ("stores" → shop).
 */
import { phraseWords, relatedWords, singular, type Pos, type Relation, type WordNetPos } from '../language/index.js';

/**
 * Damerau-Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions and transpositions of adjacent characters, each 1).
 * With `max`, gives up early and returns `max + 1` once the distance must exceed it.
 */
export function damerauLevenshtein(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const width = b.length + 1;
  let prevPrev = new Array<number>(width).fill(0);
  let prev = Array.from({ length: width }, (_, j) => j);
  let row = new Array<number>(width).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2] + 1);
      row[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, row] = [prev, row, prevPrev];
  }
  return prev[b.length];
}

/** 1 for equal strings, 0 for nothing in common: 1 − distance / longer length. Case-insensitive. */
export function similarity(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const longest = Math.max(x.length, y.length);
  return longest === 0 ? 1 : 1 - damerauLevenshtein(x, y) / longest;
}

/**
 * How many edits a word of this length may carry and still count as a
 * misspelling: none for short words, where one edit makes another word.
 */
export function allowedEdits(length: number): number {
  if (length <= 3) return 0;
  if (length <= 7) return 1;
  return 2;
}

export interface Suggestion {
  value: string;
  distance: number;
  similarity: number;
}

export interface ClosestOptions {
  /** At most this many suggestions (default 3). */
  max?: number;
  /** Only candidates at least this similar (default 0.5). */
  minSimilarity?: number;
}

/** The candidates nearest to `word`, most similar first (ties: smaller distance, then alphabetical). */
export function closest(word: string, candidates: Iterable<string>, options: ClosestOptions = {}): Suggestion[] {
  const { max = 3, minSimilarity = 0.5 } = options;
  const w = word.toLowerCase();
  const found: Suggestion[] = [];
  for (const value of new Set(candidates)) {
    const v = value.toLowerCase();
    const longest = Math.max(w.length, v.length);
    const budget = Math.floor((1 - minSimilarity) * longest);
    const distance = damerauLevenshtein(w, v, budget);
    if (distance > budget) continue;
    found.push({ value, distance, similarity: longest === 0 ? 1 : 1 - distance / longest });
  }
  found.sort((x, y) => y.similarity - x.similarity || x.distance - y.distance || x.value.localeCompare(y.value));
  return found.slice(0, max);
}

/**
 * The keys a schema may shorten a two-word phrase to, its first word cut to
 * the initial: "first name" → `f name` (`F_Name`, `LName` as identifierWords
 * splits it) and `fname` (`Fname`). Empty for any other length.
 */
export function initialKeys(phrase: readonly string[]): string[] {
  if (phrase.length !== 2 || phrase.some((w) => w.length < 2)) return [];
  const [head, rest] = [phrase[0][0], singular(phrase[1])];
  return [`${head} ${rest}`, `${head}${rest}`];
}

/**
 * How far a WordNet relation carries a word's meaning to a schema name, for a
 * word's first sense; its second sense carries less. Only synonyms
 * ("manufacturer" → maker, "store" → shop) and the attribute an adjective
 * measures ("older" → age, "heavier" → weight) link: derived forms and
 * hypernyms reach too far ("finance" → financial, "meaning" → content).
 */
const RELATION_CONFIDENCE: Partial<Record<Relation, number>> = { synonym: 0.75, attribute: 0.7 };
const LATER_SENSE = 0.7;

/** Parts of speech whose words name data; verbs in a question are mostly its commands ("calculate", "insert"). */
const LINKED_POS: Partial<Record<Pos, WordNetPos>> = { NOUN: 'noun', PROPN: 'noun', ADJ: 'adj' };

export interface RelatedLink<T> {
  target: T;
  /** The related word that reached the target ("age" for "older"). */
  via: string;
  relation: Relation;
  /** In (0, 0.75]: how far to trust the link. */
  confidence: number;
}

/**
 * A schema name reached through WordNet from a word no name matched: the
 * word's lemmas (as a tagger gives them, and its plain singular) looked up as
 * the part of speech the tagger read (nouns and adjectives only), the
 * synonyms and attributes of their first two senses tried against `lookup`
 * (the caller's own index of schema names, given a related word's phrase
 * words), the most trusted link winning. Undefined when none links.
 */
export function relatedLink<T>(lemmas: readonly string[], pos: Pos, lookup: (words: string[]) => T | undefined): RelatedLink<T> | undefined {
  const wordnet = LINKED_POS[pos];
  if (!wordnet) return undefined;
  let best: RelatedLink<T> | undefined;
  for (const form of new Set(lemmas)) {
    for (const r of relatedWords(form, { pos: [wordnet], senses: 2, relations: ['synonym', 'attribute'] })) {
      const confidence = (RELATION_CONFIDENCE[r.relation] ?? 0) * (r.sense === 0 ? 1 : LATER_SENSE);
      if (best && confidence <= best.confidence) continue;
      const target = lookup(phraseWords(r.word));
      if (target !== undefined) best = { target, via: r.word, relation: r.relation, confidence };
    }
  }
  return best;
}
