import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { mutate } from '../../src/eval/mutations.js';
import { auroc, separation } from '../../src/eval/reward-separation.js';
import { loadParser } from '../../src/sql/parser.js';
import { checkReadOnly } from '../../src/sql/safety.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

beforeAll(() => loadParser());

const byKind = (sql: string) => Object.fromEntries(mutate(sql).map((m) => [m.kind, m.sql]));

describe('mutations of a gold query', () => {
  it('breaks a filter value, drops a condition, swaps an aggregate, breaks a join, adds rows', () => {
    const sql = "SELECT c.Name, SUM(p.Budget) FROM A c JOIN B p ON p.A_ID = c.ID WHERE p.Status = 'Active' AND p.Budget > 100 GROUP BY c.Name ORDER BY 2 DESC LIMIT 3";
    expect(byKind(sql)).toEqual({
      wrong_filter_value: sql.replace("'Active'", "'ActiveX'"),
      missing_condition: sql.replace("p.Status = 'Active' AND ", ''),
      wrong_aggregate: sql.replace('SUM(', 'AVG('),
      wrong_join: sql.replace('p.A_ID = c.ID', 'p.A_ID <> c.ID'),
      extra_rows: sql.replace(' LIMIT 3', ''),
    });
  });

  it('drops a lone WHERE whole, doubles a number, and repeats every row without a LIMIT', () => {
    const sql = 'SELECT id FROM t WHERE amount > 50 ORDER BY id';
    const m = byKind(sql);
    expect(m.wrong_filter_value).toBe('SELECT id FROM t WHERE amount > 100 ORDER BY id');
    expect(m.missing_condition).toBe('SELECT id FROM t ORDER BY id');
    expect(m.extra_rows).toBe(`SELECT * FROM (${sql}) AS a UNION ALL SELECT * FROM (${sql}) AS b`);
    expect(m.wrong_aggregate).toBeUndefined();
    expect(m.wrong_join).toBeUndefined();
  });

  it('every mutant of the dev gold SQL is one read-only statement different from its gold', () => {
    const golds = readFileSync(join(PACKAGE_ROOT, 'test/fixtures/gl-dev.jsonl'), 'utf8').trim().split('\n')
      .map((l) => JSON.parse(l) as { sql?: string }).flatMap((i) => (i.sql ? [i.sql] : []));
    let total = 0;
    for (const gold of golds) {
      for (const m of mutate(gold)) {
        total++;
        expect(checkReadOnly(m.sql).ok, m.sql).toBe(true);
        expect(m.sql.trim()).not.toBe(gold.trim());
      }
    }
    expect(total).toBeGreaterThan(golds.length * 2);
  });
});

describe('separation figures', () => {
  it('AUROC is the rank statistic, ties counting half', () => {
    expect(auroc([1, 2], [0, -1])).toBe(1);
    expect(auroc([0], [1])).toBe(0);
    expect(auroc([1, 1], [1])).toBe(0.5);
    expect(auroc([], [1])).toBeNull();
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }), (p, n) => {
        let wins = 0;
        for (const a of p) for (const b of n) wins += a > b ? 1 : a === b ? 0.5 : 0;
        expect(auroc(p, n)).toBeCloseTo(wins / (p.length * n.length), 3);
      }));
  });

  it('pairs are counted within a group only', () => {
    const s = separation([[{ reward: 0.9, correct: true }, { reward: 0.5, correct: false }], [{ reward: 0.4, correct: true }, { reward: 0.6, correct: false }]]);
    expect(s).toMatchObject({ pairs: 2, pairwise: 0.5, max_wrong: 0.6, min_correct: 0.4, auroc: 0.5 });
  });
});
