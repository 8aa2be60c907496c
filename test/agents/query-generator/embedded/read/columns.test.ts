import { describe, expect, it } from 'vitest';
import { ask, rows, useClubDatabase } from '../unseen-schema.js';

const database = useClubDatabase();

describe('columns asked for', () => {
  it('answers with the columns named before the subject, not whole rows', async () => {
    const g = await ask('Show the name and city of members heavier than 70.');
    expect(g.sql).toBe('SELECT name, city FROM member WHERE weight > 70');
    expect(await rows(database(), g.sql)).toEqual([['Bo', 'Lima'], ['Cy', 'Oslo']]);
  });

  it('does not take the column of a condition for a column asked for', async () => {
    expect((await ask('Show all Oslo city members')).sql).toMatch(/^SELECT \* FROM member WHERE city = 'Oslo'$/);
  });

  it('lists whole rows when no column is named', async () => {
    expect((await ask('List members from Lima')).sql).toBe("SELECT * FROM member WHERE city = 'Lima'");
  });
});
