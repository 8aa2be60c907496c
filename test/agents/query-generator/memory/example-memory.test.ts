import fc from 'fast-check';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleMemory, defaultMemoryPath, learnFromDataset } from '../../../../src/agents/query-generator/memory/index.js';
import { AppError } from '../../../../src/errors.js';
import { loadParser } from '../../../../src/sql/parser.js';

const DEV = join(import.meta.dirname, '../../../fixtures/gl-dev.jsonl');

let dir: string;
let dev: ExampleMemory;

beforeAll(async () => {
  await loadParser();
  dir = await mkdtemp(join(tmpdir(), 'gl-rl-memory-'));
  dev = new ExampleMemory();
  await learnFromDataset(dev, DEV);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('retrieval', () => {
  // Paraphrases written for this test, each with the dev question it restates.
  const paraphrases: Array<[string, string]> = [
    ['Which companies have no contacts at all?', 'Find companies without contacts'],
    ['list the contracts that expire this year', 'Show contracts expiring this year'],
    ['support tickets with a high priority', 'Find high priority support tickets'],
    ['projects that started in 2024', 'Find projects starting in 2024'],
    ['total resource costs for every project', 'Calculate total resource cost per project'],
    ['opportunities grouped by stage', 'Show business opportunities by stage'],
    ['what is the mean budget per department', 'Average budget per department'],
    ['staff assignment billing rate', 'Show staff assignments with billing rates'],
    ['projects whose names contain System', "Find projects with 'System' in name"],
    ['resurces with a capcity over 40 hours', 'Show resources with capacity over 40 hours'],
  ];

  it.each(paraphrases)('ranks the restated question first for "%s"', (paraphrase, original) => {
    const [top] = dev.search(paraphrase, 5);
    expect(top?.query).toBe(original);
  });

  it('returns the stored SQL and a similarity in (0, 1], 1 for the question itself', () => {
    const [top] = dev.search('Show all active projects', 1);
    expect(top.query).toBe('Show all active projects');
    expect(top.sql).toMatch(/^SELECT .* FROM PAC_MNT_PROJECTS WHERE Status = 'Active'$/);
    expect(top.source).toBe('learn');
    expect(top.similarity).toBeCloseTo(1, 9);
  });

  it('finds nothing for a question that shares nothing with the memory', () => {
    expect(dev.search('zzqx', 3)).toEqual([]);
    expect(new ExampleMemory().search('Show all active projects', 3)).toEqual([]);
  });

  it('never throws, sorts by similarity and respects k; the top k are the head of the full ranking', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('projects', 'budget over 100k', 'Show all active projects', '', '   ', '?!')),
        fc.oneof(fc.integer({ min: -3, max: 20 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 2.7)),
        (query, k) => {
          const results = dev.search(query, k);
          const all = dev.search(query, Number.POSITIVE_INFINITY);
          const limit = k === Number.POSITIVE_INFINITY ? dev.size : Number.isFinite(k) ? Math.max(0, Math.floor(k)) : 0;
          expect(results.length).toBeLessThanOrEqual(limit);
          expect(results).toEqual(all.slice(0, limit));
          for (let i = 1; i < results.length; i++) expect(results[i - 1].similarity).toBeGreaterThanOrEqual(results[i].similarity);
          for (const r of results) {
            expect(r.similarity).toBeGreaterThan(0);
            expect(r.similarity).toBeLessThanOrEqual(1 + 1e-9);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('add', () => {
  it('dedupes by normalized question and keeps the best-scored SQL', async () => {
    const memory = new ExampleMemory();
    const sqlA = 'SELECT Project_Name FROM PAC_MNT_PROJECTS';
    const sqlB = 'SELECT Project_Code, Project_Name FROM PAC_MNT_PROJECTS';
    expect(await memory.add([{ query: 'List the projects', sql: sqlA, source: 'train', score: 0.6 }])).toMatchObject({ added: 1 });
    expect(await memory.add([{ query: 'list the  PROJECTS?', sql: sqlB, source: 'train', score: 0.4 }])).toMatchObject({ unchanged: 1 });
    expect(memory.search('list projects', 1)[0].sql).toBe(sqlA);
    expect(await memory.add([{ query: 'List the projects.', sql: sqlB, source: 'train', score: 0.8 }])).toMatchObject({ replaced: 1 });
    expect(memory.search('list projects', 1)[0]).toMatchObject({ sql: sqlB, score: 0.8 });
    // A taught pair is gold: it beats any score, and a scored pair does not beat it back.
    expect(await memory.add([{ query: 'List the projects', sql: sqlA, source: 'learn' }])).toMatchObject({ replaced: 1 });
    expect(await memory.add([{ query: 'List the projects', sql: sqlB, source: 'train', score: 1 }])).toMatchObject({ unchanged: 1 });
    expect(memory.size).toBe(1);
    expect(memory.search('list projects', 1)[0]).toMatchObject({ sql: sqlA, source: 'learn' });
  });

  it('refuses unsafe SQL and never stores it', async () => {
    const path = join(dir, 'unsafe.jsonl');
    const memory = new ExampleMemory({ path });
    const report = await memory.add([
      { query: 'Delete inactive projects', sql: "DELETE FROM PAC_MNT_PROJECTS WHERE Status = 'Inactive'", source: 'train', score: 1 },
      { query: 'Projects then drop', sql: 'SELECT 1 FROM PAC_MNT_PROJECTS; DROP TABLE PAC_MNT_PROJECTS', source: 'learn' },
      { query: 'Sleep', sql: 'SELECT pg_sleep(10)', source: 'learn' },
      { query: 'Lock projects', sql: 'SELECT * FROM PAC_MNT_PROJECTS FOR UPDATE', source: 'learn' },
      { query: 'Broken', sql: 'SELEC * FROM x', source: 'learn' },
      { query: '   ', sql: 'SELECT 1', source: 'learn' },
      { query: 'Fine', sql: 'SELECT 1', source: 'learn', score: Number.NaN },
    ]);
    expect(report.added).toBe(0);
    expect(report.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(report.rejected[0].reason).toMatch(/unsafe SQL refused/);
    expect(memory.size).toBe(0);
    await expect(readFile(path, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('persistence', () => {
  it('round-trips through the file: a reopened memory answers the same', async () => {
    const path = join(dir, 'nested', 'memory.jsonl');
    const { memory, report } = await ExampleMemory.open(path);
    expect(report).toEqual({ path, loaded: 0, problems: [] });
    expect(memory.size).toBe(0);
    await memory.add([
      { query: 'Show all active projects', sql: "SELECT * FROM PAC_MNT_PROJECTS WHERE Status = 'Active'", source: 'learn' },
      { query: 'Count companies', sql: 'SELECT COUNT(*) FROM SRM_COMPANIES', source: 'train', score: 0.9 },
    ]);
    await memory.add([{ query: 'count companies!', sql: 'SELECT COUNT(Company_ID) FROM SRM_COMPANIES', source: 'train', score: 0.95 }]);
    const reopened = await ExampleMemory.open(path);
    expect(reopened.report.problems).toEqual([]);
    expect(reopened.memory.size).toBe(2);
    for (const q of ['active projects', 'how many companies']) expect(reopened.memory.search(q, 2)).toEqual(memory.search(q, 2));
    expect(reopened.memory.search('how many companies', 1)[0]).toMatchObject({ sql: 'SELECT COUNT(Company_ID) FROM SRM_COMPANIES', score: 0.95 });
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ query: 'Show all active projects', source: 'learn' });
    expect(Date.parse(lines[0].added_at)).not.toBeNaN();
  });

  it('skips bad lines with their line numbers, and appends after a torn last line on a fresh line', async () => {
    const path = join(dir, 'damaged.jsonl');
    const good = (query: string, sql: string) => JSON.stringify({ query, sql, source: 'learn', added_at: '2026-01-01T00:00:00.000Z' });
    await writeFile(path, [
      good('Show all resources', 'SELECT * FROM PAC_MNT_RESOURCES'),
      '{"query": "Broken JSON", ',
      '',
      JSON.stringify({ query: 'No SQL', source: 'learn' }),
      JSON.stringify({ query: 'Wipe', sql: 'TRUNCATE PAC_MNT_PROJECTS', source: 'learn' }),
      '[1, 2]',
      JSON.stringify({ query: 'Bad source', sql: 'SELECT 1', source: 'guess' }),
      good('Count contracts', 'SELECT COUNT(*) FROM PROJCNTRTS'),
      '{"query": "torn by a cra',
    ].join('\n'));
    const { memory, report } = await ExampleMemory.open(path);
    expect(report.loaded).toBe(2);
    expect(report.problems.map((p) => p.line)).toEqual([2, 4, 5, 6, 7, 9]);
    expect(report.problems[2].message).toMatch(/unsafe SQL refused/);
    expect(memory.search('all resources', 1)[0].sql).toBe('SELECT * FROM PAC_MNT_RESOURCES');

    await memory.add([{ query: 'List contacts', sql: 'SELECT * FROM SRM_CONTACTS', source: 'learn' }]);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('{"query": "torn by a cra\n' + JSON.stringify({ query: 'List contacts', sql: 'SELECT * FROM SRM_CONTACTS', source: 'learn', added_at: JSON.parse(text.trimEnd().split('\n').at(-1)!).added_at }) + '\n')).toBe(true);
    const reopened = await ExampleMemory.open(path);
    expect(reopened.memory.size).toBe(3);
    expect(reopened.report.problems.map((p) => p.line)).toEqual([2, 4, 5, 6, 7, 9]);
  });

  it('takes its default path from GL_RL_MEMORY_FILE, else a file in the home directory', () => {
    expect(defaultMemoryPath({ GL_RL_MEMORY_FILE: '/srv/gl/memory.jsonl' })).toBe('/srv/gl/memory.jsonl');
    expect(defaultMemoryPath({})).toMatch(/[/\\]\.gl-rl[/\\]memory\.jsonl$/);
  });
});

describe('learnFromDataset', () => {
  it('learns every gold pair of the dev set and skips the expect lines', async () => {
    const memory = new ExampleMemory();
    const report = await learnFromDataset(memory, DEV);
    const lines = (await readFile(DEV, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const gold = lines.filter((l) => l.sql !== undefined && l.expect === undefined);
    expect(report.skipped).toBe(lines.length - gold.length);
    expect(report.problems).toEqual([]);
    expect(report.added + report.replaced + report.unchanged).toBe(gold.length);
    expect(memory.size).toBe(report.added);
  });

  it('reports bad lines with their numbers and learns the rest', async () => {
    const path = join(dir, 'dataset.jsonl');
    await writeFile(path, [
      JSON.stringify({ query: 'Show all contacts', sql: 'SELECT * FROM SRM_CONTACTS' }),
      'not json',
      JSON.stringify({ query: 'Delete everything', expect: 'refuse' }),
      JSON.stringify({ query: 'Only a question' }),
      JSON.stringify({ query: 'Drop it', sql: 'DROP TABLE SRM_CONTACTS' }),
      '',
      JSON.stringify({ query: 'Count contacts', sql: 'SELECT COUNT(*) FROM SRM_CONTACTS', alternatives: [] }),
    ].join('\n'));
    const memory = new ExampleMemory();
    const report = await learnFromDataset(memory, path);
    expect(report).toMatchObject({ added: 2, skipped: 1 });
    expect(report.problems.map((p) => p.line)).toEqual([2, 4, 5]);
    expect(report.problems[2].message).toMatch(/unsafe SQL refused/);
  });

  it('fails with INVALID_INPUT naming the dataset when the file cannot be read', async () => {
    const err = await learnFromDataset(new ExampleMemory(), join(dir, 'missing.jsonl')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_INPUT');
    expect((err as AppError).details.field).toBe('dataset');
  });
});
