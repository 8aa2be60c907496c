import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  canonicalValue,
  compareResults,
  executionMatch,
  runOnAll,
  sameSql,
  type DatabaseRun,
  type QueryResult,
  type ResultSource,
} from '../../src/db/match.js';
import { loadParser } from '../../src/sql/parser.js';
import { pgliteSource } from '../eval/pglite-source.js';

beforeAll(() => loadParser());

const r = (columns: string[], rows: unknown[][]): QueryResult => ({ columns, rows });

const gold = r(['name', 'budget'], [
  ['Alpha', '150000.00'],
  ['Beta', '90000.50'],
  ['Gamma', null],
]);

describe('compareResults: pairs that must match', () => {
  it.each<[string, QueryResult]>([
    ['the same result', gold],
    ['columns in another order', r(['budget', 'name'], [['150000.00', 'Alpha'], ['90000.50', 'Beta'], [null, 'Gamma']])],
    ['other column names (aliases)', r(['project_name', 'b'], gold.rows)],
    ['rows in another order', r(['name', 'budget'], [gold.rows[2], gold.rows[0], gold.rows[1]])],
    ['an extra predicted column', r(['id', 'name', 'budget'], [[1, 'Alpha', '150000.00'], [2, 'Beta', '90000.50'], [3, 'Gamma', null]])],
    ['numbers instead of DECIMAL strings', r(['name', 'budget'], [['Alpha', 150000], ['Beta', 90000.5], ['Gamma', null]])],
    ['differences below 4 decimals', r(['name', 'budget'], [['Alpha', 150000.000004], ['Beta', 90000.49999999], ['Gamma', null]])],
  ])('%s', (_label, predicted) => {
    const c = compareResults(gold, predicted);
    expect(c.reason).toBeUndefined();
    expect(c.match).toBe(true);
  });

  it('dates match their ISO text, timestamps without zone read as UTC', () => {
    const g = r(['d', 't'], [[new Date('2024-03-01T00:00:00Z'), new Date('2024-03-01T10:30:00Z')]]);
    expect(compareResults(g, r(['d', 't'], [['2024-03-01', '2024-03-01 10:30:00']])).match).toBe(true);
    expect(compareResults(g, r(['d', 't'], [['2024-03-01', '2024-03-01T12:30:00+02']])).match).toBe(true);
    expect(compareResults(g, r(['d', 't'], [['2024-03-02', '2024-03-01 10:30:00']])).match).toBe(false);
  });

  it('bigint and number agree; true is not the string "true"', () => {
    expect(canonicalValue(5n)).toBe(canonicalValue(5));
    expect(canonicalValue(true)).not.toBe(canonicalValue('true'));
    expect(canonicalValue(null)).toBe(canonicalValue(undefined));
  });

  it('a date as text has the key of the day it names, with or without a midnight time, whatever its shortcut', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
      const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
      const date = new Date(`${text}T00:00:00Z`);
      const expected = Number.isNaN(date.getTime()) ? `s:${text}` : `d:${date.toISOString()}`;
      expect(canonicalValue(text)).toBe(expected);
      if (!Number.isNaN(date.getTime())) expect(canonicalValue(`${text} 00:00:00`)).toBe(expected);
    }), { numRuns: 2000 });
    expect(canonicalValue(-0.00001)).toBe(canonicalValue(0));
  });

  it('two empty results with the gold columns match', () => {
    expect(compareResults(r(['a'], []), r(['x', 'y'], [])).match).toBe(true);
  });
});

describe('compareResults: pairs that must not match', () => {
  it.each<[string, QueryResult, RegExp]>([
    ['one wrong row', r(['name', 'budget'], [['Alpha', '150000.00'], ['Beta', '90000.50'], ['Delta', null]]), /name/],
    ['one wrong value past 4 decimals', r(['name', 'budget'], [['Alpha', '150000.00'], ['Beta', '90000.5003'], ['Gamma', null]]), /budget/],
    ['a missing column', r(['name'], [['Alpha'], ['Beta'], ['Gamma']]), /1 predicted column/],
    ['a missing row', r(['name', 'budget'], gold.rows.slice(0, 2)), /2 predicted row/],
    ['a duplicated row', r(['name', 'budget'], [...gold.rows, gold.rows[0]]), /4 predicted row/],
    ['null for a value', r(['name', 'budget'], [['Alpha', '150000.00'], ['Beta', null], ['Gamma', null]]), /budget/],
  ])('%s', (_label, predicted, reason) => {
    const c = compareResults(gold, predicted);
    expect(c.match).toBe(false);
    expect(c.reason).toMatch(reason);
  });

  it('duplicate counts must agree even when the row count does', () => {
    const g = r(['a'], [[1], [1], [2]]);
    expect(compareResults(g, r(['a'], [[1], [2], [2]])).match).toBe(false);
  });

  it('columns that match one by one but pair up differently row by row', () => {
    const g = r(['a', 'b'], [[1, 'x'], [2, 'y']]);
    const c = compareResults(g, r(['a', 'b'], [[1, 'y'], [2, 'x']]));
    expect(c.match).toBe(false);
    expect(c.reason).toMatch(/rows differ/);
  });

  it('strict refuses an extra column that relaxed allows', () => {
    const predicted = r(['id', 'name', 'budget'], [[1, 'Alpha', '150000.00'], [2, 'Beta', '90000.50'], [3, 'Gamma', null]]);
    expect(compareResults(gold, predicted).match).toBe(true);
    const strict = compareResults(gold, predicted, { strict: true });
    expect(strict.match).toBe(false);
    expect(strict.reason).toMatch(/strict/);
  });
});

describe('compareResults: partial', () => {
  it('is true for a superset of rows (a missing condition)', () => {
    const c = compareResults(r(['a'], [[1], [2]]), r(['a'], [[1], [2], [3]]));
    expect(c).toMatchObject({ match: false, partial: true });
  });

  it('is true when a whole gold column is present but another is wrong', () => {
    const c = compareResults(r(['a', 'b'], [[1, 'x'], [2, 'y']]), r(['a', 'b'], [[1, 'q'], [2, 'r']]));
    expect(c).toMatchObject({ match: false, partial: true });
  });

  it('is true when a gold row sits inside a wider predicted row', () => {
    const c = compareResults(r(['a', 'b'], [[1, 'x'], [2, 'y']]), r(['a'], [[1], [9]]));
    expect(c.partial).toBe(false);
    const wider = compareResults(r(['a', 'b'], [[1, 'x'], [2, 'y']]), r(['k', 'b', 'a'], [[0, 'x', 1], [0, 'z', 7], [0, 'w', 8]]));
    expect(wider).toMatchObject({ match: false, partial: true });
  });

  it('is false for disjoint results (a wrong filter value)', () => {
    const c = compareResults(r(['a', 'b'], [[1, 'x'], [2, 'y']]), r(['a', 'b'], [[3, 'z'], [4, 'w']]));
    expect(c).toMatchObject({ match: false, partial: false });
  });

  it('is false when the gold is empty and the prediction is not', () => {
    expect(compareResults(r(['a'], []), r(['a'], [[1]]))).toMatchObject({ match: false, partial: false });
  });
});

const cell = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.constantFrom('Active', 'Completed', 'On Hold', ''),
  fc.constant(null),
  fc.boolean(),
);

const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
  fc.record({
    columns: fc.constant(Array.from({ length: width }, (_, i) => `c${i}`)),
    rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 12 }),
  }));

describe('compareResults: properties', () => {
  it('a result matches itself under any column and row permutation, with extra columns added', () => {
    fc.assert(fc.property(
      table,
      fc.integer({ min: 0, max: 3 }),
      fc.infiniteStream(fc.nat()),
      (t, extra, randoms) => {
        const next = () => randoms.next().value as number;
        const colOrder = shuffle([...t.columns.keys(), ...Array.from({ length: extra }, (_, i) => -1 - i)], next);
        const rows = shuffle(t.rows.map((row) => colOrder.map((c) => (c >= 0 ? row[c] : next() % 7))), next);
        const predicted = r(colOrder.map((c) => (c >= 0 ? `p${c}` : `extra${-c}`)), rows);
        expect(compareResults(t, predicted).match).toBe(true);
        expect(compareResults(t, predicted, { strict: true }).match).toBe(extra === 0);
      }));
  });

  it('removing a row breaks the match', () => {
    fc.assert(fc.property(table, fc.nat(), (t, i) => {
      const rows = t.rows.filter((_, k) => k !== i % t.rows.length);
      expect(compareResults(t, r(t.columns, rows)).match).toBe(false);
    }));
  });
});

function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

describe('sameSql', () => {
  it('ignores whitespace, keyword and identifier case, comments', () => {
    expect(sameSql('SELECT a FROM t WHERE b = 1', 'select  A\nfrom T -- note\nwhere B=1;')).toBe(true);
  });
  it('sees a different literal, alias or quoted identifier', () => {
    expect(sameSql('SELECT a FROM t WHERE b = 1', 'SELECT a FROM t WHERE b = 2')).toBe(false);
    expect(sameSql('SELECT a FROM t', 'SELECT a AS x FROM t')).toBe(false);
    expect(sameSql('SELECT a FROM t', 'SELECT "A" FROM t')).toBe(false);
  });
  it('is false when either side does not parse', () => {
    expect(sameSql('SELEC a', 'SELEC a')).toBe(false);
  });
});

describe('executionMatch on seeded databases', () => {
  let db: PGlite;
  let sources: ResultSource[];
  const sent: string[] = [];

  beforeAll(async () => {
    // Two data sets where a filter on status = 'Active' and one on budget > 1000 agree on the first only.
    const seeds = [
      [['A', 'Active', 5000], ['B', 'Closed', 10], ['C', 'Active', 2000.125]],
      [['A', 'Active', 5000], ['B', 'Closed', 3000], ['C', 'Active', 20]],
    ];
    db = await PGlite.create();
    for (const [i, rows] of seeds.entries()) {
      await db.exec(`CREATE SCHEMA seed${i + 1}; CREATE TABLE seed${i + 1}.p (code text, status text, budget decimal(12,3))`);
      for (const [code, status, budget] of rows) {
        await db.query(`INSERT INTO seed${i + 1}.p VALUES ($1, $2, $3)`, [code, status, budget]);
      }
    }
    sources = seeds.map((_, i) => pgliteSource(db, i + 1, sent, `seed${i + 1}`));
  });

  afterAll(() => db.close());

  const goldSql = "SELECT code, budget FROM p WHERE status = 'Active'";

  it('exact for the same SQL written differently, which runs once: the gold runs stand for both', async () => {
    sent.length = 0;
    const m = await executionMatch(sources, goldSql, "select CODE, Budget\nfrom P where STATUS = 'Active';");
    expect(m).toMatchObject({ exact: true, same_results: true, partial: true });
    expect(m.per_database.map((d) => d.database)).toEqual(['seed 1', 'seed 2']);
    expect(sent).toHaveLength(2);
  });

  it('runs the prediction while gold runs handed over are still under way', async () => {
    let release!: (runs: DatabaseRun[]) => void;
    const gold = new Promise<DatabaseRun[]>((resolve) => (release = resolve));
    sent.length = 0;
    const pending = executionMatch(sources, goldSql, "SELECT code, budget FROM p WHERE status <> 'Closed'", { gold });
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    release(await runOnAll(sources, goldSql));
    expect((await pending).same_results).toBe(true);
  });

  it('same results for an equivalent rewrite with aliases, extra column and order', async () => {
    const m = await executionMatch(sources, goldSql, "SELECT budget AS b, status, code AS c FROM p WHERE status <> 'Closed' ORDER BY budget");
    expect(m).toMatchObject({ exact: false, same_results: true });
    expect(m.error).toBeUndefined();
  });

  it('a query right by accident on one database fails the test suite', async () => {
    const m = await executionMatch(sources, goldSql, 'SELECT code, budget FROM p WHERE budget > 1000');
    expect(m.per_database.map((d) => d.match)).toEqual([true, false]);
    expect(m.same_results).toBe(false);
    expect(m.partial).toBe(true);
  });

  it('strict refuses the extra column', async () => {
    const m = await executionMatch(sources, goldSql, "SELECT code, budget, status FROM p WHERE status = 'Active'", { strict: true });
    expect(m.same_results).toBe(false);
  });

  it('a predicted SQL that fails is no match, with the error recorded', async () => {
    const m = await executionMatch(sources, goldSql, 'SELECT nope FROM p');
    expect(m.same_results).toBe(false);
    expect(m.error?.side).toBe('predicted');
    expect(m.error?.message).toMatch(/nope/);
  });

  it('unsafe predicted SQL is never sent to a database', async () => {
    sent.length = 0;
    const m = await executionMatch(sources, goldSql, 'DELETE FROM p');
    expect(m.error).toMatchObject({ side: 'predicted' });
    expect(m.error?.message).toMatch(/not run/);
    expect(sent).not.toContain('DELETE FROM p');
    const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM seed1.p');
    expect(count.rows[0].n).toBe(3);
  });

  it('reuses given gold runs instead of running the gold again', async () => {
    sent.length = 0;
    const first = await executionMatch(sources, goldSql, "SELECT code, budget FROM p WHERE status <> 'Closed'");
    expect(sent.filter((s) => s === goldSql)).toHaveLength(2);
    sent.length = 0;
    const gold = await runOnAll(sources, goldSql);
    const again = await executionMatch(sources, goldSql, 'SELECT code, budget FROM p', { gold });
    expect(first.same_results).toBe(true);
    expect(again.same_results).toBe(false);
    expect(sent.filter((s) => s === goldSql)).toHaveLength(2);
  });

  it('a gold SQL that fails is reported on the gold side', async () => {
    const m = await executionMatch(sources, 'SELECT missing FROM p', goldSql);
    expect(m.error?.side).toBe('gold');
    expect(m.same_results).toBe(false);
  });
});
