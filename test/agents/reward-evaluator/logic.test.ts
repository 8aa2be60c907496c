import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlFacts } from '../../../src/agents/reward-evaluator/facts.js';
import {
  DEFAULT_WEIGHTS,
  REWARD_COMPONENTS,
  grpoAdvantages,
  resolveWeights,
  scoreAccuracy,
  scoreBusinessLogic,
  scoreCandidate,
  scorePerformance,
  scoreReasoning,
  scoreSchema,
  scoreSyntax,
  type ScoreInput,
} from '../../../src/agents/reward-evaluator/logic.js';
import type { ExecutionMatch } from '../../../src/db/match.js';
import { AppError } from '../../../src/errors.js';
import { loadParser } from '../../../src/sql/parser.js';
import { GOOD_REASONING, validation } from './helpers.js';

beforeAll(() => loadParser());

const SQL = "SELECT Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Status = 'Active'";
const facts = (sql: string) => sqlFacts(sql);

const match = (m: Partial<ExecutionMatch>): ExecutionMatch => ({
  exact: false, same_results: false, partial: false, per_database: [{ database: 'seed 1', match: false, partial: false, reason: 'differs' }], ...m,
});

describe('weights', () => {
  it('defaults are the issue\'s and sum to 1', () => {
    expect(resolveWeights()).toEqual(DEFAULT_WEIGHTS);
    expect(Object.values(DEFAULT_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('normalizes weights that do not sum to 1, keeping their proportions', () => {
    const w = resolveWeights({ syntax: 1, schema: 1, business_logic: 1, performance: 1, reasoning: 1, accuracy: 5 });
    expect(w.accuracy).toBeCloseTo(0.5, 12);
    expect(w.syntax).toBeCloseTo(0.1, 12);
    const partial = resolveWeights({ accuracy: 0.6 });
    expect(Object.values(partial).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(partial.accuracy / partial.schema).toBeCloseTo(0.6 / 0.25, 12);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ syntax: -0.1 }, 'reward_weights.syntax'],
    [{ schema: Number.NaN }, 'reward_weights.schema'],
    [{ reasoning: '0.1' }, 'reward_weights.reasoning'],
    [{ speed: 0.1 }, 'reward_weights.speed'],
    [null as unknown as Record<string, unknown>, 'reward_weights'],
    [{ syntax: 0, schema: 0, business_logic: 0, performance: 0, reasoning: 0, accuracy: 0 }, 'reward_weights'],
  ])('rejects %j naming %s', (weights, field) => {
    try {
      resolveWeights(weights);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('INVALID_CONFIG');
      expect((err as AppError).details.field).toBe(field);
      expect((err as AppError).message).toContain(field);
    }
  });
});

describe('syntax tiers', () => {
  it.each<[string, Parameters<typeof validation>[0], number]>([
    ['valid', {}, 1],
    ['one warning', { syntax_warnings: ['implicit cross join'] }, 0.7],
    ['three warnings', { syntax_warnings: ['a', 'b', 'c'] }, 0.3],
    ['parses with errors', { syntax_errors: ['YEAR() is MySQL'] }, 0.3],
    ['does not parse', { syntax_valid: false, syntax_errors: ['syntax error at or near "FORM"'] }, 0],
  ])('%s → %d', (_l, details, score) => {
    expect(scoreSyntax(validation(details)).score).toBe(score);
  });
});

describe('schema tiers', () => {
  const expected = () => facts(SQL);

  it('perfect: no error, and with an expected SQL the same tables and columns', () => {
    expect(scoreSchema(validation(), facts(SQL), undefined)).toMatchObject({ score: 1, level: 'perfect' });
    expect(scoreSchema(validation(), facts("select p.project_name, p.budget from pac_mnt_projects p where p.status = 'Completed'"), expected()))
      .toMatchObject({ score: 1, level: 'perfect' });
  });

  it('right tables: the expected tables with other columns', () => {
    const t = scoreSchema(validation(), facts('SELECT Project_Name FROM PAC_MNT_PROJECTS'), expected());
    expect(t).toMatchObject({ score: 0.8, level: 'right_tables' });
    expect(t.message).toMatch(/budget/);
  });

  it('a star covers the expected columns, not extra ones', () => {
    expect(scoreSchema(validation(), facts("SELECT * FROM PAC_MNT_PROJECTS WHERE Status = 'Active'"), expected()).score).toBe(1);
    expect(scoreSchema(validation(), facts('SELECT *, Revenue FROM PAC_MNT_PROJECTS'), expected()).score).toBe(0.8);
  });

  it('right tables without an expected SQL when the schema layer warns', () => {
    const v = validation({}, [{ layer: 'schema', severity: 'warning', message: 'join not along a foreign key' }]);
    expect(scoreSchema(v, facts(SQL), undefined).score).toBe(0.8);
  });

  it('valid columns: no schema error but other tables than expected', () => {
    const v = validation({ tables_used: ['PAC_MNT_PROJECTS', 'PROJSTAFF'] });
    const t = scoreSchema(v, facts('SELECT 1'), expected());
    expect(t).toMatchObject({ score: 0.6, level: 'valid_columns' });
    expect(t.message).toMatch(/projstaff/);
  });

  it('partial: some references do not exist', () => {
    const v = validation({ schema_compliant: false, schema_errors: ['column "Budgt" does not exist'] });
    expect(scoreSchema(v, facts(SQL), expected())).toMatchObject({ score: 0.4, level: 'partial' });
  });

  it('none: nothing resolves, or no table at all', () => {
    const v = validation({ schema_compliant: false, tables_used: ['projects'], columns_referenced: ['name'], schema_errors: ['table "projects" does not exist', 'column "name" does not exist'] });
    expect(scoreSchema(v, facts(SQL), undefined).score).toBe(0);
    expect(scoreSchema(validation({ tables_used: [], columns_referenced: [] }), facts('SELECT 1'), undefined).score).toBe(0);
  });
});

describe('business logic tiers', () => {
  it.each<[string, Parameters<typeof validation>[0], number, string]>([
    ['all rules', {}, 1, 'all_rules'],
    ['a warning', { business_warnings: ['no date bound'] }, 0.7, 'minor'],
    ['a violation', { business_violations: ["Status 'Running' is not one of Active, Completed"] }, 0.3, 'major'],
    ['two violations', { business_violations: ['a', 'b'] }, 0, 'critical'],
  ])('%s → %d', (_l, details, score, level) => {
    expect(scoreBusinessLogic(validation(details))).toMatchObject({ score, level });
  });
});

describe('performance tiers', () => {
  it.each<[string, Parameters<typeof validation>[0], number]>([
    ['no issue', {}, 1],
    ['one issue', { performance_issues: ['SELECT without WHERE or LIMIT'] }, 0.7],
    ['two issues', { performance_issues: ['a', 'b'] }, 0.4],
    ['three or more', { performance_issues: ['a', 'b', 'c', 'd'] }, 0.1],
    ['unacceptable without a listed issue', { performance_acceptable: false }, 0.4],
  ])('%s → %d', (_l, details, score) => {
    expect(scorePerformance(validation(details), facts(SQL), undefined).score).toBe(score);
  });

  it('a query far more complex than the expected one loses a tier', () => {
    const heavy = facts(`SELECT p.Project_Name FROM PAC_MNT_PROJECTS p JOIN PROJSTAFF s ON s.Project_Code = p.Project_Code
      JOIN PAC_MNT_RESOURCES r ON r.Resource_Code = s.Resource_Code WHERE p.Project_Code IN (SELECT Project_Code FROM PROJCNTRTS)`);
    expect(scorePerformance(validation(), heavy, facts(SQL)).score).toBe(0.7);
    expect(scorePerformance(validation(), heavy, heavy).score).toBe(1);
  });

  it('plan cost past 2× and 10× the expected query\'s loses one and two tiers', () => {
    const at = (predicted: number) => scorePerformance(validation(), facts(SQL), facts(SQL), { predicted, expected: 10 }).score;
    expect(at(15)).toBe(1);
    expect(at(50)).toBe(0.7);
    expect(at(500)).toBe(0.4);
  });
});

describe('reasoning tiers', () => {
  const f = () => facts(SQL);
  it('complete: numbered steps naming tables, the filter and columns', () => {
    expect(scoreReasoning(GOOD_REASONING, f())).toMatchObject({ score: 1, level: 'complete' });
  });
  it('partial: prose naming the table and columns, no steps, no filter', () => {
    expect(scoreReasoning('<think>Use PAC_MNT_PROJECTS and return project_name.</think>', f())).toMatchObject({ score: 0.6, level: 'partial' });
  });
  it('minimal: text that explains nothing of this query', () => {
    const t = scoreReasoning('<think>I think this is right.</think>', f());
    expect(t).toMatchObject({ score: 0.3, level: 'minimal' });
    expect(t.suggestions.length).toBeGreaterThan(0);
  });
  it('none: empty or empty think tags', () => {
    expect(scoreReasoning('', f()).score).toBe(0);
    expect(scoreReasoning('<think>  </think>', f()).score).toBe(0);
  });
  it('a join must be explained when the SQL joins', () => {
    const joined = facts('SELECT c.Company_Name, p.Project_Name FROM SRM_COMPANIES c JOIN SRM_PROJECTS p ON p.Company_ID = c.Company_ID');
    const text = '<think>\n1. Use SRM_COMPANIES and SRM_PROJECTS.\n2. Return Company_Name and Project_Name.\n</think>';
    expect(scoreReasoning(text, joined).score).toBe(0.6);
    expect(scoreReasoning(text.replace('2.', '2. Join on Company_ID.\n3.'), joined).score).toBe(1);
  });
});

describe('accuracy tiers', () => {
  it.each<[string, ExecutionMatch, number | undefined]>([
    ['exact', match({ exact: true, same_results: true, partial: true }), 1],
    ['same results', match({ same_results: true, partial: true }), 0.8],
    ['partial overlap', match({ partial: true }), 0.5],
    ['none', match({}), 0],
    ['predicted fails', match({ error: { side: 'predicted', message: 'column "x" does not exist' } }), 0],
    ['gold fails: not scored', match({ error: { side: 'gold', message: 'boom' } }), undefined],
  ])('%s', (_l, m, score) => {
    expect(scoreAccuracy({ kind: 'matched', match: m })?.score).toBe(score);
  });
  it('unsafe scores 0, no expected SQL is not scored', () => {
    expect(scoreAccuracy({ kind: 'not_run', reason: 'DELETE' })?.score).toBe(0);
    expect(scoreAccuracy({ kind: 'no_expected' })).toBeUndefined();
  });
});

describe('total reward', () => {
  const input = (over: Partial<ScoreInput> = {}): ScoreInput => ({
    validation: validation(),
    reasoning: GOOD_REASONING,
    predicted: facts(SQL),
    expected: facts(SQL),
    readOnly: true,
    accuracy: { kind: 'matched', match: match({ exact: true, same_results: true, partial: true }) },
    ...over,
  });
  const weights = resolveWeights();

  it('every component 1 → 1.0 (bonus capped)', () => {
    const s = scoreCandidate(input(), weights);
    expect(s.total_reward).toBe(1);
    expect(s.multiplier).toBe(1.1);
    expect(Object.values(s.rewards)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('excellence bonus ×1.1 when every component is at least 0.8', () => {
    const s = scoreCandidate(input({ accuracy: { kind: 'matched', match: match({ same_results: true, partial: true }) } }), weights);
    // 0.9 × 1 + 0.1 × 0.8 = 0.98, × 1.1 → capped at 1; with schema at 0.8 as well:
    expect(s.total_reward).toBe(1);
    const v = validation({ business_warnings: ['w'] });
    const t = scoreCandidate(input({ validation: v, accuracy: { kind: 'matched', match: match({ same_results: true, partial: true }) } }), weights);
    // business 0.7 < 0.8: no bonus. 0.2 + 0.25 + 0.2×0.7 + 0.15 + 0.1 + 0.1×0.8 = 0.92
    expect(t.multiplier).toBe(1);
    expect(t.total_reward).toBeCloseTo(0.92, 4);
    const w = resolveWeights({ accuracy: 1 });
    const u = scoreCandidate(input({ accuracy: { kind: 'matched', match: match({ same_results: true, partial: true }) } }), w);
    // weights sum 1.9: (0.9 + 0.8) / 1.9 = 0.8947…, × 1.1 = 0.9842
    expect(u.multiplier).toBe(1.1);
    expect(u.total_reward).toBeCloseTo((1.7 / 1.9) * 1.1, 4);
  });

  it('failure penalty ×0.9 when any component is 0', () => {
    const s = scoreCandidate(input({ accuracy: { kind: 'matched', match: match({}) } }), weights);
    expect(s.multiplier).toBe(0.9);
    expect(s.total_reward).toBeCloseTo(0.9 * 0.9, 4);
  });

  it('weights on accuracy alone, without expected_sql, leave nothing to score: total 0', () => {
    const s = scoreCandidate(input({ expected: undefined, accuracy: { kind: 'no_expected' } }),
      resolveWeights({ syntax: 0, schema: 0, business_logic: 0, performance: 0, reasoning: 0, accuracy: 1 }));
    expect(s.total_reward).toBe(0);
  });

  it('without expected_sql accuracy is left out, the weights renormalized, and feedback says so', () => {
    const s = scoreCandidate(input({ expected: undefined, accuracy: { kind: 'no_expected' } }), weights);
    expect(s.total_reward).toBe(1);
    expect(s.weights?.accuracy).toBe(0);
    expect(s.weights?.schema).toBeCloseTo(0.25 / 0.9, 4);
    const note = s.feedback.find((f) => f.component === 'accuracy');
    expect(note).toMatchObject({ level: 'not_scored' });
    expect(note?.message).toMatch(/no expected_sql.*renormalized/);
    const warned = scoreCandidate(input({ expected: undefined, accuracy: { kind: 'no_expected' }, validation: validation({ business_warnings: ['w'] }) }), weights);
    expect(warned.total_reward).toBeCloseTo((0.2 + 0.25 + 0.2 * 0.7 + 0.15 + 0.1) / 0.9, 4);
  });

  it('unsafe SQL scores 0 on every SQL component, whatever the validator said of the rest', () => {
    const v = validation({ security_passed: false, security_risks: ['DELETE modifies data'] });
    const s = scoreCandidate(input({ validation: v, readOnly: false, accuracy: { kind: 'not_run', reason: 'DELETE' } }), weights);
    expect(s.rewards).toMatchObject({ syntax: 0, schema: 0, business_logic: 0, performance: 0, accuracy: 0 });
    expect(s.total_reward).toBeLessThanOrEqual(0.1);
    expect(s.feedback.find((f) => f.component === 'syntax')?.message).toMatch(/DELETE/);
  });

  it('SQL that does not parse earns a low total', () => {
    const v = validation({ syntax_valid: false, syntax_errors: ['syntax error'], tables_used: [], columns_referenced: [] });
    const s = scoreCandidate(input({ validation: v, predicted: undefined, reasoning: '', accuracy: { kind: 'matched', match: match({ error: { side: 'predicted', message: 'syntax error' } }) } }), weights);
    expect(s.total_reward).toBe(0);
  });

  it('a minimal validator result ({is_valid, details: {}}) is scored from the parse, and the parser has the last word on syntax', () => {
    const minimal = { is_valid: true, details: {} } as unknown as ScoreInput['validation'];
    const s = scoreCandidate(input({ validation: minimal }), weights);
    expect(s.total_reward).toBe(1);
    const broken = scoreCandidate(input({ validation: minimal, predicted: undefined, accuracy: { kind: 'no_expected' } }), weights);
    expect(broken.rewards.syntax).toBe(0);
    expect(broken.rewards.schema).toBe(0);
  });

  it('feedback has one entry per component with score, level, message, suggestions', () => {
    const s = scoreCandidate(input({ validation: validation({ performance_issues: ['no LIMIT'], optimization_suggestions: ['add LIMIT'] }) }), weights);
    expect(s.feedback.map((f) => f.component)).toEqual([...REWARD_COMPONENTS]);
    expect(s.feedback.find((f) => f.component === 'performance')).toMatchObject({ score: 0.7, level: 'good', suggestions: ['add LIMIT'] });
  });

  it('the total is always in [0, 1]', () => {
    const list = fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 });
    fc.assert(fc.property(
      fc.record({
        syntax_valid: fc.boolean(), syntax_warnings: list, schema_errors: list, business_violations: list, business_warnings: list,
        performance_issues: list, performance_acceptable: fc.boolean(), security_passed: fc.boolean(),
      }),
      fc.constantFrom(match({ exact: true }), match({ same_results: true }), match({ partial: true }), match({})),
      fc.string({ maxLength: 40 }),
      (details, m, reasoning) => {
        const s = scoreCandidate(input({ validation: validation(details), reasoning, accuracy: { kind: 'matched', match: m } }), weights);
        expect(s.total_reward).toBeGreaterThanOrEqual(0);
        expect(s.total_reward).toBeLessThanOrEqual(1);
      }));
  });
});

describe('GRPO advantages', () => {
  // Totals are rounded to 4 decimals, as scoreCandidate returns them.
  const rewards = fc.array(fc.integer({ min: 0, max: 10_000 }).map((n) => n / 10_000), { minLength: 1, maxLength: 16 });

  it('sum to ~0 and rank the candidates as their rewards do', () => {
    fc.assert(fc.property(rewards, (rs) => {
      const a = grpoAdvantages(rs);
      expect(a).toHaveLength(rs.length);
      expect(Math.abs(a.reduce((s, x) => s + x, 0))).toBeLessThan(1e-6);
      for (let i = 0; i < rs.length; i++) {
        for (let j = 0; j < rs.length; j++) {
          if (rs[i] < rs[j]) expect(a[i]).toBeLessThan(a[j]);
          if (rs[i] === rs[j]) expect(a[i]).toBe(a[j]);
        }
      }
    }));
  });

  it('are (r − mean) / (std + 1e-8) with the population std', () => {
    const a = grpoAdvantages([1, 0.5, 0]);
    const std = Math.sqrt(((0.5) ** 2 + 0 + (0.5) ** 2) / 3);
    expect(a[0]).toBeCloseTo(0.5 / (std + 1e-8), 10);
    expect(a[1]).toBe(0);
    expect(grpoAdvantages([0.7, 0.7, 0.7])).toEqual([0, 0, 0]);
    expect(grpoAdvantages([])).toEqual([]);
  });
});
