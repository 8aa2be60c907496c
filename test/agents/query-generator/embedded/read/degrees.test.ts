import { describe, expect, it } from 'vitest';
import { degreesOf } from '../../../../../src/agents/query-generator/embedded/degrees.js';
import { ask, rows, useClubDatabase } from '../unseen-schema.js';

const database = useClubDatabase();

describe('degrees of adjectives', () => {
  it.each([['old', 'older', 'oldest'], ['heavy', 'heavier', 'heaviest'], ['big', 'bigger', 'biggest'], ['large', 'larger', 'largest'], ['young', 'younger', 'youngest'], ['new', 'newer', 'newest']])(
    '%s → %s, %s', (a, comparative, superlative) => {
      expect(degreesOf(a)).toEqual({ comparative, superlative });
    });

  it('reads a comparative as a condition on the column its adjective measures', async () => {
    const g = await ask('How many members are older than 30?');
    expect(g.sql).toMatch(/WHERE age > 30/);
    expect(await rows(database(), g.sql)).toEqual([[2]]);
  });

  it('reads a lesser comparative as less than', async () => {
    expect((await ask('Members lighter than 70')).sql).toMatch(/weight < 70/);
  });

  it('reads a superlative alone as an order keeping one row', async () => {
    const g = await ask('Find the weight of the youngest member.');
    expect(g.sql).toBe('SELECT weight FROM member ORDER BY age ASC LIMIT 1');
    expect(await rows(database(), g.sql)).toEqual([['82']]);
  });

  it('keeps the number asked for', async () => {
    const g = await ask('List the names of the 2 oldest members.');
    expect(await rows(database(), g.sql)).toEqual([['Cy'], ['Ada']]);
  });
});
