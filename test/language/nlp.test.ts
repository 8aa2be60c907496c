import { describe, expect, it } from 'vitest';
import { analyze, isContentWord, lemmaOf, unusedContentWords } from '../../src/language/nlp.js';

describe('analyze (wink-nlp)', () => {
  it('gives POS, lemma and offsets per token', () => {
    const text = 'How many dogs are heavier than 10?';
    const tokens = analyze(text);
    expect(tokens.map((t) => t.text)).toEqual(['How', 'many', 'dogs', 'are', 'heavier', 'than', '10', '?']);
    const dogs = tokens[2];
    expect(dogs).toMatchObject({ lemma: 'dog', pos: 'NOUN' });
    expect(text.slice(dogs.start, dogs.end)).toBe('dogs');
    expect(tokens[4]).toMatchObject({ lemma: 'heavy', pos: 'ADJ' });
    expect(tokens[6].pos).toBe('NUM');
    for (const t of tokens) expect(text.slice(t.start, t.end)).toBe(t.text);
  });
  it('marks negated words', () => {
    const tokens = analyze('singers whose citizenship is not France');
    expect(tokens.find((t) => t.text === 'France')?.negated).toBe(true);
    expect(tokens.find((t) => t.text === 'singers')?.negated).toBe(false);
  });
  it('lemmatizes words alone', () => {
    expect(lemmaOf('companies')).toBe('company');
    expect(lemmaOf('older')).toBe('old');
    expect(lemmaOf('made')).toBe('make');
  });
  it('tells content words from function words', () => {
    const tokens = analyze('the name of the second singer');
    expect(tokens.filter(isContentWord).map((t) => t.lower)).toEqual(['name', 'second', 'singer']);
  });
});

describe('analyze: corrections for questions', () => {
  it('reads an opening imperative as a verb, offsets on the text as given', () => {
    const text = 'List vendors whose contracts expire next year';
    const tokens = analyze(text);
    expect(tokens[0]).toMatchObject({ text: 'List', lemma: 'list', pos: 'VERB', start: 0, end: 4 });
    expect(tokens[1]).toMatchObject({ text: 'vendors', lemma: 'vendor', pos: 'NOUN' });
    for (const t of tokens) expect(text.slice(t.start, t.end)).toBe(t.text);
    expect(analyze('Count the projects')[0].pos).toBe('VERB');
  });
  it('lemmatizes a capitalized first word and leaves nouns that open a question alone', () => {
    expect(analyze('Employees hired after 2020')[0]).toMatchObject({ text: 'Employees', lemma: 'employee', pos: 'NOUN' });
    expect(analyze('Names of all singers')[0].pos).toBe('NOUN');
  });
});

describe('unusedContentWords', () => {
  it('names the content words outside the ranges a reading used', () => {
    const text = 'Show the second highest budget of projects';
    const used = [{ start: text.indexOf('highest'), end: text.length }];
    expect(unusedContentWords(text, used, new Set(['show'])).map((t) => t.lower)).toEqual(['second']);
    expect(unusedContentWords(text, [{ start: 0, end: text.length }])).toEqual([]);
  });
});
