import { describe, expect, it } from 'vitest';
import { ask } from '../unseen-schema.js';

describe('years held as numbers', () => {
  it('puts a year on the table\'s year column', async () => {
    expect((await ask('Which clubs were founded in 1990 or 2005?')).sql).toBe('SELECT * FROM club WHERE founded_year IN (1990, 2005)');
  });

  it('compares a year as a number', async () => {
    expect((await ask('Show clubs founded after 2000.')).sql).toBe('SELECT * FROM club WHERE founded_year > 2000');
  });

  it('reaches the year column of a joined table', async () => {
    expect((await ask('Members who joined in 2014')).sql).toMatch(/JOIN membership m2? ON .* WHERE m2?\.joined_year = 2014/);
  });
});
