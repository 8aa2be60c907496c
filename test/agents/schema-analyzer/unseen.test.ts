/**
 * Schema linking on schemas the analyzer has never seen: the five public
 * Spider databases (test/fixtures/spider, CC BY-SA 4.0), DDL only, no
 * vocabulary. The gold SQL's tables must be among the analyzer's first
 * tables; the floors are regression guards, the figures are printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSchema, type AnalyzerDeps } from '../../../src/agents/schema-analyzer/index.js';
import { buildCatalog } from '../../../src/schema/catalog.js';
import { emptyVocabulary } from '../../../src/schema/vocabulary.js';
import { collect } from '../../../src/sql/ast.js';
import { loadParser, parseSql } from '../../../src/sql/parser.js';

const ROOT = join(import.meta.dirname, '../../fixtures/spider');

interface Case {
  database: string;
  query: string;
  gold: string[];
  columns: string[];
}

let cases: Case[];
const depsOf = new Map<string, AnalyzerDeps>();

beforeAll(async () => {
  await loadParser();
  cases = [];
  for (const database of readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const catalog = buildCatalog(readFileSync(join(ROOT, database, 'schema.sql'), 'utf8'));
    depsOf.set(database, { catalog, vocabulary: emptyVocabulary() });
    for (const line of readFileSync(join(ROOT, database, 'dev.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '')) {
      const { query, sql } = JSON.parse(line) as { query: string; sql: string };
      const parsed = parseSql(sql);
      if (!parsed.ok) throw new Error(`gold SQL does not parse: ${sql}`);
      const gold = [...new Set(collect(parsed.tree, 'RangeVar').map((r) => String(r.relname).toLowerCase()))];
      const columns = [...new Set(collect(parsed.tree, 'ColumnRef').flatMap((c) => (c.fields as Array<{ String?: { sval: string } }>).map((f) => f.String?.sval?.toLowerCase() ?? '')).filter((c) => c !== ''))];
      cases.push({ database, query, gold, columns });
    }
  }
});

function analyze(c: Case) {
  return analyzeSchema({ query: c.query, context: {}, mode: 'generate', depth: 3 }, depsOf.get(c.database)!);
}

describe('schema analyzer on unseen Spider schemas', () => {
  it('puts the gold tables first for most questions, and among the first four for nearly all', () => {
    let exact = 0;
    let top4 = 0;
    const misses: string[] = [];
    for (const c of cases) {
      const ranked = analyze(c).relevant_tables.map((t) => t.table_name.toLowerCase());
      const first = ranked.slice(0, c.gold.length);
      if (c.gold.every((t) => first.includes(t))) exact++;
      else misses.push(`${c.database}: ${c.query} — gold ${c.gold.join(', ')}; got ${ranked.slice(0, 4).join(', ')}`);
      if (c.gold.every((t) => ranked.slice(0, 4).includes(t))) top4++;
    }
    console.log(`unseen schemas: gold tables first ${((exact / cases.length) * 100).toFixed(1)}%, within top 4 ${((top4 / cases.length) * 100).toFixed(1)}% of ${cases.length}`);
    for (const m of misses) console.log(`  miss: ${m}`);
    expect(cases.length).toBe(301);
    expect(exact / cases.length).toBeGreaterThanOrEqual(0.72);
    expect(top4 / cases.length).toBeGreaterThanOrEqual(0.93);
  });

  it('names the gold columns among the relevant columns', () => {
    let found = 0;
    let total = 0;
    for (const c of cases) {
      const named = new Set(analyze(c).relevant_tables.flatMap((t) => t.columns.map((col) => col.toLowerCase())));
      for (const column of c.columns) {
        total++;
        if (named.has(column)) found++;
      }
    }
    console.log(`unseen schemas: gold columns named ${((found / total) * 100).toFixed(1)}% of ${total}`);
    expect(found / total).toBeGreaterThanOrEqual(0.6);
  });
});
