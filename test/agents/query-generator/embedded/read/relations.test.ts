import { describe, expect, it } from 'vitest';
import { ask, rows, useClubDatabase } from '../unseen-schema.js';

const database = useClubDatabase();

describe('relations', () => {
  it('reads a negated verb before a table as its non-existence', async () => {
    const g = await ask('Which members never joined any club?');
    expect(g.sql).toMatch(/WHERE NOT EXISTS \(SELECT 1 FROM membership/);
    expect(await rows(database(), g.sql)).toEqual([[4, 'Di', 27, '58', 'Lima']]);
  });

  it('reads "do not have" the same way', async () => {
    expect((await ask('Find clubs that do not have any members.')).sql).toMatch(/NOT EXISTS/);
  });

  it('does not group by the agent of a participle', async () => {
    expect((await ask('How many clubs are joined by members from Oslo?')).sql).not.toMatch(/GROUP BY/);
  });
});
