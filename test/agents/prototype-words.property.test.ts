import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomain, type Domain } from '../../src/agents/defaults.js';
import { isRefusal, type AgentCallContext } from '../../src/agents/types.js';

// Words a lookup on a plain object would find on Object.prototype (and their plurals,
// which the analyzer singularizes back to them).
const PROTOTYPE_WORDS = Object.getOwnPropertyNames(Object.prototype);
const word = fc.oneof(
  fc.constantFrom(...PROTOTYPE_WORDS, ...PROTOTYPE_WORDS.map((w) => `${w}s`), ...PROTOTYPE_WORDS.map((w) => w.toLowerCase())),
  fc.constantFrom('projects', 'active', 'customers', 'total', 'budget', 'by', 'each', 'with', 'the', 'per', 'over', '1000', 'last', 'month'),
);
const question = fc.array(word, { minLength: 1, maxLength: 8 }).map((words) => words.join(' '));

let domain: Domain;
const ctx: AgentCallContext = { signal: new AbortController().signal, session: { session_id: 'p', turn: 1 } };

beforeAll(async () => {
  domain = await createDomain({ seeds: [1] });
});
afterAll(async () => {
  await domain?.close();
});

/** One turn through the four shipped agents, as the workflow would hand content on. */
async function turn(query: string): Promise<void> {
  const base = { query, context: { expected_sql: 'SELECT 1' }, mode: 'train' as const };
  const schema_analysis = await domain.agents.schema_analyzer({ ...base, depth: 3 }, ctx);
  const generation = await domain.agents.query_generator({ ...base, schema_analysis, attempt: 0, num_candidates: 1 }, ctx);
  if (isRefusal(generation)) return;
  const validation = await domain.agents.validator({ ...base, sql: generation.sql, schema_analysis, strict_mode: false }, ctx);
  await domain.agents.reward_evaluator({ ...base, sql: generation.sql, reasoning: generation.reasoning ?? '', validation, expected_sql: 'SELECT 1' }, ctx);
}

describe('questions made of Object.prototype member names', () => {
  it('"which constructor projects are active" is analyzed, not thrown', async () => {
    await expect(turn('which constructor projects are active')).resolves.toBeUndefined();
  });

  it('never make any agent throw', async () => {
    await fc.assert(fc.asyncProperty(question, async (q) => {
      await turn(q);
      domain.extractEntities(q);
    }), { numRuns: 60 });
  });

  it('never make the validator throw when they name tables, columns, aliases or functions', async () => {
    const sql = fc.tuple(fc.constantFrom(...PROTOTYPE_WORDS), fc.constantFrom(...PROTOTYPE_WORDS)).chain(([a, b]) => fc.constantFrom(
      `SELECT ${a} FROM ${b}`,
      `SELECT "${a}" FROM "${b}"`,
      `SELECT p.${a} AS ${b} FROM PAC_MNT_PROJECTS p`,
      `SELECT ${a}(1)`,
      `SELECT * FROM PAC_MNT_PROJECTS ${a} JOIN SRM_COMPANIES ${b} ON true`,
      `WITH ${a} AS (SELECT 1 AS ${b}) SELECT ${b} FROM ${a}`,
    ));
    await fc.assert(fc.asyncProperty(sql, async (s) => {
      const validation = await domain.agents.validator({ query: 'q', context: {}, mode: 'generate', sql: s, schema_analysis: { relevant_tables: [] }, strict_mode: true }, ctx);
      expect(typeof validation.is_valid).toBe('boolean');
    }), { numRuns: 60 });
  });
});

describe('a schema whose names are Object.prototype member names', () => {
  it('is catalogued, seeded and queried without touching Object.prototype', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-rl-proto-'));
    const file = join(dir, 'schema.sql');
    writeFileSync(file, [
      'CREATE TABLE constructor (id integer PRIMARY KEY, __proto__ text, constructor_type text, status text);',
      'CREATE TABLE __proto__ (id integer PRIMARY KEY, constructor_id integer REFERENCES constructor(id), constructor text, __proto__ numeric(10,2));',
    ].join('\n'));
    const custom = await createDomain({ schema_file: file, seeds: [1] });
    try {
      for (const q of ['list constructor __proto__', 'count __proto__ by constructor', 'total __proto__ of each constructor by status']) {
        const schema_analysis = await custom.agents.schema_analyzer({ query: q, context: {}, mode: 'generate', depth: 3 }, ctx);
        const generation = await custom.agents.query_generator({ query: q, context: {}, mode: 'generate', schema_analysis, attempt: 0, num_candidates: 1 }, ctx);
        if (!isRefusal(generation)) await custom.agents.validator({ query: q, context: {}, mode: 'generate', sql: generation.sql, schema_analysis, strict_mode: false }, ctx);
      }
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual([...PROTOTYPE_WORDS].sort());
      expect(typeof ({} as Record<string, unknown>).valueOf).toBe('function');
    } finally {
      await custom.close();
    }
  });
});
