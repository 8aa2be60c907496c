/**
 * The one owner of English word forms shared by the analyzer and the
 * generator (house-notes change 3): how a phrase splits into words, plural →
 * singular, a light stem, the words of a schema identifier, month names and
 * the magnitude words that scale a number. Pure and synchronous, no library:
 * these run on every schema name and every question word, where a table
 * look-up beats a tagger.
 */
import { dictionary } from '../dictionary.js';

/**
 * Words of a text as phrases are keyed: lower case, split on anything but
 * letters, digits, inner apostrophes and comparison symbols (`>=`, `%`), a
 * possessive `'s` dropped, each word singular ("Companies' budgets" →
 * company, budget).
 */
export function phraseWords(text: string): string[] {
  const out: string[] = [];
  for (const [word] of text.toLowerCase().matchAll(/[a-z0-9]+(?:'[a-z]+)*|[%<>=!&]+/g)) out.push(singular(word.replace(/'s$/, '')));
  return out;
}

const IRREGULAR = dictionary<string>({
  people: 'person',
  men: 'man',
  women: 'woman',
  children: 'child',
  staff: 'staff',
  data: 'data',
  criteria: 'criterion',
  feet: 'foot',
  teeth: 'tooth',
  mice: 'mouse',
  geese: 'goose',
});

/** English plural → singular, for matching words to schema names: companies → company, statuses → status. */
export function singular(word: string): string {
  const w = word.toLowerCase();
  if (IRREGULAR[w]) return IRREGULAR[w];
  if (w.length <= 3 || !w.endsWith('s') || /(ss|us|is)$/.test(w)) return w;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (/(sses|uses|xes|zzes|ches|shes)$/.test(w)) return w.slice(0, -2);
  return w.slice(0, -1);
}

/**
 * A light stem: the singular without common derivational endings, so that
 * "allocated", "allocation" and "allocations" meet, as do "billing" and "Bill_Rate".
 */
export function stem(word: string): string {
  let w = singular(word);
  for (const suffix of ['ations', 'ation', 'ating', 'ated', 'ate', 'ments', 'ment', 'ing', 'ed']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  if (w.length > 3 && w.at(-1) === w.at(-2) && !/[aeiouls]/.test(w.at(-1)!)) w = w.slice(0, -1);
  return w;
}

/** The words of a schema identifier: `Actual_Cost` → [actual, cost], `ClntClass` → [clnt, class], `HTTPCode` → [http, code]. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** Month names, January first. */
export const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;

const MONTH_NUMBERS = new Map<string, number>();
MONTH_NAMES.forEach((name, i) => {
  MONTH_NUMBERS.set(name, i + 1);
  MONTH_NUMBERS.set(name.slice(0, 3), i + 1);
});
MONTH_NUMBERS.set('sept', 9);

/**
 * The month a word names, 1–12, or undefined: full names and three-letter
 * abbreviations ("sep" and "sept"), any case. "May" and "mar" are months here;
 * whether a sentence means them so is the reader's call.
 */
export function monthNumber(word: string): number | undefined {
  return MONTH_NUMBERS.get(word.toLowerCase().replace(/\.$/, ''));
}

/**
 * Words and suffixes that scale the number before them ("1.5 million",
 * "100k", "$2m", "3 bn"). `m` and `mm` are millions as in finance
 * ("$5mm"); a thousand is `k`, never `m`.
 */
export const MAGNITUDES: Readonly<Record<string, number>> = Object.freeze({
  k: 1e3,
  thousand: 1e3,
  thousands: 1e3,
  m: 1e6,
  mm: 1e6,
  mn: 1e6,
  mil: 1e6,
  million: 1e6,
  millions: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  billions: 1e9,
  trillion: 1e12,
});

/** The factor a magnitude word or suffix stands for, or undefined. */
export function magnitudeOf(word: string): number | undefined {
  const w = word.toLowerCase();
  return Object.hasOwn(MAGNITUDES, w) ? MAGNITUDES[w] : undefined;
}
