import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogFile } from '../../src/schema/catalog.js';
import { DEFAULT_SCHEMA_FILE } from '../../src/paths.js';
import { emptyVocabulary, loadVocabulary, parseVocabulary, unknownReferences, vocabularyFor, type Vocabulary } from '../../src/schema/vocabulary.js';
import { buildCatalog } from '../../src/schema/catalog.js';
import { loadParser } from '../../src/sql/parser.js';

let vocabulary: Vocabulary;

beforeAll(async () => {
  await loadParser();
  vocabulary = loadVocabulary();
});

describe('the bundled GL vocabulary', () => {
  it('names only tables and columns of the GL schema', () => {
    expect(unknownReferences(vocabulary, loadCatalogFile(DEFAULT_SCHEMA_FILE))).toEqual([]);
  });

  it('describes every table and gives its display columns', () => {
    expect(Object.keys(vocabulary.tables)).toHaveLength(14);
    expect(vocabulary.tables.PAC_MNT_PROJECTS.display_columns).toEqual(['Project_Code', 'Project_Name']);
  });

  it('maps business words to tables, filters and measures', () => {
    expect(vocabulary.terms.supplier[0]).toBe('SRM_COMPANIES');
    expect(vocabulary.terms.deal).toEqual(['BIZ_OPP_GEN_PROPERTIES']);
    expect(vocabulary.filters.overbudget[0]).toMatchObject({ table: 'PAC_MNT_PROJECTS', column: 'Actual_Cost', operator: '>', value: { column: 'Budget' } });
    expect(vocabulary.filters['on hold'][0].value).toBe('On Hold');
    expect(vocabulary.measures.profit[0].sql).toBe('Revenue - Actual_Cost');
  });
});

describe('validation', () => {
  const minimal = () => ({ version: 1, schema: 'x', tables: {}, terms: {}, columns: {}, filters: {}, measures: {} });

  it('accepts a minimal vocabulary', () => {
    expect(parseVocabulary(minimal()).schema).toBe('x');
  });

  it('names the bad key', () => {
    const bad = (patch: Record<string, unknown>) => () => parseVocabulary({ ...minimal(), ...patch }, 'v.json');
    expect(bad({ terms: { deal: 'BIZ' } })).toThrowError(expect.objectContaining({ code: 'INVALID_CONFIG', details: { field: 'terms["deal"]' } }));
    expect(bad({ columns: { cost: ['Actual_Cost'] } })).toThrowError(/columns\["cost"\]\[0\] must be TABLE\.Column/);
    expect(bad({ filters: { active: [{ table: 'T', column: 'Status', operator: '==', value: 'A' }] } }))
      .toThrowError(expect.objectContaining({ details: { field: 'filters["active"][0].operator' } }));
    expect(bad({ filters: { idle: [{ table: 'T', column: 'C', operator: 'NOT EXISTS', value: 'x' }] } }))
      .toThrowError(/filters\["idle"\]\[0\]\.value/);
    expect(bad({ measures: { profit: [{ table: 'T', description: 'd' }] } })).toThrowError(/measures\["profit"\]\[0\]\.sql/);
    expect(bad({ tables: { T: { description: 'd' } } })).toThrowError(/tables\.T\.display_columns/);
    expect(() => parseVocabulary([])).toThrowError(/vocabulary must be an object/);
  });

  it('reports unreadable and non-JSON files with their path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vocab-'));
    expect(() => loadVocabulary(join(dir, 'missing.json'))).toThrowError(/missing\.json cannot be read/);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => loadVocabulary(join(dir, 'bad.json'))).toThrowError(/bad\.json is not JSON/);
  });

  it('finds references the catalog lacks', () => {
    const catalog = loadCatalogFile(DEFAULT_SCHEMA_FILE);
    const v = parseVocabulary({ ...minimal(), terms: { x: ['NOPE'] }, columns: { y: ['PAC_MNT_PROJECTS.Nope'] } });
    expect(unknownReferences(v, catalog)).toEqual(['terms["x"]: unknown table NOPE', 'columns["y"]: unknown column PAC_MNT_PROJECTS.Nope']);
  });
});

describe('vocabularyFor', () => {
  it('keeps the whole GL vocabulary over the GL schema', () => {
    expect(vocabularyFor(vocabulary, loadCatalogFile(DEFAULT_SCHEMA_FILE))).toEqual(vocabulary);
  });

  it('keeps nothing of it over a schema with none of its tables', () => {
    const other = buildCatalog('CREATE TABLE singer (singer_id int PRIMARY KEY, name text);');
    expect(vocabularyFor(vocabulary, other)).toEqual({ ...emptyVocabulary(vocabulary.schema), version: vocabulary.version });
  });

  it('drops the targets on missing tables and keeps the rest of a term', () => {
    const catalog = buildCatalog('CREATE TABLE a (id int PRIMARY KEY, x int);');
    const v = parseVocabulary({ ...emptyVocabulary('x'), terms: { thing: ['B', 'a'], gone: ['B'] }, columns: { ex: ['B.x', 'a.x'] } });
    const kept = vocabularyFor(v, catalog);
    expect(kept.terms).toEqual({ thing: ['a'] });
    expect(kept.columns).toEqual({ ex: ['a.x'] });
  });
});
