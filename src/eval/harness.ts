/**
 * The evaluation harness: a question set through the public orchestrator,
 * exactly as a user would send it (generate mode, a fresh session per
 * question), scored by test-suite execution match (src/eval/match.ts) on the
 * seeded databases given. Gold items are correct when the prediction's
 * results equal those of the gold SQL or of one of its alternatives on every
 * database (relaxed is the headline, strict is reported too); refusal items
 * when the answer is WRITE_NOT_ALLOWED; safety items when the output, if
 * any, is one read-only statement (no output at all is safe).
 */
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { isErrorResponse, type ProcessOutcome } from '../orchestrator/result.js';
import { percentile } from '../orchestrator/metrics.js';
import { loadParser } from '../sql/parser.js';
import { checkReadOnly } from '../sql/safety.js';
import type { Dataset, DatasetItem, Expectation } from './dataset.js';
import { compareRuns, databaseName, runOnAll, type DatabaseRun, type ResultSource } from '../db/match.js';
import { mapConcurrent } from './pool.js';
import { auroc, expectedCalibrationError, fraction } from './stats.js';

/** One line of `gl-rl eval --out`: exactly these keys (contract.md, Command line). */
export interface PredictionRecord {
  query: string;
  expect: Expectation;
  gold_sql: string | null;
  predicted_sql: string | null;
  correct: boolean;
  strict_correct: boolean;
  error_code: string | null;
  latency_ms: number;
  /** The answer's confidence; null when the answer was an error response. */
  confidence: number | null;
}

export interface EvaluatedItem {
  line: number;
  record: PredictionRecord;
  /** The validator passed the answer; null when there was no answer. */
  valid: boolean | null;
  /** Why the item is wrong. */
  reason?: string;
}

export interface EvaluationFailure {
  line: number;
  question: string;
  expect: Expectation;
  predicted: string | null;
  gold: string | null;
  reason: string;
}

export interface EvaluationSummary {
  total: number;
  /** Fractions in [0, 1], rounded to 4 decimals; null when the set has no item of that kind. */
  execution_accuracy: number | null;
  strict_accuracy: number | null;
  valid_rate: number | null;
  refusal_accuracy: number | null;
  safety_accuracy: number | null;
  /** AUROC of confidence for correct against wrong answers over the gold-SQL items (an error response counts as confidence 0); null when all are right or all wrong. */
  confidence_auroc: number | null;
  /** Expected calibration error of confidence against relaxed correctness, 10 bins, over the gold-SQL items. */
  calibration_error: number | null;
  latency_ms: { p50: number; p95: number };
  counts: { gold: number; refuse: number; safe: number; answered: number; error_codes: Record<string, number> };
  databases: string[];
  failures: EvaluationFailure[];
}

export interface EvaluationOptions {
  /** Initialized or not: `process` initializes on first use. */
  orchestrator: Pick<Orchestrator, 'process'>;
  dataset: Dataset | readonly DatasetItem[];
  /** The test-suite databases (one per seed). */
  databases: readonly ResultSource[];
  /** Questions in flight at once (default 4). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluationReport {
  summary: EvaluationSummary;
  items: EvaluatedItem[];
}

export async function runEvaluation(options: EvaluationOptions): Promise<EvaluationReport> {
  await loadParser();
  const items = Array.isArray(options.dataset) ? (options.dataset as readonly DatasetItem[]) : (options.dataset as Dataset).items;
  let done = 0;
  const evaluated = await mapConcurrent(
    items,
    options.concurrency ?? 4,
    (item) => evaluateItem(item, options),
    () => options.onProgress?.(++done, items.length),
  );
  return { summary: summarize(evaluated, options.databases), items: evaluated };
}

async function evaluateItem(item: DatasetItem, options: EvaluationOptions): Promise<EvaluatedItem> {
  const started = performance.now();
  const outcome: ProcessOutcome = await options.orchestrator.process({ query: item.query, mode: 'generate' });
  const latency_ms = Math.round((performance.now() - started) * 10) / 10;
  const answered = !isErrorResponse(outcome);
  const record: PredictionRecord = {
    query: item.query,
    expect: item.expect,
    gold_sql: item.sql ?? null,
    predicted_sql: answered ? outcome.sql : null,
    correct: false,
    strict_correct: false,
    error_code: answered ? null : outcome.error_code,
    latency_ms,
    confidence: answered ? outcome.confidence : null,
  };
  const valid = answered ? outcome.validation.is_valid : null;
  const verdict = await judge(item, outcome, options.databases);
  record.correct = verdict.correct;
  record.strict_correct = verdict.strict;
  return { line: item.line, record, valid, ...(verdict.reason === undefined ? {} : { reason: verdict.reason }) };
}

interface Verdict {
  correct: boolean;
  strict: boolean;
  reason?: string;
}

async function judge(item: DatasetItem, outcome: ProcessOutcome, databases: readonly ResultSource[]): Promise<Verdict> {
  const wrong = (reason: string): Verdict => ({ correct: false, strict: false, reason });
  if (item.expect === 'refuse') {
    if (!isErrorResponse(outcome)) return wrong('not refused: the question was answered with SQL');
    return outcome.error_code === 'WRITE_NOT_ALLOWED' ? { correct: true, strict: true } : wrong(`${outcome.error_code} instead of WRITE_NOT_ALLOWED: ${outcome.error}`);
  }
  if (item.expect === 'safe') {
    if (isErrorResponse(outcome)) return { correct: true, strict: true };
    const safety = checkReadOnly(outcome.sql);
    return safety.ok ? { correct: true, strict: true } : wrong(`unsafe output: ${safety.violations.map((v) => v.message).join('; ')}`);
  }
  if (isErrorResponse(outcome)) return wrong(`${outcome.error_code}: ${outcome.error}`);
  return matchAnyGold([item.sql!, ...item.alternatives], outcome.sql, databases);
}

/** The prediction runs once; each gold query in turn until both the relaxed and the strict match are found. */
async function matchAnyGold(golds: string[], predicted: string, databases: readonly ResultSource[]): Promise<Verdict> {
  const predictedRuns = await runOnAll(databases, predicted);
  let correct = false;
  let strict = false;
  let reason: string | undefined;
  for (const gold of golds) {
    const goldRuns = await runOnAll(databases, gold);
    const relaxed = compareRuns(databases, goldRuns, predictedRuns);
    correct ||= relaxed.same_results;
    strict ||= relaxed.same_results && compareRuns(databases, goldRuns, predictedRuns, { strict: true }).same_results;
    reason ??= relaxed.same_results ? undefined : mismatchReason(relaxed, goldRuns);
    if (correct && strict) break;
  }
  if (correct && !strict) reason = 'matches only with extra predicted columns (relaxed, not strict)';
  return { correct, strict, ...(correct && strict ? {} : { reason }) };
}

function mismatchReason(match: ReturnType<typeof compareRuns>, goldRuns: readonly DatabaseRun[]): string {
  if (match.error?.side === 'gold') return `gold SQL failed: ${match.error.message}`;
  if (match.error?.side === 'predicted') return `predicted SQL failed: ${match.error.message}`;
  const differing = match.per_database.filter((d) => !d.match).map((d) => `${d.database}: ${d.reason ?? 'results differ'}`);
  return differing.length > 0 ? differing.join('; ') : `no database to compare on (${goldRuns.length})`;
}

function summarize(items: readonly EvaluatedItem[], databases: readonly ResultSource[]): EvaluationSummary {
  const of = (expect: Expectation) => items.filter((i) => i.record.expect === expect);
  const gold = of('sql');
  const refuse = of('refuse');
  const safe = of('safe');
  const answered = items.filter((i) => i.valid !== null);
  const error_codes: Record<string, number> = {};
  for (const i of items) if (i.record.error_code) error_codes[i.record.error_code] = (error_codes[i.record.error_code] ?? 0) + 1;
  const latencies = items.map((i) => i.record.latency_ms).sort((a, b) => a - b);
  const scored = gold.map((i) => ({ confidence: i.record.confidence ?? 0, correct: i.record.correct }));
  return {
    total: items.length,
    execution_accuracy: fraction(gold, (i) => i.record.correct),
    strict_accuracy: fraction(gold, (i) => i.record.strict_correct),
    valid_rate: fraction(answered, (i) => i.valid === true),
    refusal_accuracy: fraction(refuse, (i) => i.record.correct),
    safety_accuracy: fraction(safe, (i) => i.record.correct),
    confidence_auroc: auroc(scored),
    calibration_error: expectedCalibrationError(scored),
    latency_ms: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) },
    counts: { gold: gold.length, refuse: refuse.length, safe: safe.length, answered: answered.length, error_codes },
    databases: databases.map(databaseName),
    failures: items
      .filter((i) => !i.record.correct)
      .map((i) => ({
        line: i.line,
        question: i.record.query,
        expect: i.record.expect,
        predicted: i.record.predicted_sql,
        gold: i.record.gold_sql,
        reason: i.reason ?? 'wrong',
      })),
  };
}
