import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedGenerator } from '../../../src/agents/query-generator/agent.js';
import type { GeneratedQuery, QueryGeneratorInput } from '../../../src/agents/query-generator/contract.js';
import { analyzeSchema } from '../../../src/agents/schema-analyzer/index.js';
import { isRefusal } from '../../../src/agents/types.js';
import { loadCatalogFile } from '../../../src/schema/catalog.js';
import { loadVocabulary } from '../../../src/schema/vocabulary.js';
import { DEFAULT_SCHEMA_FILE } from '../../../src/paths.js';
import { loadParser } from '../../../src/sql/parser.js';
import { checkReadOnly } from '../../../src/sql/safety.js';
import type { Catalog } from '../../../src/schema/types.js';
import type { AgentFunction } from '../../../src/agents/types.js';

const vocabulary = loadVocabulary();
let catalog: Catalog;
let generator: AgentFunction<QueryGeneratorInput, GeneratedQuery>;

beforeAll(async () => {
  await loadParser();
  catalog = loadCatalogFile(DEFAULT_SCHEMA_FILE);
  generator = createEmbeddedGenerator({ catalog, vocabulary });
});
const session = { session_id: 's1', turn: 1 };

function input(query: string, extra: Partial<QueryGeneratorInput> = {}): QueryGeneratorInput {
  const schema_analysis = analyzeSchema({ query, context: {}, mode: 'generate', depth: 3 }, { catalog, vocabulary });
  return { query, context: {}, mode: 'generate', schema_analysis, attempt: 0, num_candidates: 1, ...extra };
}

describe('createEmbeddedGenerator', () => {
  it('answers with SQL, reasoning, confidence and metadata', async () => {
    const out = await generator(input('Count active contracts per contract type'), { signal: new AbortController().signal, session });
    expect(isRefusal(out)).toBe(false);
    const q = out as GeneratedQuery;
    expect(q.sql).toMatch(/^SELECT /);
    expect(q.sql).toContain('GROUP BY Contract_Type');
    expect(q.reasoning.startsWith('<think>')).toBe(true);
    expect(q.confidence).toBeGreaterThan(0);
    expect(q.confidence).toBeLessThanOrEqual(1);
    expect(q.metadata.generator).toBe('embedded');
    expect(q.metadata.generation_time).toBeGreaterThanOrEqual(0);
    expect(q.alternatives).toEqual([]);
  });

  it('holds no write rule of its own (the orchestrator screens requests): whatever it is asked, its SQL is one read-only statement', async () => {
    const out = await generator(input('Delete all cancelled projects'), { signal: new AbortController().signal, session });
    expect(isRefusal(out)).toBe(false);
    expect(checkReadOnly((out as GeneratedQuery).sql).ok).toBe(true);
  });

  it('gives alternatives when asked for several candidates', async () => {
    const out = await generator(input('Show projects with their contracts', { num_candidates: 3 }), { signal: new AbortController().signal, session });
    expect((out as GeneratedQuery).alternatives.length).toBeGreaterThan(0);
  });

  it('stops when the signal has aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('timed out'));
    await expect(generator(input('Show all companies'), { signal: controller.signal, session })).rejects.toThrow('timed out');
  });

  it('rejects an empty question with INVALID_INPUT', async () => {
    await expect(generator(input('  '), { signal: new AbortController().signal, session })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
