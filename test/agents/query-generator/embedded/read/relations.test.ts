import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { ask, clubDatabase, rows } from '../unseen-schema.js';

let db: PGlite;
beforeAll(async () => {
  db = await clubDatabase();
}, 60_000);
afterAll(async () => {
  await db?.close();
});

describe('relations', () => {
  it('reads a negated verb before a table as its non-existence', async () => {
    const g = await ask('Which members never joined any club?');
    expect(g.sql).toMatch(/WHERE NOT EXISTS \(SELECT 1 FROM membership/);
    expect(await rows(db, g.sql)).toEqual([[4, 'Di', 27, '58', 'Lima']]);
  });

  it('reads "do not have" the same way', async () => {
    expect((await ask('Find clubs that do not have any members.')).sql).toMatch(/NOT EXISTS/);
  });

  it('does not group by the agent of a participle', async () => {
    expect((await ask('How many clubs are joined by members from Oslo?')).sql).not.toMatch(/GROUP BY/);
  });
});
