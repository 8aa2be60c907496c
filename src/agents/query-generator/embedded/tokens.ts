/**
 * From question text to annotated items: quoted literals, numbers with their
 * magnitudes (`100k`, `1.5 million`, `$2m`), ISO dates, and the longest
 * lexicon phrase at each position. Words the lexicon does not know are tried
 * as misspellings of schema words (edit distance), then kept as unknown.
 */
import { magnitudeOf, singular } from '../../../language/index.js';
import { allowedEdits, damerauLevenshtein } from '../../../schema/fuzzy.js';
import { longestMatch, type Lexicon, type Sense } from './lexicon.js';

export interface Token {
  kind: 'word' | 'num' | 'quoted' | 'date' | 'sym';
  raw: string;
  norm: string;
  num?: number;
  /** The number was written as a percentage (`50%`). */
  percent?: boolean;
}

export interface Item {
  kind: 'phrase' | 'num' | 'quoted' | 'date' | 'unknown';
  text: string;
  senses: Sense[];
  kws: Set<string>;
  num?: number;
  /** 4-digit number read as a year. */
  year?: boolean;
  /** The item was matched by edit distance, a guess. */
  fuzzy?: boolean;
  /** Index of the first token. */
  at: number;
  /** Index after the last token. */
  end: number;
}

const QUOTED = /(^|[\s(,:=])(['"\u2018\u201c`])([^'"\u2018\u2019\u201c\u201d`]{1,200}?)(['"\u2019\u201d`])(?=$|[\s),.;:?!])/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Splits text into tokens; quoted literals keep their exact text. */
export function tokenize(text: string, lex: Lexicon): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const pieces: Array<{ quoted: boolean; text: string }> = [];
  for (const m of text.matchAll(QUOTED)) {
    const start = m.index! + m[1].length;
    pieces.push({ quoted: false, text: text.slice(pos, start) });
    pieces.push({ quoted: true, text: m[3] });
    pos = start + m[2].length + m[3].length + m[4].length;
  }
  pieces.push({ quoted: false, text: text.slice(pos) });
  for (const p of pieces) {
    if (p.quoted) tokens.push({ kind: 'quoted', raw: p.text, norm: p.text.toLowerCase() });
    else tokens.push(...plainTokens(p.text, lex));
  }
  return mergeMagnitudes(tokens, lex);
}

function plainTokens(text: string, lex: Lexicon): Token[] {
  const out: Token[] = [];
  const re = /(\d{4}-\d{2}-\d{2})|\$?(\d[\d,]*(?:\.\d+)?|\.\d+)\s?(%|k\b|m\b|mn\b|bn\b|b\b)?|(>=|<=|<>|!=|>|<|=)|([A-Za-z][A-Za-z0-9_]*(?:'[a-z]+)?)/gi;
  for (const m of text.matchAll(re)) {
    if (m[1]) {
      out.push({ kind: 'date', raw: m[1], norm: m[1] });
    } else if (m[2] !== undefined) {
      const base = Number(m[2].replace(/,/g, ''));
      const suffix = (m[3] ?? '').toLowerCase();
      const mult = suffix && suffix !== '%' ? magnitudeOf(suffix) ?? 1 : 1;
      // The space the pattern allows before a unit is not part of the number ("2014 or 2015").
      const raw = m[0].trimEnd();
      out.push({ kind: 'num', raw, norm: raw, num: base * mult, percent: suffix === '%' });
    } else if (m[4]) {
      out.push({ kind: 'sym', raw: m[4], norm: m[4] });
    } else if (m[5]) {
      const lower = m[5].toLowerCase();
      const word = lex.grammar.numbers[lower];
      if (word !== undefined && !/^[A-Z]/.test(m[5])) out.push({ kind: 'num', raw: m[5], norm: lower, num: word });
      else out.push({ kind: 'word', raw: m[5], norm: singular(lower.replace(/'s$/, '')) });
    }
  }
  return out;
}

/** "1.5 million", "2 thousand", "3 percent": the word scales or marks the number before it. */
function mergeMagnitudes(tokens: Token[], lex: Lexicon): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    const prev = out.at(-1);
    if (prev?.kind === 'num' && t.kind === 'word' && prev.num !== undefined) {
      const lower = t.raw.toLowerCase();
      const mult = magnitudeOf(lower);
      if (mult !== undefined && lower.length > 1) {
        prev.num *= mult;
        prev.raw += ` ${t.raw}`;
        continue;
      }
      if (lower === 'percent' || lower === 'pct') {
        prev.percent = true;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

function kwsOf(senses: Sense[]): Set<string> {
  const set = new Set<string>();
  for (const s of senses) if (s.kind === 'kw') for (const k of s.kws) set.add(k);
  return set;
}

/** The misspelt word's nearest schema sense, within the edits its length allows. */
function fuzzySenses(word: string, lex: Lexicon): Sense[] | undefined {
  const budget = allowedEdits(word.length);
  if (budget === 0) return undefined;
  let best: Sense[] | undefined;
  let bestDistance = budget + 1;
  for (let length = word.length - budget; length <= word.length + budget; length++) {
    for (const [candidate, senses] of lex.fuzzyWords.get(length) ?? []) {
      const d = damerauLevenshtein(word, candidate, budget);
      if (d < bestDistance) {
        bestDistance = d;
        best = senses;
      }
    }
  }
  return best;
}

/** Annotates tokens with lexicon senses, longest phrase first. */
export function annotate(tokens: Token[], lex: Lexicon): Item[] {
  const items: Item[] = [];
  const words = tokens.map((t) => (t.kind === 'word' || t.kind === 'sym' ? t.norm : '\u0000'));
  const raw = tokens.map((t) => t.raw);
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i];
    if (t.kind === 'quoted') {
      items.push({ kind: 'quoted', text: t.raw, senses: [], kws: new Set(), at: i, end: i + 1 });
      i++;
      continue;
    }
    if (t.kind === 'date' && ISO_DATE.test(t.raw)) {
      items.push({ kind: 'date', text: t.raw, senses: [], kws: new Set(), at: i, end: i + 1 });
      i++;
      continue;
    }
    if (t.kind === 'num') {
      const n = t.num ?? 0;
      const year = Number.isInteger(n) && n >= 1900 && n <= 2199 && /^\d{4}$/.test(t.raw);
      items.push({ kind: 'num', text: t.raw, senses: [], kws: new Set(t.percent ? ['percent_number'] : []), num: n, year, at: i, end: i + 1 });
      i++;
      continue;
    }
    const match = longestMatch(lex, words, raw, i);
    if (match) {
      items.push({ kind: 'phrase', text: raw.slice(i, match.end).join(' '), senses: match.senses, kws: kwsOf(match.senses), at: i, end: match.end });
      i = match.end;
      continue;
    }
    if (lex.stopwords.has(t.norm)) {
      i++;
      continue;
    }
    // Units and month names are read by the date phrases, not taken for misspelt schema words.
    const lower = t.raw.toLowerCase();
    const grammarWord = lex.grammar.units[lower] !== undefined || lex.grammar.months[lower] !== undefined;
    // Codes (PRJ009) are exact or nothing: one edit away is another row.
    const guess = t.kind === 'word' && !grammarWord && !/\d/.test(t.norm) ? fuzzySenses(t.norm, lex) : undefined;
    if (guess) items.push({ kind: 'phrase', text: t.raw, senses: guess, kws: new Set(), fuzzy: true, at: i, end: i + 1 });
    else items.push({ kind: 'unknown', text: t.raw, senses: [], kws: new Set(), at: i, end: i + 1 });
    i++;
  }
  return items;
}
