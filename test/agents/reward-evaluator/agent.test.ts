import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRewardEvaluator, type RewardDatabase, type RewardEvaluatorDeps } from '../../../src/agents/reward-evaluator/agent.js';
import type { RewardInput, RewardResult } from '../../../src/agents/reward-evaluator/contract.js';
import { isRefusal } from '../../../src/agents/types.js';
import { validateSql } from '../../../src/agents/validator/validate.js';
import { closeAll, type SampleDatabase } from '../../../src/db/database.js';
import { AppError } from '../../../src/errors.js';
import type { Catalog } from '../../../src/schema/types.js';
import { GOOD_REASONING, openRecordedSuite } from './helpers.js';

/** The test suite the accuracy runs on: two seeded sample databases, SQL they were sent recorded. */
let suite: SampleDatabase[];
let databases: RewardDatabase[];
let catalog: Catalog;
let sent: string[];

beforeAll(async () => {
  ({ suite, databases, catalog, sent } = await openRecordedSuite());
});

afterAll(() => closeAll(suite));

/** The real validator, planning on the first database. */
const validate = (sql: string, signal?: AbortSignal) =>
  validateSql(sql, { catalog, explain: (text, s) => suite[0].explain(text, { signal: s }) }, { signal });

const ctx = () => ({ signal: new AbortController().signal, session: { session_id: 's', turn: 1 } });

function evaluator(over: Partial<RewardEvaluatorDeps> = {}) {
  return createRewardEvaluator({ validate, databases, ...over });
}

async function reward(sql: string, expected_sql: string | undefined, extra: Partial<RewardInput> = {}, agent = evaluator()): Promise<RewardResult> {
  const out = await agent({
    query: 'q', context: {}, mode: 'train', sql, reasoning: GOOD_REASONING, validation: await validate(sql),
    ...(expected_sql !== undefined ? { expected_sql } : {}), ...extra,
  }, ctx());
  if (isRefusal(out)) throw new Error('unexpected refusal');
  return out;
}

const ACTIVE_BIG = "SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Status = 'Active' AND Budget > 100000";

describe('accuracy by execution on the test-suite databases', () => {
  it('the same SQL written differently is exact', async () => {
    const r = await reward("select project_code, project_name, budget\nfrom pac_mnt_projects\nwhere status = 'Active' and budget > 100000;", ACTIVE_BIG);
    expect(r.rewards.accuracy).toBe(1);
  });

  it('an equivalent rewrite (aliases, column order, ORDER BY) has the same results', async () => {
    const r = await reward(
      "SELECT p.Budget AS b, p.Project_Name AS name, p.Project_Code FROM PAC_MNT_PROJECTS p WHERE p.Budget > 100000.00 AND p.Status IN ('Active') ORDER BY p.Budget DESC",
      ACTIVE_BIG);
    expect(r.rewards.accuracy).toBe(0.8);
    expect(r.feedback.find((f) => f.component === 'accuracy')?.level).toBe('same_results');
  });

  it.each([
    ['a wrong filter value', "SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Status = 'Completed' AND Budget > 100000", 0],
    ['a missing condition', "SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Status = 'Active'", 0.5],
    ['a wrong comparison', "SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Status = 'Active' AND Budget < 100000", 0],
  ])('%s scores clearly lower accuracy than the correct SQL', async (_label, sql, accuracy) => {
    const right = await reward(ACTIVE_BIG, ACTIVE_BIG);
    const wrong = await reward(sql, ACTIVE_BIG);
    expect(wrong.rewards.accuracy).toBe(accuracy);
    expect(right.rewards.accuracy - wrong.rewards.accuracy).toBeGreaterThanOrEqual(0.5);
    expect(wrong.total_reward).toBeLessThan(right.total_reward);
  });

  it('a wrong join scores clearly lower than the right join', async () => {
    const gold = 'SELECT c.Company_Name, ct.Contract_Number, ct.Contract_Value FROM SRM_COMPANIES c JOIN PROJCNTRTS ct ON ct.Company_Code = c.Company_Code';
    const right = await reward('SELECT ct.Contract_Value, c.Company_Name, ct.Contract_Number FROM PROJCNTRTS ct INNER JOIN SRM_COMPANIES c USING (Company_Code)', gold);
    const wrong = await reward('SELECT c.Company_Name, ct.Contract_Number, ct.Contract_Value FROM SRM_COMPANIES c JOIN PROJCNTRTS ct ON ct.Contract_ID = c.Company_ID', gold);
    expect(right.rewards.accuracy).toBe(0.8);
    expect(wrong.rewards.accuracy).toBeLessThanOrEqual(0.5);
    expect(wrong.feedback.find((f) => f.component === 'accuracy')?.message).toMatch(/seed/);
  });

  it('invalid SQL earns a low total', async () => {
    const r = await reward("SELEC Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'Active'", ACTIVE_BIG, { reasoning: '' });
    expect(r.rewards.syntax).toBe(0);
    expect(r.feedback.find((f) => f.component === 'syntax')?.level).toBe('invalid');
    expect(r.rewards.accuracy).toBe(0);
    expect(r.feedback.find((f) => f.component === 'accuracy')?.message).toMatch(/does not parse/);
    expect(r.total_reward).toBeLessThan(0.1);
  });

  it('unsafe SQL scores 0 accuracy with feedback and never reaches a database', async () => {
    const count = async () => (await suite[0].query('SELECT count(*) FROM PAC_MNT_PROJECTS')).rows[0][0];
    const before = await count();
    sent.length = 0;
    const r = await reward('DELETE FROM PAC_MNT_PROJECTS', ACTIVE_BIG);
    expect(r.rewards.accuracy).toBe(0);
    expect(r.total_reward).toBeLessThanOrEqual(0.1);
    expect(r.feedback.find((f) => f.component === 'accuracy')?.message).toMatch(/not executed/);
    expect(sent.some((s) => /delete/i.test(s))).toBe(false);
    expect(await count()).toBe(before);
  });

  it('an expected SQL that fails leaves accuracy out and says why', async () => {
    const r = await reward(ACTIVE_BIG, 'SELECT Nope FROM PAC_MNT_PROJECTS');
    const note = r.feedback.find((f) => f.component === 'accuracy');
    expect(note?.level).toBe('not_scored');
    expect(note?.message).toMatch(/expected_sql failed/);
    expect(r.weights?.accuracy).toBe(0);
  });
});

describe('train mode without expected_sql', () => {
  it('scores everything but accuracy and says so in feedback', async () => {
    const r = await reward(ACTIVE_BIG, undefined);
    expect(r.weights?.accuracy).toBe(0);
    expect(r.feedback.find((f) => f.component === 'accuracy')?.message).toMatch(/no expected_sql/);
    expect(r.total_reward).toBe(1);
  });

  it('reads expected_sql from the request context too', async () => {
    const r = await reward("SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Status = 'Completed'", undefined, { context: { expected_sql: ACTIVE_BIG } });
    expect(r.weights?.accuracy).toBeGreaterThan(0);
    expect(r.rewards.accuracy).toBe(0);
  });
});

describe('groups of candidates', () => {
  const candidates = [
    { sql: "SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Status = 'Active'", reasoning: GOOD_REASONING },
    { sql: "SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Status = 'Completed' AND Budget > 100000", reasoning: GOOD_REASONING },
    { sql: 'SELEC 1' },
  ];

  it('returns per-candidate rewards and advantages in group order, ranked as the rewards', async () => {
    const r = await reward(ACTIVE_BIG, ACTIVE_BIG, { candidates });
    expect(r.candidate_rewards).toHaveLength(4);
    expect(r.advantages).toHaveLength(4);
    expect(r.candidates?.map((c) => c.sql)).toEqual([ACTIVE_BIG, ...candidates.map((c) => c.sql)]);
    const totals = r.candidate_rewards as number[];
    expect(totals[0]).toBe(r.total_reward);
    expect(totals[0]).toBeGreaterThan(totals[1]);
    expect(totals[1]).toBeGreaterThan(totals[2]);
    expect(totals[2]).toBeGreaterThan(totals[3]);
    const adv = r.advantages as number[];
    expect(adv[0]).toBeGreaterThan(adv[1]);
    expect(adv[1]).toBeGreaterThan(adv[2]);
    expect(adv[2]).toBeGreaterThan(adv[3]);
    expect(Math.abs(adv.reduce((a, b) => a + b, 0))).toBeLessThan(1e-6);
    expect(r.candidates?.[3].is_valid).toBe(false);
  });

  it('runs the expected SQL once per group and reports the cache on the next request', async () => {
    const agent = evaluator();
    const gold = "SELECT Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'On Hold'";
    sent.length = 0;
    const first = await reward(ACTIVE_BIG, gold, { candidates }, agent);
    expect(sent.filter((s) => s === gold)).toHaveLength(databases.length);
    expect(first.metadata.cache_hit).toBe(false);
    const second = await reward(ACTIVE_BIG, gold, {}, agent);
    expect(second.metadata.cache_hit).toBe(true);
    expect(sent.filter((s) => s === gold)).toHaveLength(databases.length);
    const uncached = evaluator({ cacheTtl: 0 });
    await reward(ACTIVE_BIG, gold, {}, uncached);
    expect((await reward(ACTIVE_BIG, gold, {}, uncached)).metadata.cache_hit).toBe(false);
    expect(first.metadata.evaluation_time).toBeGreaterThan(0);
  });

  it('validates every other candidate with deps.validate', async () => {
    const seen: string[] = [];
    const agent = evaluator({ validate: (sql, signal) => { seen.push(sql); return validate(sql, signal); } });
    await reward(ACTIVE_BIG, ACTIVE_BIG, { candidates }, agent);
    expect(seen).toEqual(candidates.map((c) => c.sql));
  });
});

describe('the agent wrapper', () => {
  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const agent = evaluator();
    await expect(agent({
      query: 'q', context: {}, mode: 'train', sql: ACTIVE_BIG, reasoning: '', validation: await validate(ACTIVE_BIG), expected_sql: ACTIVE_BIG,
    }, { signal: controller.signal, session: { session_id: 's', turn: 1 } })).rejects.toThrow('cancelled');
  });

  it('a request aborted while the expected SQL runs does not fail another one waiting on that run', async () => {
    let calls = 0;
    let started!: () => void;
    const firstRunStarted = new Promise<void>((resolve) => { started = resolve; });
    const stalling: RewardDatabase = {
      seed: 9,
      async query(_sql, { signal } = {}) {
        // The first run (the expected SQL, for the request that will abort) hangs until its signal aborts.
        if (++calls === 1) {
          started();
          await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
        }
        return { columns: ['n'], rows: [[1]], truncated: false };
      },
    };
    const agent = evaluator({ databases: [stalling] });
    const input = { query: 'q', context: {}, mode: 'train' as const, sql: ACTIVE_BIG, reasoning: '', validation: await validate(ACTIVE_BIG), expected_sql: ACTIVE_BIG };
    const first = new AbortController();
    const aborted = agent(input, { signal: first.signal, session: { session_id: 'a', turn: 1 } });
    await firstRunStarted;
    const waiting = agent(input, ctx());
    await new Promise((resolve) => setImmediate(resolve));
    first.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    const r = await waiting;
    expect(isRefusal(r) ? undefined : r.rewards.accuracy).toBe(1);
    expect(isRefusal(r) ? undefined : r.metadata.cache_hit).toBe(true);
  });

  it('rejects invalid weights at creation, naming the key', () => {
    expect(() => evaluator({ weights: { accuracy: -1 } })).toThrow(AppError);
    expect(() => evaluator({ weights: { accuracy: -1 } })).toThrow(/reward_weights\.accuracy/);
  });

  it('rejects malformed input naming the field', async () => {
    const agent = evaluator();
    await expect(agent({ query: 'q', context: {}, mode: 'train', sql: ACTIVE_BIG, reasoning: '' } as unknown as RewardInput, ctx()))
      .rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'validation' } });
    await expect(agent({
      query: 'q', context: {}, mode: 'train', sql: ACTIVE_BIG, reasoning: '', validation: await validate(ACTIVE_BIG), candidates: [{}],
    } as unknown as RewardInput, ctx())).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'candidates[0].sql' } });
  });

  it('uses plan costs when the database layer offers them', async () => {
    const agent = evaluator({ planCost: async (sql) => (sql === ACTIVE_BIG ? 10 : 1000) });
    const r = await reward("SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Budget > 100000 AND Status = 'Active'", ACTIVE_BIG, {}, agent);
    expect(r.rewards.performance).toBe(0.4);
    const failing = evaluator({ planCost: async () => { throw new Error('no planner'); } });
    expect((await reward(ACTIVE_BIG, ACTIVE_BIG, {}, failing)).rewards.performance).toBe(1);
  });

  it('takes a member\'s cost from the plan its validation carries, planning only what has none', async () => {
    const planned: string[] = [];
    const counting = databases.map((db) => ({ ...db, explain: (sql: string, options?: { signal?: AbortSignal }) => (planned.push(sql), db.explain!(sql, options)) }));
    const agent = evaluator({ databases: counting });
    const sql = "SELECT Project_Code, Project_Name, Budget FROM PAC_MNT_PROJECTS WHERE Budget > 100000 AND Status = 'Active'";
    const validation = await validate(sql);
    expect(validation.metadata.plan?.total_cost).toBeGreaterThan(0);
    // A plan 100 times the expected one's: the cost came from the validation, not from a new EXPLAIN.
    const expectedCost = (await suite[0].explain(ACTIVE_BIG) as any)[0].Plan['Total Cost'];
    const costly = { ...validation, metadata: { ...validation.metadata, plan: { total_cost: expectedCost * 100, estimated_rows: 1 } } };
    const r = await reward(sql, ACTIVE_BIG, { validation: costly }, agent);
    expect(planned).toEqual([ACTIVE_BIG]);
    expect(r.rewards.performance).toBeLessThan(1);
    const honest = await reward(sql, ACTIVE_BIG, {}, agent);
    expect(honest.rewards.performance).toBe(1);
  });
});
