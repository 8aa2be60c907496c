/**
 * Tokens, parts of speech, lemmas, negation and number entities of an
 * English question, from wink-nlp with wink-eng-lite-web-model (chosen over
 * compromise in docs/language.md: better lemmas, 3× faster start-up, 6×
 * faster per question). The model is loaded on first use, not at import, so
 * commands that never read a question (`gl-rl --help`, `validate`) do not
 * pay its ~100 ms.
 */
import { createRequire } from 'node:module';
import type { WinkMethods } from 'wink-nlp';
import { synsetsOf } from './wordnet.js';

/** Universal POS tags (Universal Dependencies), as the model gives them. */
export type Pos =
  | 'ADJ' | 'ADP' | 'ADV' | 'AUX' | 'CCONJ' | 'DET' | 'INTJ' | 'NOUN' | 'NUM' | 'PART'
  | 'PRON' | 'PROPN' | 'PUNCT' | 'SCONJ' | 'SYM' | 'VERB' | 'X' | 'SPACE';

export interface WordToken {
  /** As written. */
  text: string;
  lower: string;
  /** Dictionary form: "singers" → singer, "heavier" → heavy, "made" → make. */
  lemma: string;
  pos: Pos;
  /** Under a negation ("not", "never", "n't") in the model's reading. */
  negated: boolean;
  /** Character offsets in the text, `[start, end)`. */
  start: number;
  end: number;
}

let engine: { nlp: WinkMethods; its: WinkMethods['its'] } | undefined;

function load(): { nlp: WinkMethods; its: WinkMethods['its'] } {
  if (!engine) {
    const require = createRequire(import.meta.url);
    const winkNLP = require('wink-nlp') as typeof import('wink-nlp').default;
    const model = require('wink-eng-lite-web-model') as import('wink-nlp').Model;
    const nlp = winkNLP(model, ['sbd', 'negation', 'pos']);
    engine = { nlp, its: nlp.its };
  }
  return engine;
}

/** True once the model is in memory (for start-up measurements and tests). */
export function languageModelLoaded(): boolean {
  return engine !== undefined;
}

/** Loads the model now, where a caller would rather pay it up front (a server before its first request). */
export function warmLanguageModel(): void {
  load();
}

/** A word the model may take for a verb's object: what follows an imperative ("show all…", "count the…", "list vendors…"). */
const OBJECT_START = new Set<Pos>(['DET', 'PRON', 'NUM', 'NOUN', 'PROPN', 'ADJ']);
const POLITE = 'please ';

/**
 * The text's tokens with POS, lemma and negation, in order; whitespace is not
 * a token. Two corrections for questions, measured in bench/language.ts
 * (docs/language.md): the first word is read in lower case unless it is an
 * acronym (the web model takes a capitalized word for a proper noun and leaves
 * "Employees" unlemmatized), and a question opening with a word that WordNet
 * knows as a verb, tagged a noun and followed by its object ("list vendors",
 * "count the projects"), is read as the imperative it is, as the model does
 * after "please".
 */
export function analyze(text: string): WordToken[] {
  const first = /^(\s*)([A-Z])(?=[a-z])/.exec(text);
  const reading = first ? `${first[1]}${first[2].toLowerCase()}${text.slice(first[0].length)}` : text;
  const tokens = read(text, reading, 0);
  const [head, next] = tokens;
  if (head && (head.pos === 'NOUN' || head.pos === 'PROPN') && next && OBJECT_START.has(next.pos) && synsetsOf(head.lower, 'verb').length > 0) {
    return read(text, `${POLITE}${reading}`, POLITE.length).slice(1);
  }
  return tokens;
}

/** Tokens of `reading` (the text as the model is given it), offsets and surface taken from `text`, which `reading` holds from `shift` on. */
function read(text: string, reading: string, shift: number): WordToken[] {
  const { nlp, its } = load();
  const tokens = nlp.readDoc(reading).tokens();
  // Whole-collection outs: one pass each, several times faster than out() per token.
  const values = tokens.out(its.value) as string[];
  // The typings declare lemma's addons argument narrower than out() passes it.
  const lemmas = tokens.out(its.lemma as unknown as typeof its.value) as string[];
  const tags = tokens.out(its.pos) as string[];
  const negated = tokens.out(its.negationFlag) as unknown as boolean[];
  const out: WordToken[] = [];
  let cursor = 0;
  values.forEach((surface, i) => {
    const at = reading.indexOf(surface, cursor);
    const value = at >= shift ? text.slice(at - shift, at - shift + surface.length) : surface;
    const start = Math.max(0, (at >= 0 ? at : cursor) - shift);
    const end = Math.max(0, (at >= 0 ? at + surface.length : cursor) - shift);
    cursor = at >= 0 ? at + surface.length : cursor;
    out.push({ text: value, lower: value.toLowerCase(), lemma: lemmas[i].toLowerCase(), pos: tags[i] as Pos, negated: negated[i] === true, start, end });
  });
  return out;
}

const lemmaCache = new Map<string, string>();

/** The dictionary form of one word read alone (no sentence to disambiguate): "companies" → company, "older" → old. */
export function lemmaOf(word: string): string {
  const w = word.toLowerCase();
  let lemma = lemmaCache.get(w);
  if (lemma === undefined) {
    lemma = analyze(w)[0]?.lemma ?? w;
    if (lemmaCache.size > 50_000) lemmaCache.clear();
    lemmaCache.set(w, lemma);
  }
  return lemma;
}

/** Content words: what a question says about the data, as opposed to how it asks (determiners, auxiliaries, punctuation). */
export function isContentWord(token: Pick<WordToken, 'pos'>): boolean {
  return token.pos === 'NOUN' || token.pos === 'PROPN' || token.pos === 'VERB' || token.pos === 'ADJ' || token.pos === 'NUM' || token.pos === 'ADV';
}

/**
 * The content words of `text` that no used range covers: what a reading of
 * the question left out, to lower its confidence and name in its reasoning
 * ("not understood: 'second'"). Words in `ignore` (the caller's scaffolding:
 * "show", "list", "many") and words under 2 letters are never reported.
 */
export function unusedContentWords(text: string, used: ReadonlyArray<{ start: number; end: number }>, ignore: ReadonlySet<string> = new Set()): WordToken[] {
  return analyze(text).filter(
    (t) => isContentWord(t) && t.lower.length > 1 && !ignore.has(t.lower) && !ignore.has(t.lemma) && !used.some((u) => t.start >= u.start && t.end <= u.end),
  );
}
