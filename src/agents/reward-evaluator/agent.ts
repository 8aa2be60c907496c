/**
 * The Reward Evaluator agent: gathers what the scoring needs (the validator's
 * result for every group member, the execution match against the expected SQL
 * on the test-suite databases, plan costs when available) and hands it to the
 * pure scoring in logic.ts. A group (the input SQL plus `candidates`) gets
 * GRPO advantages; the expected SQL runs once per group, and is cached.
 *
 * The expected SQL is the client's, so a failure it causes is the request's
 * own (marked `requestFault`, counted against no circuit breaker): SQL that
 * does not parse (SQL_PARSE_ERROR), is not one read-only statement free of
 * forbidden functions and system catalogs (UNSAFE_SQL, never sent to a
 * database), or runs past its time budget (QUERY_TIMEOUT). A group member
 * over the budget is stopped too, and scored as SQL that failed.
 */
import { AppError } from '../../errors.js';
import { executionMatch, runOnAll, type DatabaseRun, type ResultSource } from '../../db/match.js';
import { loadParser } from '../../sql/parser.js';
import { checkReadOnly } from '../../sql/safety.js';
import type { AgentFunction } from '../types.js';
import type { ValidationResult } from '../validator/contract.js';
import type { CandidateReward, RewardComponent, RewardInput, RewardResult } from './contract.js';
import { sqlFacts, type SqlFacts } from './facts.js';
import { GoldCache } from './gold-cache.js';
import { grpoAdvantages, resolveWeights, scoreCandidate, type AccuracyInput, type PlanCosts, type RewardWeights, type Score } from './logic.js';

/** A test-suite database; one that can also plan (as `SampleDatabase` can) gives the performance score a plan cost. */
export type RewardDatabase = ResultSource & {
  explain?(sql: string, options?: { signal?: AbortSignal }): Promise<unknown>;
};

/** The total cost of the top node of an `EXPLAIN (FORMAT JSON)` document. */
const DEFAULT_QUERY_TIMEOUT_MS = 2_000;

export function planTotalCost(plan: unknown): number | undefined {
  const cost = (Array.isArray(plan) ? plan[0] : undefined)?.Plan?.['Total Cost'];
  return typeof cost === 'number' && Number.isFinite(cost) ? cost : undefined;
}

export interface RewardEvaluatorDeps {
  /** Validates a group member other than the input SQL (whose validation comes with the input). */
  validate: (sql: string, signal?: AbortSignal) => Promise<ValidationResult>;
  /** The test-suite databases (several seeds of the sample data). */
  databases: readonly RewardDatabase[];
  /** Component weights over the defaults; normalized. Invalid weights throw INVALID_CONFIG. */
  weights?: Partial<Record<RewardComponent, number>>;
  /**
   * EXPLAIN total cost of a read-only SQL text. Default: the first database
   * that can explain, and for a member whose validation carries a plan, that
   * plan's cost (the validator plans on the same first database).
   */
  planCost?: (sql: string, signal?: AbortSignal) => Promise<number | undefined>;
  /** Seconds the expected SQL's results stay cached (default 3600; 0 disables). */
  cacheTtl?: number;
  /** Row cap per query on the test databases. */
  rowLimit?: number;
  /** Time budget of each statement on a test database, in ms (default 2,000); past it the statement is stopped. */
  queryTimeoutMs?: number;
  /** Accuracy by the strict match (same number of columns) instead of the relaxed one. */
  strict?: boolean;
}

interface Member {
  sql: string;
  reasoning: string;
  validation: ValidationResult;
}

interface Scoring {
  databases: readonly ResultSource[];
  rowLimit?: number;
  timeoutMs: number;
  strict?: boolean;
  weights: RewardWeights;
  cost?: (sql: string, signal: AbortSignal) => Promise<number | undefined>;
  /** A member's validation plan stands for its cost (no planCost of the caller's own). */
  validationPlans: boolean;
}

interface Expected {
  sql: string;
  facts: SqlFacts | undefined;
  /** The expected SQL's runs, fetched once for the group when a member needs them. */
  gold: () => Promise<DatabaseRun[]>;
  cost: Promise<number | undefined> | undefined;
}

export function createRewardEvaluator(deps: RewardEvaluatorDeps): AgentFunction<RewardInput, RewardResult> {
  const weights = resolveWeights(deps.weights);
  const cacheTtl = deps.cacheTtl ?? 3600;
  if (!Number.isFinite(cacheTtl) || cacheTtl < 0) {
    throw new AppError('INVALID_CONFIG', `cache_ttl must be a number >= 0, got ${cacheTtl}`, { field: 'cache_ttl', value: cacheTtl });
  }
  const cache = new GoldCache(cacheTtl);
  const planner = deps.databases.find((db) => db.explain !== undefined);
  const planCost = deps.planCost ?? (planner
    ? async (sql: string, signal?: AbortSignal) => planTotalCost(await planner.explain?.(sql, { signal }))
    : undefined);
  // A plan cost is a refinement of the performance score: without one the score stands on the validator's findings.
  const cost = planCost && ((sql: string, signal: AbortSignal) => planCost(sql, signal).catch(() => undefined));
  const timeoutMs = deps.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const scoring: Scoring = {
    databases: deps.databases, rowLimit: deps.rowLimit, timeoutMs, strict: deps.strict, weights, cost, validationPlans: deps.planCost === undefined,
  };

  return async (content, { signal }) => {
    const started = performance.now();
    checkInput(content);
    await loadParser();
    signal.throwIfAborted();

    const field = typeof content.expected_sql === 'string' && content.expected_sql.trim() !== '' ? 'expected_sql' : 'context.expected_sql';
    const expectedSql = [content.expected_sql, content.context?.expected_sql]
      .find((s): s is string => typeof s === 'string' && s.trim() !== '');
    let cacheHit = false;
    let expected: Expected | undefined;
    if (expectedSql !== undefined) {
      gateExpected(expectedSql, field);
      const run = () => runOnAll(deps.databases, expectedSql, { rowLimit: deps.rowLimit, timeoutMs, signal });
      const cached = cache.get(expectedSql, run);
      cacheHit = cached.hit;
      let shared: Promise<DatabaseRun[]> | undefined;
      // A cached run that another request aborted is not this request's failure: run it again.
      const gold = () => (shared ??= cached.runs.catch(() => {
        signal.throwIfAborted();
        return run();
      }));
      const expectedCost = cost ? cost(expectedSql, signal) : undefined;
      expected = { sql: expectedSql, facts: sqlFacts(expectedSql), gold, cost: expectedCost };
    }

    const others = await Promise.all((content.candidates ?? []).map(async (c): Promise<Member> => ({
      sql: c.sql,
      reasoning: c.reasoning ?? '',
      validation: await deps.validate(c.sql, signal),
    })));
    const members: Member[] = [{ sql: content.sql, reasoning: content.reasoning ?? '', validation: content.validation }, ...others];
    const scores = await Promise.all(members.map((m) => scoreMember(m, expected, scoring, signal)));
    signal.throwIfAborted();
    // Members whose SQL was unsafe never fetched the gold; the others shared one run of it.
    const timedOut = expected && scores.length > 0 ? (await expected.gold().catch(() => [])).find((r) => !r.ok && r.code === 'QUERY_TIMEOUT') : undefined;
    if (timedOut) {
      throw new AppError('QUERY_TIMEOUT', `${field} ran past its budget of ${timeoutMs} ms on the test databases and was stopped`, {
        field, timeout_ms: timeoutMs,
      }, { requestFault: true });
    }

    const [main] = scores;
    const result: RewardResult = {
      ...main,
      metadata: { evaluation_time: (performance.now() - started) / 1000, cache_hit: cacheHit },
    };
    if (others.length > 0) {
      const totals = scores.map((s) => s.total_reward);
      result.advantages = grpoAdvantages(totals);
      result.candidate_rewards = totals;
      result.candidates = members.map((m, i): CandidateReward => ({
        sql: m.sql,
        total_reward: scores[i].total_reward,
        rewards: scores[i].rewards,
        is_valid: m.validation.is_valid,
        feedback: scores[i].feedback.filter((f) => f.score < 1),
      }));
    }
    return result;
  };
}

async function scoreMember(
  member: Member,
  expected: Expected | undefined,
  scoring: Scoring,
  signal: AbortSignal,
): Promise<Score> {
  const safety = checkReadOnly(member.sql);
  let accuracy: AccuracyInput = { kind: 'no_expected' };
  let accuracyNote: string | undefined;
  const costs: PlanCosts = {};
  if (expected && !safety.ok) {
    const reason = safety.parseError ? `does not parse: ${safety.parseError.message}` : safety.violations.map((v) => v.message).join('; ');
    accuracy = { kind: 'not_run', reason };
  } else if (expected) {
    // The validator planned the member on the same database when it could: its cost is reused, not planned again.
    const planned = scoring.validationPlans ? member.validation.metadata?.plan?.total_cost : undefined;
    const plannedCosts = scoring.cost && expected.cost
      ? Promise.all([planned ?? scoring.cost(member.sql, signal), expected.cost])
      : undefined;
    // Gold and prediction run side by side: each database's queue takes both at once.
    const match = await executionMatch(scoring.databases, expected.sql, member.sql, {
      gold: expected.gold(), signal, rowLimit: scoring.rowLimit, timeoutMs: scoring.timeoutMs, strict: scoring.strict,
    });
    accuracy = { kind: 'matched', match };
    if (match.error?.side === 'gold') accuracyNote = `expected_sql failed on the test databases (${match.error.message})`;
    if (plannedCosts) [costs.predicted, costs.expected] = await plannedCosts;
  }
  return scoreCandidate({
    validation: member.validation,
    reasoning: member.reasoning,
    predicted: sqlFacts(member.sql),
    expected: expected?.facts,
    readOnly: safety.ok,
    accuracy,
    accuracyNote,
    costs,
  }, scoring.weights);
}

/** The client's expected SQL passes the gate any untrusted SQL passes, or the request fails naming it. */
function gateExpected(sql: string, field: string): void {
  const safety = checkReadOnly(sql);
  if (safety.ok) return;
  if (safety.parseError) {
    const { message, position, line, column } = safety.parseError;
    throw new AppError('SQL_PARSE_ERROR', `${field}: ${message}`, { field, position, line, column }, { requestFault: true });
  }
  throw new AppError('UNSAFE_SQL', `${field}: ${safety.violations.map((v) => v.message).join('; ')}`, {
    field, violations: safety.violations.map((v) => v.kind),
  }, { requestFault: true });
}

function checkInput(content: RewardInput): void {
  const bad = (field: string, what: string) => new AppError('INVALID_INPUT', `${field} ${what}`, { field });
  if (typeof content?.sql !== 'string') throw bad('sql', 'must be a string');
  if (content.reasoning !== undefined && typeof content.reasoning !== 'string') throw bad('reasoning', 'must be a string');
  if (typeof content.validation?.details !== 'object' || content.validation.details === null) {
    throw bad('validation', 'must be a validator result with details');
  }
  if (content.expected_sql !== undefined && typeof content.expected_sql !== 'string') throw bad('expected_sql', 'must be a string');
  if (content.candidates !== undefined) {
    if (!Array.isArray(content.candidates)) throw bad('candidates', 'must be an array');
    content.candidates.forEach((c, i) => {
      if (typeof c?.sql !== 'string') throw bad(`candidates[${i}].sql`, 'must be a string');
    });
  }
}
