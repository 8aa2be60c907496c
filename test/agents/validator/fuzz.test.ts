import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateSql, type ValidationResult, type ValidatorDeps } from '../../../src/agents/validator/index.js';
import { tokenize } from '../../../src/agents/validator/rewrites.js';
import { loadParser } from '../../../src/sql/parser.js';
import { checkReadOnly, statementTypes } from '../../../src/sql/safety.js';
import { glCatalog, goldSql } from './helpers.js';

let deps: ValidatorDeps;
const golds = goldSql();

beforeAll(async () => {
  await loadParser();
  deps = { catalog: glCatalog(), explain: async () => [{ Plan: { 'Total Cost': 1, 'Plan Rows': 1 } }] };
});

/** The invariants: a well-formed result, no layer failing internally, and "valid" only for one read-only statement. */
function checkInvariants(sql: string, r: ValidationResult): void {
  expect(typeof r.is_valid).toBe('boolean');
  expect(r.confidence).toBeGreaterThanOrEqual(0);
  expect(r.confidence).toBeLessThanOrEqual(1);
  expect(r.validated_sql).toBe(sql);
  for (const issue of r.issues) {
    expect(issue.message).not.toContain('failed internally');
    if (issue.position !== undefined) {
      expect(issue.position).toBeGreaterThanOrEqual(0);
      expect(issue.position).toBeLessThanOrEqual(sql.length);
    }
  }
  if (r.is_valid) {
    const gate = checkReadOnly(sql);
    expect(gate.ok, sql).toBe(true);
    if (gate.ok) expect(statementTypes(gate.tree)).toEqual(['SelectStmt']);
    expect(r.details.security_passed).toBe(true);
    expect(r.details.injection_detected).toBe(false);
  }
}

const INSERTIONS = [
  ';', '--', '/*', '*/', "'", '"', '(', ')', ',', 'DELETE', 'DROP TABLE PAC_MNT_PROJECTS', 'INSERT INTO PROJSTAFF VALUES (1)',
  'UPDATE PAC_MNT_PROJECTS SET Budget = 0', 'TRUNCATE PROJSTAFF', 'OR 1=1', 'UNION SELECT usename FROM pg_shadow',
  'INTO backup', 'FOR UPDATE', '; SELECT pg_sleep(5)', 'pg_sleep(1)', "lo_import('/etc/passwd')", 'SET', 'BEGIN', 'COPY', 'GRANT',
];

type Mutation = { kind: 'delete' | 'duplicate'; at: number } | { kind: 'insert'; at: number; text: string };

const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...INSERTIONS) }),
);

/** Applies token-level mutations: the pieces are the tokens with the text between them. */
function mutate(sql: string, mutations: Mutation[]): string {
  const tokens = tokenize(sql) ?? [];
  let pieces = tokens.map((t, i) => sql.slice(t.start, tokens[i + 1]?.start ?? sql.length));
  for (const m of mutations) {
    if (pieces.length === 0) pieces = [''];
    const at = m.at % pieces.length;
    if (m.kind === 'delete') pieces = pieces.filter((_, i) => i !== at);
    else if (m.kind === 'duplicate') pieces.splice(at, 0, pieces[at]);
    else if (m.kind === 'insert') pieces.splice(at, 0, ` ${m.text} `);
  }
  return pieces.join('');
}

describe('the validator under random input', () => {
  it('never crashes on random text and passes only single read-only statements', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'grapheme', maxLength: 60 })), async (sql) => {
        checkInvariants(sql, await validateSql(sql, deps));
      }),
      { numRuns: 400 },
    );
  });

  it('never crashes on mutated gold SQL and passes only single read-only statements', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...golds), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (gold, mutations) => {
        const sql = mutate(gold, mutations);
        checkInvariants(sql, await validateSql(sql, deps));
      }),
      { numRuns: 600 },
    );
  });

  it('rejects every mutation that adds a statement, a write or a forbidden call', async () => {
    // Phrases that, wherever they land between two tokens, either break the parse or add something the
    // gate refuses (bare keywords are left out: DELETE alone can be a column alias or a type name).
    const hostile = [
      'DROP TABLE PAC_MNT_PROJECTS', 'INSERT INTO PROJSTAFF VALUES (1)', 'UPDATE PAC_MNT_PROJECTS SET Budget = 0', 'TRUNCATE PROJSTAFF',
      'UNION SELECT usename FROM pg_shadow', 'INTO backup', 'FOR UPDATE', '; SELECT pg_sleep(5)', 'pg_sleep(1)', "lo_import('/etc/passwd')",
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...golds), fc.nat(), fc.constantFrom(...hostile), async (gold, at, text) => {
        const sql = mutate(gold, [{ kind: 'insert', at, text }]);
        const r = await validateSql(sql, deps);
        checkInvariants(sql, r);
        expect(r.is_valid, sql).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
