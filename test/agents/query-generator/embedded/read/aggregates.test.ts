import { describe, expect, it } from 'vitest';
import { ask } from '../unseen-schema.js';

describe('aggregates', () => {
  it('gives each aggregate of a list its own column', async () => {
    expect((await ask('What is the average, minimum, and maximum age of members from Oslo?')).sql)
      .toBe("SELECT AVG(age) AS avg_age, MIN(age) AS min_age, MAX(age) AS max_age FROM member WHERE city = 'Oslo'");
  });

  it('lets a trailing aggregate word take the column before it', async () => {
    expect((await ask('What is the maximum budget and the average of all clubs?')).sql)
      .toBe('SELECT MAX(budget) AS max_budget, AVG(budget) AS avg_budget FROM club');
  });

  it('counts distinct values', async () => {
    expect((await ask('Find the number of distinct cities of members.')).sql).toBe('SELECT COUNT(DISTINCT city) AS distinct_city FROM member');
  });
});
