/**
 * Reader: every word accounted for. A content word no reader used means the
 * reading missed part of the question; it is named ("not understood:
 * 'second'") and lowers the confidence. Misspellings read by edit distance are
 * guesses too.
 */
import { isContent } from '../items.js';
import type { ParseState } from '../state.js';

export function readAccounting(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (s.used.has(i)) {
      if (it.fuzzy) s.plan.guesses.push(`"${it.text}" read as a misspelling`);
      continue;
    }
    if (it.kind === 'unknown' || (it.kind === 'num' && !it.year) || it.kind === 'quoted' || (it.kind === 'phrase' && isContent(it))) s.unused.push(it.text);
  }
  if (s.unused.length) s.plan.steps.push(`Not understood: ${s.unused.map((w) => `'${w}'`).join(', ')}.`);
}
