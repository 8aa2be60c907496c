import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { rankOnData, type DataCheck } from '../../../../src/agents/query-generator/embedded/check.js';
import type { Generation } from '../../../../src/agents/query-generator/embedded/generate.js';
import { clubDatabase } from './unseen-schema.js';

let db: PGlite;
let check: DataCheck;
beforeAll(async () => {
  db = await clubDatabase();
  check = {
    explain: (sql) => db.query(`EXPLAIN ${sql}`),
    query: async (sql, { rowLimit }) => ({ rows: (await db.query(sql)).rows.slice(0, rowLimit) }),
  };
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const reading = (sql: string, confidence = 0.9) => ({ sql, reasoning: `<think>\n1. ${sql}\n</think>`, confidence });

function generation(readings: Array<{ sql: string; root: string }>): Generation {
  const [first, ...rest] = readings.map((r) => reading(r.sql));
  return { ...first, alternatives: rest, roots: readings.map((r) => r.root) };
}

describe('readings checked on data', () => {
  it('demotes a reading the database rejects below one that runs', async () => {
    const out = await rankOnData(generation([
      { sql: 'SELECT nope FROM member', root: 'member' },
      { sql: 'SELECT name FROM member', root: 'member' },
    ]), check, 1);
    expect(out.sql).toBe('SELECT name FROM member');
    expect(out.reasoning).toContain('Chosen over the first reading');
    expect(out.alternatives[0].sql).toBe('SELECT nope FROM member');
    expect(out.alternatives[0].reasoning).toContain('Demoted: the database rejects this reading');
    expect(out.alternatives[0].confidence).toBeLessThan(0.9);
  });

  it('demotes an empty reading below one of the same table with rows', async () => {
    const out = await rankOnData(generation([
      { sql: "SELECT name FROM member WHERE city = 'Rome'", root: 'member' },
      { sql: "SELECT name FROM member WHERE city = 'Oslo'", root: 'member' },
    ]), check, 1);
    expect(out.sql).toBe("SELECT name FROM member WHERE city = 'Oslo'");
  });

  it('keeps an empty reading first when only another table has rows', async () => {
    const out = await rankOnData(generation([
      { sql: "SELECT name FROM member WHERE city = 'Rome'", root: 'member' },
      { sql: 'SELECT name FROM club', root: 'club' },
    ]), check, 1);
    expect(out.sql).toBe("SELECT name FROM member WHERE city = 'Rome'");
    expect(out.confidence).toBe(0.9);
  });

  it('returns as many alternatives as asked for', async () => {
    const out = await rankOnData(generation([
      { sql: 'SELECT name FROM member', root: 'member' },
      { sql: 'SELECT city FROM member', root: 'member' },
      { sql: 'SELECT age FROM member', root: 'member' },
    ]), check, 1);
    expect(out.alternatives).toHaveLength(1);
  });
});
