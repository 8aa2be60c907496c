/**
 * Scoring a policy's completions (the reward service of a GRPO run): each
 * completion is the model's raw text; its SQL is extracted with the LLM
 * generator's rules, validated, run on the test-suite databases against the
 * expected SQL, scored on the six components and turned into one reward by
 * a preset (presets.ts); a group gets GRPO advantages.
 *
 * This is the hot path of a training run, so work is shared and bounded:
 * identical SQL within a request is scored once; the expected SQL's results
 * are cached per domain (GoldCache); a completion runs first on one test
 * database (chosen by its text, spreading the load) and on the others only
 * when its results match there — a completion that differs once cannot match
 * on every database; each statement has a time budget, past which its
 * database's worker is stopped and restarted, so a runaway query costs its
 * own completion a failing score and the others a bounded wait. The
 * validator runs without the planner's EXPLAIN: the execution itself is the
 * planner's verdict (a query that fails to run is not valid).
 */
import { AppError, isAppError, type ErrorCode } from '../../errors.js';
import { compareRuns, normalizedSql, DEFAULT_ROW_LIMIT, type DatabaseRun, type ExecutionMatch } from '../../db/match.js';
import type { Database } from '../../db/engine.js';
import type { Catalog } from '../../schema/types.js';
import { loadParser } from '../../sql/parser.js';
import { MAX_CLIENT_SQL_LENGTH, SQL_BUDGET, measureSqlCost } from '../../sql/budget.js';
import { checkReadOnly } from '../../sql/safety.js';
import { extractCompletion } from '../query-generator/llm/extract.js';
import { validateSql, type ValidatorDeps } from '../validator/index.js';
import type { ValidationResult } from '../validator/contract.js';
import type { RewardComponent, RewardFeedback } from './contract.js';
import { sqlFacts, type SqlFacts } from './facts.js';
import { GoldCache } from './gold-cache.js';
import { grpoAdvantages, scoreCandidate, thinkText, type RewardWeights } from './logic.js';
import { presetTotal, type PresetName } from './presets.js';

/** What scoring needs of a domain: its catalog (for the validator) and its test-suite databases. */
export interface ScoringDomain {
  catalog: Catalog;
  /** Where results are compared; a database's label names it in reports. */
  databases: readonly (Pick<Database, 'query'> & { label?: string; seed?: number })[];
}

export interface CompletionItem {
  id?: string | number;
  query: string;
  completions: string[];
  expected_sql: string;
  /** A registered domain's name (default: the scorer's default domain). */
  domain?: string;
}

export interface CompletionScore {
  /** The SQL extracted from the completion ('' when none was found or it was rejected). */
  sql: string;
  total_reward: number;
  rewards: Record<RewardComponent, number>;
  /** The validator's verdict, and false when the SQL failed to run. */
  is_valid: boolean;
  /** The SQL ran on the test databases without an error or a timeout. */
  executed: boolean;
  /** Why it could not be scored in full: SQL_PARSE_ERROR (no SQL), UNSAFE_SQL, EXECUTION_FAILED, QUERY_TIMEOUT. */
  error_code?: ErrorCode;
  /** The components below 1, with what to change. */
  feedback: RewardFeedback[];
}

export interface ItemScore {
  id?: string | number;
  query: string;
  results: CompletionScore[];
  advantages: number[];
  /** The item itself could not be scored (its expected_sql is unsafe or fails): results and advantages are empty. */
  error_code?: ErrorCode;
  error?: string;
  field?: string;
}

export interface ScoringSettings {
  preset: PresetName;
  weights: RewardWeights;
  /** Milliseconds a statement may run on a test database. */
  timeBudgetMs: number;
  rowLimit?: number;
  signal?: AbortSignal;
}

/** Per-domain state kept across requests: the expected SQL's runs and the validator's prepared deps. */
export interface DomainState {
  gold: GoldCache;
  validatorDeps: ValidatorDeps;
  /** SQL that ran past its budget (oldest first, bounded): a policy that repeats a runaway query is not run again. */
  runaways: Map<string, string>;
}

const MAX_RUNAWAYS = 1024;

export function domainState(domain: ScoringDomain, cacheTtl: number): DomainState {
  return { gold: new GoldCache(cacheTtl), validatorDeps: { catalog: domain.catalog }, runaways: new Map() };
}

type Run = DatabaseRun & { timedOut?: boolean };

/** The expected SQL's budget, in multiples of a completion's. */
const GOLD_BUDGET_FACTOR = 5;

class GoldTimeout extends Error {}

interface SqlVerdict {
  validation: ValidationResult;
  facts: SqlFacts | undefined;
  match: ExecutionMatch;
  executed: boolean;
  failure?: { code: ErrorCode; message: string };
}

/** Identical SQL of one request, scored once: keyed by domain, expected SQL and SQL. */
export type VerdictMemo = Map<string, Promise<SqlVerdict>>;

/**
 * One item: the expected SQL through the untrusted-SQL gate and onto every
 * test database (cached), then every completion. A bad expected SQL is this
 * item's error, never the request's.
 */
export async function scoreItem(
  item: CompletionItem,
  field: string,
  domain: ScoringDomain,
  state: DomainState,
  settings: ScoringSettings,
  memo: VerdictMemo,
): Promise<ItemScore> {
  await loadParser();
  const head = { ...(item.id !== undefined ? { id: item.id } : {}), query: item.query };
  const itemError = (code: ErrorCode, detail: string): ItemScore =>
    ({ ...head, results: [], advantages: [], error_code: code, error: new AppError(code, detail).message, field: `${field}.expected_sql` });

  const overBudget = await costProblem(item.expected_sql);
  if (overBudget) return { ...itemError('INVALID_INPUT', `expected_sql ${overBudget}`) };
  const gate = checkReadOnly(item.expected_sql);
  if (!gate.ok) {
    return itemError(gate.parseError ? 'SQL_PARSE_ERROR' : 'UNSAFE_SQL', `expected_sql: ${gate.violations.map((v) => v.message).join('; ')}`);
  }
  const databases = domain.databases;
  // The expected SQL is the dataset's: it gets a wider budget, and a run past it is not kept in the cache.
  const goldSettings = { ...settings, timeBudgetMs: settings.timeBudgetMs * GOLD_BUDGET_FACTOR };
  let gold: Run[];
  try {
    gold = await state.gold.get(item.expected_sql, async () => {
      const runs = await runEverywhere(databases, item.expected_sql, goldSettings);
      const timedOut = runs.find((r): r is Run & { ok: false } => !r.ok && r.timedOut === true);
      if (timedOut) throw new GoldTimeout(timedOut.message);
      return runs;
    }).runs;
  } catch (err) {
    if (err instanceof GoldTimeout) return itemError('QUERY_TIMEOUT', `expected_sql ran past its budget on the test databases: ${err.message}`);
    throw err;
  }
  const failed = gold.find((r): r is Run & { ok: false } => !r.ok);
  if (failed) return itemError('EXECUTION_FAILED', `expected_sql failed on the test databases: ${failed.message}`);
  const expectedFacts = sqlFacts(item.expected_sql);
  const expectedTree = normalizedSql(item.expected_sql);

  const results = await Promise.all(item.completions.map(async (text): Promise<CompletionScore> => {
    try {
      return await scoreCompletion(text);
    } catch (err) {
      // One completion the analysis cannot handle fails alone, never its batch.
      settings.signal?.throwIfAborted();
      return unscorable(text, `the completion could not be analysed (${err instanceof Error ? err.message : String(err)})`, false, settings);
    }
  }));
  return { ...head, results, advantages: grpoAdvantages(results.map((r) => r.total_reward)) };

  async function scoreCompletion(text: string): Promise<CompletionScore> {
    const extracted = extractCompletion(text);
    if (!extracted.ok) return unscorable(text, extracted.reason, extracted.unsafe === true, settings);
    const { sql, reasoning } = extracted.extraction;
    const costly = await costProblem(sql);
    if (costly) return unscorable(text, `the SQL ${costly}`, false, settings);
    const key = `${item.domain ?? ''}\u0000${item.expected_sql}\u0000${sql}`;
    let verdict = memo.get(key);
    if (!verdict) memo.set(key, (verdict = judge(sql, expectedTree, gold, databases, state, settings)));
    const v = await verdict;
    const score = scoreCandidate({
      validation: v.validation,
      reasoning,
      predicted: v.facts,
      expected: expectedFacts,
      readOnly: true,
      accuracy: { kind: 'matched', match: v.match },
    }, settings.weights);
    return {
      sql,
      total_reward: presetTotal(settings.preset, { dense: score.total_reward, matched: v.match.same_results, executed: v.executed }),
      rewards: score.rewards,
      is_valid: v.validation.is_valid && v.executed,
      executed: v.executed,
      ...(v.failure ? { error_code: v.failure.code } : {}),
      feedback: score.feedback.filter((f) => f.score < 1),
    };
  }
}

/**
 * Why a SQL text is too costly to analyse on the main thread (src/sql/budget.ts:
 * tokens and nesting measured off the event loop), or undefined.
 */
async function costProblem(sql: string): Promise<string | undefined> {
  if (sql.includes('\u0000')) return 'must not contain NUL characters';
  if (sql.length > MAX_CLIENT_SQL_LENGTH) return `must be at most ${MAX_CLIENT_SQL_LENGTH} characters, got ${sql.length}`;
  const cost = await measureSqlCost(sql);
  if (cost.exceeded === 'tokens') return `must be at most ${SQL_BUDGET.tokens} tokens, got ${cost.tokens}`;
  if (cost.exceeded === 'depth') return `must nest at most ${SQL_BUDGET.depth} levels, got ${cost.depth}`;
  if (cost.exceeded === 'time') return `could not be parsed within ${SQL_BUDGET.ms} ms`;
  return undefined;
}

/** The validator's verdict and the staged execution match of one SQL text. */
async function judge(
  sql: string,
  /** The expected SQL's normalized parse tree (match.ts `normalizedSql`), computed once per item. */
  expectedTree: string | undefined,
  gold: readonly Run[],
  databases: ScoringDomain['databases'],
  state: DomainState,
  settings: ScoringSettings,
): Promise<SqlVerdict> {
  const validation = await validateSql(sql, state.validatorDeps, { signal: settings.signal });
  const facts = sqlFacts(sql);
  if (expectedTree !== undefined && normalizedSql(sql) === expectedTree) {
    return { validation, facts, executed: true, match: { exact: true, ...compareRuns(databases, gold, gold) } };
  }
  const first = firstDatabase(sql, databases.length);
  const known = state.runaways.get(sql);
  // More rows than the gold's cannot match: fetching one more than it has is enough to tell, and stops a runaway join early.
  const limitOn = (i: number) => {
    const g = gold[i]!;
    return g.ok ? g.result.rows.length + 1 : settings.rowLimit;
  };
  const firstRun: Run = known !== undefined ? { ok: false, message: known, timedOut: true } : await runOn(databases[first], sql, settings, limitOn(first));
  if (!firstRun.ok && firstRun.timedOut && known === undefined) {
    state.runaways.set(sql, firstRun.message);
    if (state.runaways.size > MAX_RUNAWAYS) state.runaways.delete(state.runaways.keys().next().value as string);
  }
  let match: ExecutionMatch = { exact: false, ...compareRuns([databases[first]], [gold[first]], [firstRun]) };
  if (match.same_results && databases.length > 1) {
    const runs: Run[] = await Promise.all(databases.map((db, i) => (i === first ? firstRun : runOn(db, sql, settings, limitOn(i)))));
    match = { exact: false, ...compareRuns(databases, gold, runs) };
    const failedRun = runs.find((r) => !r.ok) as (Run & { ok: false }) | undefined;
    if (failedRun) return { validation, facts, match, executed: false, failure: runFailure(failedRun) };
  }
  if (!firstRun.ok) return { validation, facts, match, executed: false, failure: runFailure(firstRun) };
  return { validation, facts, match, executed: true };
}

function runFailure(run: Run & { ok: false }): { code: ErrorCode; message: string } {
  return { code: run.timedOut ? 'QUERY_TIMEOUT' : 'EXECUTION_FAILED', message: run.message };
}

/** A stable choice of the first database from the SQL text, so the first runs spread over every database. */
function firstDatabase(sql: string, count: number): number {
  let h = 0;
  for (let i = 0; i < sql.length; i++) h = (h * 31 + sql.charCodeAt(i)) | 0;
  return Math.abs(h) % count;
}

function runEverywhere(databases: ScoringDomain['databases'], sql: string, settings: ScoringSettings): Promise<Run[]> {
  return Promise.all(databases.map((db) => runOn(db, sql, settings)));
}

/** One statement on one database within the time budget; a failure is recorded, never thrown, except an abort. */
async function runOn(db: ScoringDomain['databases'][number], sql: string, settings: ScoringSettings, rowLimit = settings.rowLimit): Promise<Run> {
  try {
    const { columns, rows, truncated } = await db.query(sql, {
      rowLimit: rowLimit ?? DEFAULT_ROW_LIMIT, signal: settings.signal, timeoutMs: settings.timeBudgetMs,
    });
    return { ok: true, result: { columns, rows }, truncated };
  } catch (err) {
    if (settings.signal?.aborted) throw err;
    const timedOut = isAppError(err) && (err.code === 'QUERY_TIMEOUT' || err.details.timeout_ms !== undefined);
    return { ok: false, message: err instanceof Error ? err.message : String(err), timedOut };
  }
}

/**
 * A completion with no SQL, or with SQL that is not one read-only statement:
 * nothing is sent to a database. The dense components score it as SQL that
 * does not parse (only its reasoning can earn anything); the presets then
 * decide, and the gated ones give it nothing above the floor of a miss.
 */
function unscorable(text: string, reason: string, unsafe: boolean, settings: ScoringSettings): CompletionScore {
  // completeValidation (logic.ts) fills every other finding in as none.
  const validation = {
    is_valid: false, confidence: 0, issues: [], suggestions: [], validated_sql: '',
    details: { syntax_valid: false, syntax_errors: [reason] },
    metadata: { validation_time: 0, layers_executed: [] },
  } as unknown as ValidationResult;
  const score = scoreCandidate({
    validation, reasoning: thinkText(text) === text ? '' : thinkText(text), predicted: undefined, expected: undefined,
    readOnly: false, accuracy: { kind: 'not_run', reason },
  }, settings.weights);
  const level = unsafe ? 'unsafe' : 'no_sql';
  const suggestions = unsafe ? ['Write a single read-only SELECT'] : ['Answer with one PostgreSQL SELECT in a ```sql fence'];
  const feedback = score.feedback
    .filter((f) => f.score < 1)
    .map((f) => (f.component === 'syntax' ? { ...f, level, message: reason, suggestions } : f));
  return {
    sql: '',
    total_reward: presetTotal(settings.preset, { dense: score.total_reward, matched: false, executed: false }),
    rewards: score.rewards,
    is_valid: false,
    executed: false,
    error_code: unsafe ? 'UNSAFE_SQL' : 'SQL_PARSE_ERROR',
    feedback,
  };
}
