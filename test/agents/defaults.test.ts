/**
 * The shipped domain over a schema of the user's: the bundled GL vocabulary
 * does not speak for it, a vocabulary file given for it does, and a file that
 * names what the schema lacks is a configuration error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDomain } from '../../src/agents/defaults.js';
import { emptyVocabulary } from '../../src/schema/vocabulary.js';

const dir = mkdtempSync(join(tmpdir(), 'gl-domain-'));
const schema_file = join(dir, 'shop.sql');
writeFileSync(schema_file, 'CREATE TABLE shop (shop_id INTEGER PRIMARY KEY, shop_name TEXT, district TEXT);\n');
const vocabularyFile = (name: string, terms: Record<string, string[]>) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ ...emptyVocabulary('shop'), terms }));
  return path;
};

describe('createDomain over another schema', () => {
  it('applies none of the bundled GL vocabulary', async () => {
    const domain = await createDomain({ schema_file, seeds: [1] });
    try {
      expect(domain.vocabulary.terms).toEqual({});
      expect(domain.vocabulary.filters).toEqual({});
    } finally {
      await domain.close();
    }
  }, 60_000);

  it('applies a vocabulary file given for it', async () => {
    const domain = await createDomain({ schema_file, seeds: [1], vocabulary_file: vocabularyFile('ok.json', { outlet: ['shop'] }) });
    try {
      expect(domain.vocabulary.terms).toEqual({ outlet: ['shop'] });
      expect(domain.extractEntities('every outlet')).toMatchObject({ mapped_entities: [expect.objectContaining({ term: 'outlet', kind: 'table', target: 'shop' })] });
    } finally {
      await domain.close();
    }
  }, 60_000);

  it('refuses a vocabulary file naming tables the schema lacks', async () => {
    await expect(createDomain({ schema_file, seeds: [1], vocabulary_file: vocabularyFile('bad.json', { store: ['STORES'] }) })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/bad\.json names what the schema lacks: terms\["store"\]: unknown table STORES/),
    });
  }, 60_000);
});
