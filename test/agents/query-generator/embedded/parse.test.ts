import { describe, expect, it } from 'vitest';
import { READERS } from '../../../../src/agents/query-generator/embedded/parse.js';
import { readAccounting } from '../../../../src/agents/query-generator/embedded/read/accounting.js';
import { readSubject } from '../../../../src/agents/query-generator/embedded/read/subject.js';
import { ask } from './unseen-schema.js';

describe('the reader pipeline', () => {
  it('reads the subject first and accounts for the words last, each reader with its reason', () => {
    expect(READERS[0][0]).toBe(readSubject);
    expect(READERS.at(-1)![0]).toBe(readAccounting);
    for (const [reader, why] of READERS) expect(why.length, reader.name).toBeGreaterThan(20);
    expect(new Set(READERS.map(([r]) => r)).size).toBe(READERS.length);
  });

  it("takes each alias from its own table's name", async () => {
    expect((await ask('Members who joined in 2014')).sql).toMatch(/FROM member m JOIN membership m2/);
  });
});
