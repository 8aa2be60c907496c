/**
 * String-distance matching of words to schema names and vocabulary terms:
 * misspellings ("projet", "compnies") are found by edit distance, never by a
 * list of known misspellings.
 */

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
