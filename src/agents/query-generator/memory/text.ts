/**
 * Text features for example retrieval: a normalized form of a question (the
 * dedupe key), stemmed content words, and character trigrams. Words carry
 * the meaning; trigrams let a misspelling or another inflection still match.
 */

/** Function words that say nothing about which data a question wants; negations are kept on purpose. */
const STOPWORDS = new Set([
  'a', 'an', 'the', 'of', 'for', 'to', 'in', 'on', 'at', 'by', 'and', 'or', 'is', 'are', 'was', 'were', 'be',
  'been', 'me', 'my', 'i', 'we', 'our', 'us', 'you', 'your', 'it', 'its', 'their', 'them', 'they', 'this',
  'that', 'these', 'those', 'what', 'which', 'who', 'whose', 'please', 'can', 'could', 'would', 'do', 'does',
  'did', 'all', 'any', 'some', 'there', 'here', 'as', 'from', 'into', 'than', 'then', 'so', 'just', 'has', 'have',
  'had',
]);

/** The ways of saying "none": one token, since polarity decides between EXISTS and NOT EXISTS. */
const NEGATIONS = new Set(['no', 'not', 'without', 'none', 'never', 'lacking', 'missing', 'nor', 'non']);
const NEGATION = 'not';

/** Lower case, compatibility-folded, apostrophes dropped, every other non-alphanumeric run a single space. */
export function normalizeQuestion(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Content words of a question, in order, stemmed. */
export function wordTokens(text: string): string[] {
  return contentWords(text).map((w) => (NEGATIONS.has(w) ? NEGATION : stem(w)));
}

/** Character trigrams of each content word, padded so that word starts and ends count. */
export function trigramTokens(text: string): string[] {
  const grams: string[] = [];
  for (const word of contentWords(text)) {
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) grams.push(padded.slice(i, i + 3));
  }
  return grams;
}

function contentWords(text: string): string[] {
  const normalized = normalizeQuestion(text);
  if (normalized === '') return [];
  return normalized.split(' ').filter((w) => !STOPWORDS.has(w));
}

/**
 * A light suffix-stripping stemmer: enough to make `projects`, `project`,
 * `allocated` and `allocation` meet, without a dictionary. Numbers and short
 * words pass through unchanged.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const [suffix, replacement] of SUFFIXES) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length) + replacement;
      break;
    }
  }
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  if (w.length >= 4 && /([^aeiouls])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

const SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['ational', 'ate'], ['ization', 'ize'], ['ations', 'ate'], ['ation', 'ate'], ['ments', ''], ['ment', ''],
  ['ness', ''], ['ingly', ''], ['edly', ''], ['ing', ''], ['ed', ''], ['ly', ''],
];
