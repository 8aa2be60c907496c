import { beforeAll, describe, expect, it } from 'vitest';
import { validateSql } from '../../../src/agents/validator/index.js';
import type { ValidatorDeps } from '../../../src/agents/validator/index.js';
import { loadParser } from '../../../src/sql/parser.js';
import { CORPUS } from './corpus.js';
import { glCatalog } from './helpers.js';

let deps: ValidatorDeps;

beforeAll(async () => {
  await loadParser();
  deps = { catalog: glCatalog() };
});

describe('the corpus of broken and unsafe queries', () => {
  it('holds at least 100 cases', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(100);
  });

  it.each(CORPUS.map((c) => [c.sql, c] as const))('flags %s', async (_sql, c) => {
    const result = await validateSql(c.sql, deps, { strict: c.warning === true });
    expect(result.is_valid).toBe(false);
    const severity = c.warning ? 'warning' : 'error';
    const flagged = result.issues.filter((i) => i.layer === c.layer && i.severity === severity);
    expect(flagged.map((i) => i.message), JSON.stringify(result.issues, null, 1)).not.toHaveLength(0);
    const text = flagged.map((i) => `${i.message} ${i.suggestion ?? ''}`).join('\n').toLowerCase();
    expect(text).toContain(c.fragment.toLowerCase());
    if (c.injection) expect(result.details.injection_detected).toBe(true);
    if (c.warning) {
      const lenient = await validateSql(c.sql, deps);
      expect(lenient.issues.filter((i) => i.severity === 'error')).toEqual([]);
    }
  });
});
