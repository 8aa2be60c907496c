import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSchema } from '../../../src/agents/schema-analyzer/index.js';
import type { AnalyzerDeps } from '../../../src/agents/schema-analyzer/index.js';
import { DEFAULT_SCHEMA_FILE } from '../../../src/paths.js';
import { loadCatalogFile } from '../../../src/schema/catalog.js';
import { loadVocabulary } from '../../../src/schema/vocabulary.js';
import { collect } from '../../../src/sql/ast.js';
import { loadParser, parseSql } from '../../../src/sql/parser.js';

interface DevItem {
  query: string;
  sql?: string;
}

let deps: AnalyzerDeps;
let items: DevItem[];

beforeAll(async () => {
  await loadParser();
  deps = { catalog: loadCatalogFile(DEFAULT_SCHEMA_FILE), vocabulary: loadVocabulary() };
  items = readFileSync(new URL('../../fixtures/gl-dev.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DevItem)
    .filter((item) => typeof item.sql === 'string');
});

/** The tables the gold SQL reads, from its parse tree. */
function goldTables(sql: string): string[] {
  const parsed = parseSql(sql);
  if (!parsed.ok) throw new Error(`gold SQL does not parse: ${sql}`);
  return [...new Set(collect(parsed.tree, 'RangeVar').map((r) => String(r.relname).toLowerCase()))];
}

describe('schema analyzer quality on the dev questions', () => {
  it('puts every table of the gold SQL among its top-4 relevant tables for at least 95% of questions', () => {
    const misses: string[] = [];
    for (const item of items) {
      const gold = goldTables(item.sql!);
      const result = analyzeSchema({ query: item.query, context: {}, mode: 'generate', depth: 3 }, deps);
      const top = result.relevant_tables.slice(0, 4).map((t) => t.table_name.toLowerCase());
      if (!gold.every((t) => top.includes(t))) misses.push(`${item.query} — gold ${gold.join(', ')}; top ${top.join(', ')}`);
    }
    const recall = (items.length - misses.length) / items.length;
    console.log(`schema analyzer top-4 table recall: ${(recall * 100).toFixed(1)}% of ${items.length} dev questions`);
    for (const miss of misses) console.log(`  miss: ${miss}`);
    expect(items.length).toBeGreaterThan(100);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it('ranks the gold tables first (top-k where k is the number of gold tables) for most questions', () => {
    let exact = 0;
    for (const item of items) {
      const gold = goldTables(item.sql!);
      const result = analyzeSchema({ query: item.query, context: {}, mode: 'generate', depth: 3 }, deps);
      const top = result.relevant_tables.slice(0, gold.length).map((t) => t.table_name.toLowerCase());
      if (gold.every((t) => top.includes(t))) exact++;
    }
    const precision = exact / items.length;
    console.log(`schema analyzer top-k (k = gold table count) recall: ${(precision * 100).toFixed(1)}%`);
    expect(precision).toBeGreaterThanOrEqual(0.8);
  });
});
