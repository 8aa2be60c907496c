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

describe('columns asked for', () => {
  it('answers with the columns named before the subject, not whole rows', async () => {
    const g = await ask('Show the name and city of members heavier than 70.');
    expect(g.sql).toBe('SELECT name, city FROM member WHERE weight > 70');
    expect(await rows(db, g.sql)).toEqual([['Bo', 'Lima'], ['Cy', 'Oslo']]);
  });

  it('does not take the column of a condition for a column asked for', async () => {
    expect((await ask('Show all Oslo city members')).sql).toMatch(/^SELECT \* FROM member WHERE city = 'Oslo'$/);
  });

  it('lists whole rows when no column is named', async () => {
    expect((await ask('List members from Lima')).sql).toBe("SELECT * FROM member WHERE city = 'Lima'");
  });
});
