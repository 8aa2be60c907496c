import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { identifierWords, magnitudeOf, monthNumber, phraseWords, singular, stem } from '../../src/language/words.js';

describe('phraseWords', () => {
  it('lower-cases, splits, drops the possessive and makes words singular', () => {
    expect(phraseWords("Companies' budgets")).toEqual(['company', 'budget']);
    expect(phraseWords("the project's managers")).toEqual(['the', 'project', 'manager']);
    expect(phraseWords('Actual_Cost >= 5%')).toEqual(['actual', 'cost', '>=', '5', '%']);
  });
  it("keeps inner apostrophes (don't, o'brien) as one word", () => {
    expect(phraseWords("don't O'Brien")).toEqual(["don't", "o'brien"]);
  });
  it('is idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z ,_']{0,30}$/), (text) => {
        const once = phraseWords(text);
        expect(phraseWords(once.join(' '))).toEqual(once);
      }),
    );
  });
});

describe('singular and stem', () => {
  it('singularizes English plurals', () => {
    const cases: Record<string, string> = {
      companies: 'company', statuses: 'status', status: 'status', projects: 'project', classes: 'class',
      business: 'business', analysis: 'analysis', purchases: 'purchase', boxes: 'box', batches: 'batch',
      people: 'person', children: 'child', staff: 'staff', opportunities: 'opportunity', roles: 'role', is: 'is',
    };
    for (const [plural, one] of Object.entries(cases)) expect(singular(plural), plural).toBe(one);
  });

  it('brings derived forms together', () => {
    expect(stem('allocated')).toBe(stem('allocation'));
    expect(stem('allocations')).toBe(stem('allocation'));
    expect(stem('assigned')).toBe(stem('assignments'));
    expect(stem('billing')).toBe(stem('bill'));
    expect(stem('closed')).toBe(stem('close'));
    expect(stem('planned')).toBe(stem('plan'));
    expect(stem('expiring')).toBe(stem('expire'));
  });
});

describe('identifierWords', () => {
  it('splits snake and camel case', () => {
    expect(identifierWords('Actual_Cost')).toEqual(['actual', 'cost']);
    expect(identifierWords('ClntClass')).toEqual(['clnt', 'class']);
    expect(identifierWords('PAC_MNT_PROJECTS')).toEqual(['pac', 'mnt', 'projects']);
    expect(identifierWords('HTTPCode')).toEqual(['http', 'code']);
  });
});

describe('months and magnitudes', () => {
  it('names each month once, full or abbreviated', () => {
    expect(monthNumber('January')).toBe(1);
    expect(monthNumber('sept')).toBe(9);
    expect(monthNumber('Sep.')).toBe(9);
    expect(monthNumber('dec')).toBe(12);
    expect(monthNumber('month')).toBeUndefined();
  });
  it('has one magnitude table: mm and mil are millions, k thousands', () => {
    expect(magnitudeOf('mm')).toBe(1e6);
    expect(magnitudeOf('mil')).toBe(1e6);
    expect(magnitudeOf('Millions')).toBe(1e6);
    expect(magnitudeOf('k')).toBe(1e3);
    expect(magnitudeOf('bn')).toBe(1e9);
    expect(magnitudeOf('toString')).toBeUndefined();
  });
});
