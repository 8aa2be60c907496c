/**
 * Tokens, parts of speech, lemmas, negation and number entities of an
 * English question, from wink-nlp with wink-eng-lite-web-model (chosen over
 * compromise in docs/language.md: better lemmas, 3× faster start-up, 6×
 * faster per question). The model is loaded on first use, not at import, so
 * commands that never read a question (`gl-rl --help`, `validate`) do not
 * pay its ~100 ms.
 */
import { createRequire } from 'node:module';
import type { ItemToken, WinkMethods } from 'wink-nlp';

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

/** The text's tokens with POS, lemma and negation, in order; whitespace is not a token. */
export function analyze(text: string): WordToken[] {
  const { nlp, its } = load();
  const doc = nlp.readDoc(text);
  const out: WordToken[] = [];
  let cursor = 0;
  doc.tokens().each((t: ItemToken) => {
    const value = t.out(its.value);
    const at = text.indexOf(value, cursor);
    const start = at >= 0 ? at : cursor;
    const end = at >= 0 ? at + value.length : cursor;
    cursor = end;
    out.push({
      text: value,
      lower: value.toLowerCase(),
      // The typings declare lemma's addons argument narrower than out() passes it.
      lemma: t.out(its.lemma as unknown as typeof its.value).toLowerCase(),
      pos: t.out(its.pos) as Pos,
      negated: t.out(its.negationFlag) as unknown as boolean,
      start,
      end,
    });
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
