/**
 * Numbers and ordinals written in words: "five", "twenty-five", "a dozen",
 * "two hundred and fifty", "1.5 million", "second", "21st". The tagger
 * (nlp.ts) says a word is a number; this says which. A word table, because no
 * maintained tagger model gives values: wink-eng-lite-web-model tags "five"
 * NUM without its value, and compromise's number parser costs its 280 ms
 * start-up (docs/language.md).
 */
import { magnitudeOf } from './words.js';

const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

const UNIT_ORDINALS = ['zeroth', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
const TEEN_ORDINALS = ['tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth'];
const TENS_ORDINALS = ['', '', 'twentieth', 'thirtieth', 'fortieth', 'fiftieth', 'sixtieth', 'seventieth', 'eightieth', 'ninetieth'];

type Kind = 'unit' | 'teen' | 'tens';

const CARDINAL = new Map<string, { value: number; kind: Kind }>();
UNITS.forEach((w, i) => CARDINAL.set(w, { value: i, kind: i === 0 ? 'teen' : 'unit' }));
TEENS.forEach((w, i) => CARDINAL.set(w, { value: 10 + i, kind: 'teen' }));
TENS.forEach((w, i) => w && CARDINAL.set(w, { value: 10 * i, kind: 'tens' }));

const ORDINAL = new Map<string, { value: number; kind: Kind | 'hundred' | 'scale' }>();
UNIT_ORDINALS.forEach((w, i) => ORDINAL.set(w, { value: i, kind: i === 0 ? 'teen' : 'unit' }));
TEEN_ORDINALS.forEach((w, i) => ORDINAL.set(w, { value: 10 + i, kind: 'teen' }));
TENS_ORDINALS.forEach((w, i) => w && ORDINAL.set(w, { value: 10 * i, kind: 'tens' }));
ORDINAL.set('hundredth', { value: 100, kind: 'hundred' });
ORDINAL.set('thousandth', { value: 1000, kind: 'scale' });

/** The value of one cardinal word ("five", "twelve", "ninety", "dozen"), or undefined. */
export function numberWord(word: string): number | undefined {
  const w = word.toLowerCase();
  if (w === 'dozen') return 12;
  if (w === 'hundred') return 100;
  return CARDINAL.get(w)?.value ?? (w.includes('-') ? readNumber(w.split('-'), 0)?.value : undefined);
}

/** The position an ordinal word names ("second" → 2, "21st" → 21, "twenty-first" → 21), or undefined. */
export function ordinalWord(word: string): number | undefined {
  const w = word.toLowerCase();
  const digits = /^(\d+)(st|nd|rd|th)$/.exec(w);
  if (digits) return Number(digits[1]);
  const one = ORDINAL.get(w);
  if (one) return one.value;
  if (!w.includes('-')) return undefined;
  const read = readNumber(w.split('-'), 0);
  return read?.ordinal && read.end === w.split('-').length ? read.value : undefined;
}

export interface NumberReading {
  value: number;
  /** Written as an ordinal ("second", "3rd"): a position, not a quantity. */
  ordinal: boolean;
  /** Index of the first word read. */
  start: number;
  /** Index after the last word read. */
  end: number;
}

const DIGITS = /^\d[\d,]*(?:\.\d+)?$|^\.\d+$/;

/**
 * Reads the number that starts at `words[at]` (lower-case words, as
 * phraseWords or the tagger give them), or undefined when none starts there.
 * Reads as many words as form one number: "two hundred and fifty" is 250,
 * "a dozen" 12, "three dozen" 36, "1.5 million" 1 500 000, "twenty first"
 * the ordinal 21; "five six" is two numbers, and only the first is read.
 */
export function readNumber(words: readonly string[], at: number): NumberReading | undefined {
  let total = 0;
  let current = 0;
  let last: 'none' | Kind | 'digit' | 'hundred' | 'scale' = 'none';
  let i = at;
  const word = (k: number) => words[k]?.toLowerCase() ?? '';
  // "a dozen", "a hundred", "a million": the article is the one.
  if ((word(i) === 'a' || word(i) === 'an') && (word(i + 1) === 'dozen' || word(i + 1) === 'hundred' || magnitudeOf(word(i + 1)) !== undefined) && word(i + 1).length > 2) {
    current = 1;
    last = 'unit';
    i++;
  }
  for (; i < words.length; i++) {
    const w = word(i);
    if (w.includes('-') && last === 'none') {
      const parts = w.split('-');
      const inner = readNumber(parts, 0);
      if (!inner || inner.end !== parts.length) break;
      if (inner.ordinal) return { value: inner.value, ordinal: true, start: at, end: i + 1 };
      current = inner.value;
      last = inner.value % 10 === 0 ? 'tens' : 'unit';
      continue;
    }
    const ordinalDigits = /^(\d+)(st|nd|rd|th)$/.exec(w);
    if (ordinalDigits && last === 'none') return { value: Number(ordinalDigits[1]), ordinal: true, start: at, end: i + 1 };
    if (DIGITS.test(w) && last === 'none') {
      current = Number(w.replace(/,/g, ''));
      last = 'digit';
      continue;
    }
    if (w === 'and' && (last === 'hundred' || last === 'scale') && (CARDINAL.has(word(i + 1)) || ORDINAL.has(word(i + 1)))) continue;
    const cardinal = CARDINAL.get(w);
    if (cardinal) {
      const fits = cardinal.kind === 'unit' ? ['none', 'tens', 'hundred', 'scale'].includes(last) : ['none', 'hundred', 'scale'].includes(last);
      if (!fits) break;
      current += cardinal.value;
      last = cardinal.kind;
      continue;
    }
    const ordinal = ORDINAL.get(w);
    if (ordinal) {
      if (ordinal.kind === 'hundred' || ordinal.kind === 'scale') {
        if (last === 'none' || last === 'hundred' || last === 'scale') break;
        return { value: total + current * ordinal.value, ordinal: true, start: at, end: i + 1 };
      }
      const fits = ordinal.kind === 'unit' ? ['none', 'tens', 'hundred', 'scale'].includes(last) : ['none', 'hundred', 'scale'].includes(last);
      if (!fits) break;
      return { value: total + current + ordinal.value, ordinal: true, start: at, end: i + 1 };
    }
    if (w === 'hundred') {
      if (last === 'none' || last === 'hundred' || last === 'scale') break;
      current *= 100;
      last = 'hundred';
      continue;
    }
    if (w === 'dozen') {
      current = last === 'none' ? 12 : current * 12;
      last = 'scale';
      continue;
    }
    const scale = w.length > 1 || last === 'digit' ? magnitudeOf(w) : undefined;
    if (scale !== undefined && last !== 'none' && last !== 'scale') {
      total += current * scale;
      current = 0;
      last = 'scale';
      continue;
    }
    break;
  }
  if (last === 'none') return undefined;
  return { value: total + current, ordinal: false, start: at, end: i };
}
