/**
 * The reward service's scorer over the real bundled GL domain (three seeded
 * PGlite test databases): extraction, presets, groups, the untrusted-SQL
 * gate, sharing of work, and isolation of a runaway completion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomain, type Domain } from '../../src/agents/defaults.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScorer, scorerDomains, type Scorer, type ScoringDomain } from '../../src/agents/scorer.js';
import { scoreCompletions } from '../../src/index.js';

const GOLD = 'SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Budget > 100000';
const WRONG_VALUE = 'SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Budget > 250000';
const REASONING = '<think>\n1. Read PAC_MNT_PROJECTS (projects).\n2. Filter where budget > 100000.\n3. Select project_code, project_name, budget.\n</think>';
const fenced = (sql: string) => `${REASONING}\n\`\`\`sql\n${sql}\n\`\`\``;
const RUNAWAY = 'SELECT count(*) FROM generate_series(1, 1000000000) AS a(x)';

let domain: Domain;
let sent: string[];
let spied: ScoringDomain;
let scorer: Scorer;

beforeAll(async () => {
  domain = await createDomain({ seeds: [1, 2, 3] });
  sent = [];
  spied = {
    catalog: domain.catalog,
    databases: domain.databases.map((db) => ({
      seed: db.seed,
      query: (sql: string, options?: Parameters<typeof db.query>[1]) => {
        sent.push(sql);
        return db.query(sql, options);
      },
    })),
  };
  scorer = createScorer({ domains: { gl: spied }, timeBudgetMs: 400 });
}, 60_000);

afterAll(async () => {
  await scorer.close();
  await domain.close();
});

describe('scoring completions', () => {
  it('extracts SQL from every answer shape, scores the group in input order, with GRPO advantages', async () => {
    const completions = [
      fenced(GOLD),
      `Sure. The query is:\n${GOLD}\nIt lists the big projects.`,
      `<think>reading projects</think>${GOLD};`,
      fenced(WRONG_VALUE),
      'I cannot answer that.',
    ];
    const report = await scorer.score([{ id: 'q1', query: 'Projects with budget over 100000', expected_sql: GOLD, completions }]);
    expect(report.preset).toBe('execution');
    const [item] = report.items;
    expect(item).toMatchObject({ id: 'q1', query: 'Projects with budget over 100000' });
    expect(item.results.map((r) => r.sql)).toEqual([GOLD, GOLD, GOLD, WRONG_VALUE, '']);
    const totals = item.results.map((r) => r.total_reward);
    for (const right of totals.slice(0, 3)) for (const wrong of totals.slice(3)) expect(right).toBeGreaterThan(wrong);
    expect(item.results[0]).toMatchObject({ is_valid: true, executed: true, rewards: { accuracy: 1 } });
    expect(item.results[0].error_code).toBeUndefined();
    expect(item.results[4]).toMatchObject({ executed: false, is_valid: false, error_code: 'SQL_PARSE_ERROR', total_reward: 0 });
    expect(item.advantages).toHaveLength(5);
    expect(item.advantages.reduce((s, a) => s + a, 0)).toBeCloseTo(0, 6);
    expect(item.advantages[0]).toBeGreaterThan(0);
    expect(item.advantages[4]).toBeLessThan(0);
  });

  it('presets: sparse gives 1 / 0.1 / 0; dense keeps the six-component total; weights shape the dense score', async () => {
    const items = [{ query: 'q', expected_sql: GOLD, completions: [fenced(GOLD), fenced(WRONG_VALUE), 'no sql here'] }];
    const sparse = await scorer.score(items, { preset: 'sparse' });
    expect(sparse.items[0].results.map((r) => r.total_reward)).toEqual([1, 0.1, 0]);
    const dense = await scorer.score(items, { preset: 'dense' });
    const wrongDense = dense.items[0].results[1].total_reward;
    expect(wrongDense).toBeGreaterThan(0.5);
    const heavy = await scorer.score(items, { preset: 'dense', weights: { accuracy: 5 } });
    expect(heavy.items[0].results[1].total_reward).toBeLessThan(wrongDense);
  });

  it('never sends unsafe or absent SQL to a database, and a bad expected_sql is that item\'s error only', async () => {
    sent.length = 0;
    const report = await scorer.score([
      { query: 'q', expected_sql: GOLD, completions: ['```sql\nDELETE FROM PAC_MNT_PROJECTS\n```', 'SELECT pg_sleep(10)', 'nothing', `${GOLD}; DROP TABLE PAC_MNT_PROJECTS`] },
      { query: 'bad gold', expected_sql: 'UPDATE PAC_MNT_PROJECTS SET Budget = 0', completions: [fenced(GOLD)] },
      { query: 'broken gold', expected_sql: 'SELECT no_such_column FROM PAC_MNT_PROJECTS', completions: [fenced(GOLD)] },
    ]);
    const [unsafe, badGold, brokenGold] = report.items;
    expect(unsafe.results.map((r) => r.error_code)).toEqual(['UNSAFE_SQL', 'UNSAFE_SQL', 'SQL_PARSE_ERROR', 'UNSAFE_SQL']);
    for (const r of unsafe.results) expect(r).toMatchObject({ executed: false, total_reward: 0, sql: '' });
    expect(badGold).toMatchObject({ error_code: 'UNSAFE_SQL', field: 'items[1].expected_sql', results: [], advantages: [] });
    expect(brokenGold).toMatchObject({ error_code: 'EXECUTION_FAILED', field: 'items[2].expected_sql', results: [] });
    expect(sent.some((sql) => /delete|update|pg_sleep|drop/i.test(sql))).toBe(false);
  });

  it('measures the parse cost of client SQL off the event loop: a costly expected_sql is its item\'s error, a costly completion fails', async () => {
    const deep = `SELECT ${Array.from({ length: 300 }, () => '11').join(' + ')} FROM PAC_MNT_PROJECTS`;
    const report = await scorer.score([
      { query: 'q', expected_sql: deep, completions: [GOLD] },
      { query: 'q', expected_sql: GOLD, completions: [`\`\`\`sql\n${deep}\n\`\`\``, fenced(GOLD)] },
    ]);
    expect(report.items[0]).toMatchObject({ error_code: 'INVALID_INPUT', field: 'items[0].expected_sql', results: [] });
    expect(report.items[0].error).toMatch(/nest at most/);
    expect(report.items[1].results[0]).toMatchObject({ executed: false, total_reward: 0, error_code: 'SQL_PARSE_ERROR' });
    expect(report.items[1].results[1].rewards.accuracy).toBe(1);
  });

  it('scores identical SQL once, caches the expected SQL, and runs a miss on one database only', async () => {
    const gold = 'SELECT Resource_Code FROM PAC_MNT_RESOURCES WHERE Cost_Rate > 10';
    const other = 'SELECT Resource_Code FROM PAC_MNT_RESOURCES WHERE Cost_Rate > 99999';
    sent.length = 0;
    await scorer.score([{ query: 'q', expected_sql: gold, completions: [fenced(other), `bare: ${other}`, fenced(other), fenced(gold)] }]);
    expect(sent.filter((s) => s === gold)).toHaveLength(3);
    expect(sent.filter((s) => s === other)).toHaveLength(1);
    sent.length = 0;
    await scorer.score([{ query: 'q', expected_sql: gold, completions: [fenced(gold)] }]);
    expect(sent).toEqual([]);
  });

  it('stops a runaway completion at its time budget: it fails, the rest of the batch scores as usual', async () => {
    const crossJoin = 'SELECT count(*) FROM PAC_MNT_PROJECTS a, PAC_MNT_PROJECTS b, PAC_MNT_PROJECTS c, PAC_MNT_PROJECTS d, PAC_MNT_PROJECTS e, PAC_MNT_PROJECTS f';
    const recursion = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';
    const started = performance.now();
    const report = await scorer.score([
      { query: 'q', expected_sql: GOLD, completions: [fenced(RUNAWAY), fenced(GOLD), fenced(crossJoin), fenced(recursion)] },
      { query: 'q2', expected_sql: GOLD, completions: [fenced(GOLD), fenced(WRONG_VALUE)] },
    ]);
    const elapsed = performance.now() - started;
    const [slow, normal] = report.items;
    for (const i of [0, 2, 3]) expect(slow.results[i]).toMatchObject({ executed: false, error_code: 'QUERY_TIMEOUT' });
    for (const i of [0, 2, 3]) expect(slow.results[i].total_reward).toBeLessThan(slow.results[1].total_reward);
    expect(slow.results[1]).toMatchObject({ executed: true, rewards: { accuracy: 1 } });
    expect(normal.results[0].total_reward).toBeGreaterThan(normal.results[1].total_reward);
    // A regression guard, not a timing target: three budgets of 400 ms and their restarts, not a billion rows.
    expect(elapsed).toBeLessThan(30_000);
    // A runaway seen once is not run again.
    sent.length = 0;
    const again = await scorer.score([{ query: 'q', expected_sql: GOLD, completions: [fenced(RUNAWAY)] }]);
    expect(again.items[0].results[0].error_code).toBe('QUERY_TIMEOUT');
    expect(sent).not.toContain(RUNAWAY);
  }, 60_000);

  it('refuses a malformed request naming the field', async () => {
    const ok = { query: 'q', expected_sql: GOLD, completions: ['x'] };
    await expect(scorer.score([])).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'items' } });
    await expect(scorer.score([{ ...ok, completions: [1 as never] }])).rejects.toMatchObject({ details: { field: 'items[0].completions[0]' } });
    await expect(scorer.score([ok, { ...ok, domain: 'nope' }])).rejects.toMatchObject({ details: { field: 'items[1].domain' } });
    await expect(scorer.score([ok], { preset: 'best' as never })).rejects.toMatchObject({ details: { field: 'preset' } });
    await expect(scorer.score([ok], { weights: { accuracy: -1 } })).rejects.toMatchObject({ details: { field: 'weights.accuracy' } });
    await expect(scorer.score([ok], { weights: { speed: 1 } as never })).rejects.toMatchObject({ details: { field: 'weights.speed' } });
    await expect(scorer.score([ok], { preset: 'sparse', weights: { accuracy: 1 } })).rejects.toMatchObject({ details: { field: 'weights' } });
  });

  it('scores against a DDL file\'s domain named by the item, beside the bundled one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-rl-scorer-'));
    const ddl = join(dir, 'shop.sql');
    writeFileSync(ddl, [
      'CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL, city VARCHAR(40));',
      'CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(customer_id), amount DECIMAL(10,2) NOT NULL);',
    ].join('\n'));
    const { domains, defaultDomain } = scorerDomains(ddl);
    expect(defaultDomain).toBe('shop');
    expect(Object.keys(domains!)).toEqual(['shop', 'gl']);
    // The bundled domain already running stands in for a second copy of it.
    const both = createScorer({ domains: { ...domains, gl: spied }, defaultDomain, timeBudgetMs: 2000 });
    try {
      const gold = 'SELECT name FROM customers WHERE customer_id IN (SELECT customer_id FROM orders)';
      const report = await both.score([
        { query: 'customers with orders', expected_sql: gold, completions: [gold, 'SELECT name FROM customers', 'SELECT Project_Code FROM PAC_MNT_PROJECTS'] },
        { query: 'projects', expected_sql: GOLD, completions: [GOLD], domain: 'gl' },
      ], { preset: 'sparse' });
      expect(report.items[0].results.map((r) => r.total_reward)).toEqual([1, 0.1, 0]);
      expect(report.items[0].results[2]).toMatchObject({ executed: false, error_code: 'EXECUTION_FAILED' });
      expect(report.items[1].results[0].total_reward).toBe(1);
    } finally {
      await both.close();
    }
  }, 180_000);

  it('scoreCompletions takes a scorer, and items may name a registered domain', async () => {
    const report = await scoreCompletions([{ query: 'q', expected_sql: GOLD, completions: [GOLD], domain: 'gl' }], { scorer, preset: 'sparse' });
    expect(report.items[0].results[0].total_reward).toBe(1);
  });
});
