import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, damerauLevenshtein, initialKeys, relatedLink, similarity } from '../../src/schema/fuzzy.js';

describe('damerauLevenshtein', () => {
  it('counts insertions, deletions, substitutions and transpositions', () => {
    expect(damerauLevenshtein('project', 'project')).toBe(0);
    expect(damerauLevenshtein('projet', 'project')).toBe(1);
    expect(damerauLevenshtein('compnies', 'companies')).toBe(1);
    expect(damerauLevenshtein('cotnract', 'contract')).toBe(1);
    expect(damerauLevenshtein('budgte', 'budget')).toBe(1);
    expect(damerauLevenshtein('kitten', 'sitting')).toBe(3);
    expect(damerauLevenshtein('', 'abc')).toBe(3);
  });

  it('stops early past max', () => {
    expect(damerauLevenshtein('abcdefgh', 'zzzzzzzz', 2)).toBe(3);
    expect(damerauLevenshtein('a', 'abcdef', 2)).toBe(3);
    expect(damerauLevenshtein('projet', 'project', 2)).toBe(1);
  });

  it('is symmetric, zero only for equal strings, bounded by the longer length', () => {
    const word = fc.string({ maxLength: 8 });
    fc.assert(fc.property(word, word, word, (a, b, c) => {
      const ab = damerauLevenshtein(a, b);
      expect(ab).toBe(damerauLevenshtein(b, a));
      expect(ab === 0).toBe(a === b);
      expect(ab).toBeLessThanOrEqual(Math.max(a.length, b.length));
      expect(damerauLevenshtein(a + c, b + c)).toBeLessThanOrEqual(ab);
    }));
  });
});

describe('similarity and closest', () => {
  it('normalizes to [0, 1], case-insensitively', () => {
    expect(similarity('Project', 'PROJECT')).toBe(1);
    expect(similarity('abc', 'xyz')).toBe(0);
    expect(similarity('projet', 'project')).toBeCloseTo(6 / 7);
  });

  it('ranks candidates by similarity', () => {
    const tables = ['SRM_COMPANIES', 'SRM_PROJECTS', 'SRM_CONTACTS', 'PAC_MNT_PROJECTS', 'PROJCNTRTS'];
    expect(closest('SRM_PROJETS', tables).map((s) => s.value)).toEqual(['SRM_PROJECTS', 'PAC_MNT_PROJECTS', 'SRM_CONTACTS']);
    expect(closest('srm_compnies', tables, { max: 1 })).toEqual([{ value: 'SRM_COMPANIES', distance: 1, similarity: 12 / 13 }]);
    expect(closest('zzz', tables)).toEqual([]);
  });

  it('returns sorted suggestions within the similarity floor', () => {
    fc.assert(fc.property(fc.string({ maxLength: 10 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 8 }), (w, cands) => {
      const found = closest(w, cands, { max: 5, minSimilarity: 0.4 });
      expect(found.length).toBeLessThanOrEqual(5);
      for (let i = 0; i < found.length; i++) {
        expect(found[i].similarity).toBeGreaterThanOrEqual(0.4);
        expect(found[i].similarity).toBeCloseTo(similarity(w, found[i].value));
        if (i > 0) expect(found[i - 1].similarity).toBeGreaterThanOrEqual(found[i].similarity);
      }
    }));
  });
});

describe('initialKeys', () => {
  it('shortens the first of two words to its initial, spaced and joined', () => {
    expect(initialKeys(['first', 'names'])).toEqual(['f name', 'fname']);
    expect(initialKeys(['name'])).toEqual([]);
    expect(initialKeys(['a', 'b', 'c'])).toEqual([]);
  });
});

describe('relatedLink', () => {
  const names = new Map([['shop', 'shop'], ['age', 'athlete.age'], ['sex', 'athlete.sex'], ['content', 'reply.content']]);
  const lookup = (words: string[]) => names.get(words.join(' '));

  it('links nouns through synonyms and adjectives through the attribute they measure', () => {
    expect(relatedLink(['store'], 'NOUN', lookup)).toEqual({ target: 'shop', via: 'shop', relation: 'synonym', confidence: 0.75 });
    expect(relatedLink(['old', 'older'], 'ADJ', lookup)).toMatchObject({ target: 'athlete.age', via: 'age', relation: 'attribute' });
    // "sex" is the second sense of "gender": trusted less.
    expect(relatedLink(['gender'], 'NOUN', lookup)?.confidence).toBeCloseTo(0.525);
  });

  it('follows neither hypernyms nor verbs', () => {
    expect(relatedLink(['meaning'], 'NOUN', lookup)).toBeUndefined();
    expect(relatedLink(['store'], 'VERB', lookup)).toBeUndefined();
    expect(relatedLink(['qwxzv'], 'NOUN', lookup)).toBeUndefined();
  });
});

