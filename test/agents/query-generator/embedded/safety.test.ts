import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateEmbedded } from '../../../../src/agents/query-generator/embedded/generate.js';
import { buildLexicon, type Lexicon } from '../../../../src/agents/query-generator/embedded/lexicon.js';
import { literal } from '../../../../src/agents/query-generator/embedded/query.js';
import { loadCatalogFile } from '../../../../src/schema/catalog.js';
import { loadVocabulary } from '../../../../src/schema/vocabulary.js';
import { DEFAULT_SCHEMA_FILE } from '../../../../src/paths.js';
import { loadParser } from '../../../../src/sql/parser.js';
import { checkReadOnly } from '../../../../src/sql/safety.js';
import { screenRequest } from '../../../../src/orchestrator/screening.js';

const lines: Array<{ query: string; expect?: string }> = readFileSync(join(import.meta.dirname, '../../../fixtures/gl-dev.jsonl'), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l));

let lex: Lexicon;

beforeAll(async () => {
  await loadParser();
  lex = buildLexicon({ catalog: loadCatalogFile(DEFAULT_SCHEMA_FILE), vocabulary: loadVocabulary() });
});

/** As the orchestrator runs it: a write request is refused by the screening, anything else is generated from the screened question. */
function screenedGeneration(text: string, options: { numCandidates?: number } = {}) {
  const screening = screenRequest(text);
  if (screening.refusal) return screening;
  return generateEmbedded(screening.question, lex, undefined, { ...options, dropped: screening.dropped });
}

function expectSafeOrRefused(question: string): void {
  const out = screenedGeneration(question, { numCandidates: 3 });
  if ('refusal' in out) {
    expect(out.refusal!.error_code).toBe('WRITE_NOT_ALLOWED');
    return;
  }
  for (const c of [out, ...out.alternatives]) {
    expect(checkReadOnly(c.sql).ok, c.sql).toBe(true);
    expect(c.reasoning, 'the parser threw and the fallback answered').not.toContain('could not be parsed');
    expect(c.confidence).toBeGreaterThanOrEqual(0);
    expect(c.confidence).toBeLessThanOrEqual(1);
  }
}

describe('hostile text never reaches the SQL', () => {
  it.each(lines.filter((l) => l.expect === 'safe').map((l) => l.query))('dev: %s', (q) => {
    const out = screenedGeneration(q);
    if ('refusal' in out) throw new Error('a question with an appended instruction is answered, not refused');
    expect(checkReadOnly(out.sql).ok).toBe(true);
    expect(out.sql).not.toMatch(/DELETE|DROP|UPDATE/i);
    expect(out.confidence).toBeLessThan(0.9);
  });

  it.each([
    "Show companies named 'x'); DROP TABLE SRM_COMPANIES; --'",
    "Projects with 'System'' OR 1=1 --' in the name",
    'List contracts; TRUNCATE PROJCNTRTS',
    'Count projects /* */ ; GRANT ALL ON PAC_MNT_PROJECTS TO public',
    "Companies whose name contains ' UNION SELECT usename FROM pg_user --",
  ])('own: %s', (q) => expectSafeOrRefused(q));

  it('escapes quotes in literals by doubling them', () => {
    expect(literal("O'Brien")).toBe("'O''Brien'");
    const out = generateEmbedded("Companies with 'O''Brien' in the name", lex, undefined);
    expect(checkReadOnly(out.sql).ok).toBe(true);
  });
});

describe('any text', () => {
  it('never throws and gives a refusal or one read-only SELECT with confidence in [0,1]', () => {
    const words = fc.constantFrom('show', 'projects', 'count', 'per', 'department', 'budget', 'over', '100k', 'without', 'staff',
      'delete', ';', "'", '"', '--', 'top', '5', 'in', '2024', 'not', 'active', 'with', 'contracts', 'average', 'by', 'drop', 'null');
    const phrase = fc.array(fc.oneof(words, fc.string({ maxLength: 12 })), { maxLength: 14 }).map((ws) => ws.join(' '));
    fc.assert(fc.property(fc.oneof(phrase, fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 80 })), (q) => {
      expectSafeOrRefused(q);
    }), { numRuns: 1000 });
  });
});
