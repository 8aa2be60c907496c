import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticSchema, syntheticTables } from '../../scripts/synthetic-schema.js';
import { analyzeSchema } from '../../src/agents/schema-analyzer/index.js';
import { buildLexicon } from '../../src/agents/query-generator/embedded/lexicon.js';
import { generateEmbedded } from '../../src/agents/query-generator/embedded/generate.js';
import { isRefusal } from '../../src/agents/types.js';
import { validateSql } from '../../src/agents/validator/index.js';
import { generateSampleData, insertOrder, ROW_BUDGET } from '../../src/db/sample-data.js';
import { buildCatalog } from '../../src/schema/catalog.js';
import type { Catalog } from '../../src/schema/types.js';
import { loadVocabulary, type Vocabulary } from '../../src/schema/vocabulary.js';
import { loadParser } from '../../src/sql/parser.js';

// A few hundred tables here; 100 to 2,000 in the benchmark (bench/schema-scale.ts).
const N = 400;
let catalog: Catalog;
let vocabulary: Vocabulary;

beforeAll(async () => {
  await loadParser();
  catalog = buildCatalog(syntheticSchema(N));
  vocabulary = loadVocabulary();
});

/** The catalog with its foreign-key look-ups counted: the work a build does, measured without a clock. */
function counted(c: Catalog): { catalog: Catalog; lookups: () => number } {
  let n = 0;
  return { catalog: { ...c, foreignKeysOf: (table) => (n++, c.foreignKeysOf(table)) }, lookups: () => n };
}

describe(`a ${N}-table schema`, () => {
  it('is catalogued whole: every table, and every key indexed under both of its tables', () => {
    expect(catalog.tables).toHaveLength(N);
    const tables = syntheticTables(N);
    const child = tables.find((t) => t.references.length > 0)!;
    for (const parent of child.references) {
      expect(catalog.foreignKeysOf(parent).some((fk) => fk.table.toLowerCase() === child.name.toLowerCase())).toBe(true);
      expect(catalog.foreignKeysOf(child.name).some((fk) => fk.refTable.toLowerCase() === parent.toLowerCase())).toBe(true);
    }
  });

  it('builds the generator lexicon without searching key paths up front (it searched every pair: tables² searches)', () => {
    const { catalog: c, lookups } = counted(catalog);
    const lex = buildLexicon({ catalog: c, vocabulary });
    expect(lookups()).toBe(0);
    const tables = syntheticTables(N);
    const child = tables.find((t) => t.references.length > 0)!;
    expect(lex.path(child.name, child.references[0]!, 1)).toHaveLength(1);
    // A path is searched once and kept.
    const after = lookups();
    lex.path(child.name, child.references[0]!, 1);
    expect(lookups()).toBe(after);
  });

  it('answers a question end to end over it: analysis, generation and validation', async () => {
    const analysis = analyzeSchema({ query: 'list the active AP invoices', context: {}, mode: 'generate', depth: 3 }, { catalog, vocabulary });
    expect(analysis.relevant_tables[0]?.table_name).toBe('AP_INVOICE');
    const generated = generateEmbedded('list the active AP invoices', buildLexicon({ catalog, vocabulary }), analysis);
    if (isRefusal(generated)) throw new Error('unexpected refusal');
    expect(generated.sql).toMatch(/AP_INVOICE/i);
    const validation = await validateSql(generated.sql, { catalog });
    expect(validation.is_valid).toBe(true);
  });

  it('orders tables for loading after the tables they reference', () => {
    const order = insertOrder(catalog).map((t) => t.name.toLowerCase());
    expect(order).toHaveLength(N);
    const at = new Map(order.map((name, i) => [name, i]));
    for (const t of catalog.tables) {
      for (const fk of t.foreignKeys) expect(at.get(fk.refTable.toLowerCase())!).toBeLessThan(at.get(t.name.toLowerCase())!);
    }
  });

  it(`keeps its sample data within the row budget (${ROW_BUDGET}), every key pointing at a row`, () => {
    const data = generateSampleData(catalog, { seed: 1, today: new Date('2026-01-15') });
    const rows = data.reduce((sum, t) => sum + t.rows.length, 0);
    expect(rows).toBeLessThanOrEqual(ROW_BUDGET * 1.1);
    expect(Math.min(...data.map((t) => t.rows.length))).toBeGreaterThanOrEqual(4);
    const ids = new Map(data.map((t) => [t.table.toLowerCase(), new Set(t.rows.map((r) => r[0]))]));
    for (const t of catalog.tables) {
      const table = data.find((d) => d.table === t.name)!;
      for (const fk of t.foreignKeys) {
        const k = table.columns.indexOf(fk.columns[0]!);
        for (const row of table.rows) expect(ids.get(fk.refTable.toLowerCase())!.has(row[k])).toBe(true);
      }
    }
  });
});
