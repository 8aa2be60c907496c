/**
 * Reward scoring for GRPO: six components, each a fixed tier, combined by
 * weights into one total in [0, 1], with feedback a model (or its trainer)
 * can act on. Pure functions: the agent wrapper gathers the validation and the
 * execution match, this module only turns them into numbers.
 */
import { AppError } from '../../errors.js';
import type { ExecutionMatch } from '../../db/match.js';
import type { Layer, ValidationDetails, ValidationIssue, ValidationResult } from '../validator/contract.js';
import type { RewardComponent, RewardFeedback, RewardResult } from './contract.js';
import { bareName, type SqlFacts } from './facts.js';

export const REWARD_COMPONENTS: readonly RewardComponent[] = [
  'syntax', 'schema', 'business_logic', 'performance', 'reasoning', 'accuracy',
];

export type RewardWeights = Record<RewardComponent, number>;

export const DEFAULT_WEIGHTS: Readonly<RewardWeights> = {
  syntax: 0.2, schema: 0.25, business_logic: 0.2, performance: 0.15, reasoning: 0.1, accuracy: 0.1,
};

export const EXCELLENCE_THRESHOLD = 0.8;
export const EXCELLENCE_BONUS = 1.1;
export const FAILURE_PENALTY = 0.9;

/**
 * Weights merged over the defaults and normalized to sum to 1. A weight must
 * be a finite number ≥ 0 of a known component, and they must not all be 0.
 */
export function resolveWeights(weights: Partial<Record<string, unknown>> = {}): RewardWeights {
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
    throw new AppError('INVALID_CONFIG', `reward_weights must be an object of component weights, got ${JSON.stringify(weights)}`,
      { field: 'reward_weights' });
  }
  const merged: RewardWeights = { ...DEFAULT_WEIGHTS };
  for (const [key, value] of Object.entries(weights)) {
    if (!(REWARD_COMPONENTS as readonly string[]).includes(key)) {
      throw new AppError('INVALID_CONFIG', `reward_weights.${key} is not a reward component (${REWARD_COMPONENTS.join(', ')})`,
        { field: `reward_weights.${key}` });
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new AppError('INVALID_CONFIG', `reward_weights.${key} must be a finite number >= 0, got ${JSON.stringify(value)}`,
        { field: `reward_weights.${key}`, value });
    }
    merged[key as RewardComponent] = value;
  }
  if (REWARD_COMPONENTS.every((c) => merged[c] === 0)) {
    throw new AppError('INVALID_CONFIG', 'reward_weights are all 0', { field: 'reward_weights' });
  }
  return renormalize(merged, REWARD_COMPONENTS);
}

/**
 * The weights restricted to the components scored, summing to 1 over them (0
 * for the others); all 0 when the scored components all weigh 0 (then nothing
 * the configuration values could be scored, and the total is 0).
 */
export function renormalize(weights: RewardWeights, scored: readonly RewardComponent[]): RewardWeights {
  const sum = scored.reduce((s, c) => s + weights[c], 0);
  const out = {} as RewardWeights;
  for (const c of REWARD_COMPONENTS) out[c] = scored.includes(c) && sum > 0 ? weights[c] / sum : 0;
  return out;
}

export interface Tier {
  score: number;
  level: string;
  message: string;
  suggestions: string[];
}

const tier = (score: number, level: string, message: string, suggestions: string[] = []): Tier =>
  ({ score, level, message, suggestions: [...new Set(suggestions)] });

/** Suggestions the validator attached to the issues of one layer. */
function layerSuggestions(validation: ValidationResult, layer: Layer): string[] {
  return validation.issues.filter((i) => i.layer === layer && i.suggestion).map((i) => i.suggestion as string);
}

function layerIssues(validation: ValidationResult, layer: Layer, severity: ValidationIssue['severity']): string[] {
  return validation.issues.filter((i) => i.layer === layer && i.severity === severity).map((i) => i.message);
}

function list(items: Iterable<string>): string {
  return [...items].join(', ');
}

/**
 * The validator's result with every field the scoring reads. A pluggable
 * validator may return as little as `{is_valid, details: {}}`: a missing
 * finding counts as none, missing tables and columns come from the parse, and
 * the parser has the last word on syntax.
 */
export function completeValidation(validation: ValidationResult, facts: SqlFacts | undefined): ValidationResult {
  const d: Partial<ValidationDetails> = validation.details ?? {};
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : []);
  const parses = facts !== undefined;
  return {
    ...validation,
    issues: Array.isArray(validation.issues) ? validation.issues : [],
    details: {
      syntax_valid: parses && d.syntax_valid !== false,
      syntax_errors: strings(d.syntax_errors),
      syntax_warnings: strings(d.syntax_warnings),
      schema_compliant: d.schema_compliant !== false,
      schema_errors: strings(d.schema_errors),
      tables_used: Array.isArray(d.tables_used) ? strings(d.tables_used) : [...(facts?.tables ?? [])],
      columns_referenced: Array.isArray(d.columns_referenced) ? strings(d.columns_referenced) : [...(facts?.columns ?? [])],
      business_logic_valid: d.business_logic_valid !== false,
      business_violations: strings(d.business_violations),
      business_warnings: strings(d.business_warnings),
      performance_acceptable: d.performance_acceptable !== false,
      complexity_score: typeof d.complexity_score === 'number' ? d.complexity_score : facts?.complexity ?? 0,
      performance_issues: strings(d.performance_issues),
      optimization_suggestions: strings(d.optimization_suggestions),
      security_passed: d.security_passed !== false,
      security_risks: strings(d.security_risks),
      injection_detected: d.injection_detected === true,
    },
  };
}

/** Why the SQL is unsafe, or undefined when it is a single read-only statement. */
export function unsafeReason(validation: ValidationResult, readOnly: boolean): string | undefined {
  const d = validation.details;
  if (readOnly && d.security_passed && !d.injection_detected) return undefined;
  if (d.security_risks.length > 0) return d.security_risks.join('; ');
  return readOnly ? 'the security layer rejected it' : 'not a single read-only statement';
}

export function scoreSyntax(validation: ValidationResult): Tier {
  const d = validation.details;
  const suggestions = layerSuggestions(validation, 'syntax');
  if (!d.syntax_valid) {
    return tier(0, 'invalid', `SQL does not parse: ${d.syntax_errors.join('; ') || 'syntax error'}`,
      suggestions.length > 0 ? suggestions : ['Write one PostgreSQL SELECT statement']);
  }
  const warnings = [...new Set([...d.syntax_warnings, ...layerIssues(validation, 'syntax', 'warning')])];
  if (d.syntax_errors.length > 0 || warnings.length >= 3) {
    return tier(0.3, 'major_issues', `parses, with problems: ${[...d.syntax_errors, ...warnings].join('; ')}`, suggestions);
  }
  if (warnings.length > 0) return tier(0.7, 'minor_issues', `parses, with warnings: ${warnings.join('; ')}`, suggestions);
  return tier(1, 'valid', 'valid PostgreSQL');
}

/**
 * Schema tiers. With an expected SQL, "right tables" compares the tables the
 * validator found with the expected query's, and "perfect" also needs the same
 * columns (a `*` covers the expected ones); without one, perfect means no
 * schema error and no schema warning.
 */
export function scoreSchema(validation: ValidationResult, predicted: SqlFacts | undefined, expected: SqlFacts | undefined): Tier {
  const d = validation.details;
  const suggestions = layerSuggestions(validation, 'schema');
  const errors = d.schema_errors;
  const warnings = layerIssues(validation, 'schema', 'warning');
  const used = new Set(d.tables_used.map(bareName));
  if (errors.length > 0) {
    const references = d.tables_used.length + d.columns_referenced.length;
    return errors.length < references
      ? tier(0.4, 'partial', `some references do not exist: ${errors.join('; ')}`, suggestions)
      : tier(0, 'none', `no valid schema reference: ${errors.join('; ') || 'no table used'}`, suggestions);
  }
  if (used.size === 0) return tier(0, 'none', 'the query reads no table of the schema', ['Select from the tables the question is about']);
  if (!expected) {
    return warnings.length > 0
      ? tier(0.8, 'right_tables', `every table and column exists; ${warnings.join('; ')}`, suggestions)
      : tier(1, 'perfect', 'every table and column exists');
  }
  const missing = [...expected.tables].filter((t) => !used.has(t));
  const extra = [...used].filter((t) => !expected.tables.has(t));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [missing.length > 0 ? `missing ${list(missing)}` : '', extra.length > 0 ? `not needed ${list(extra)}` : ''];
    return tier(0.6, 'valid_columns', `columns are valid but the tables differ from the expected query: ${parts.filter(Boolean).join('; ')}`,
      missing.map((t) => `Use table ${t}`));
  }
  const columns = predicted?.columns ?? new Set<string>();
  const missingColumns = predicted?.star ? [] : [...expected.columns].filter((c) => !columns.has(c));
  const extraColumns = [...columns].filter((c) => !expected.columns.has(c));
  if (missingColumns.length > 0 || extraColumns.length > 0 || warnings.length > 0) {
    const parts = [
      missingColumns.length > 0 ? `expected columns not used: ${list(missingColumns)}` : '',
      extraColumns.length > 0 ? `columns the expected query does not use: ${list(extraColumns)}` : '',
      ...warnings,
    ];
    return tier(0.8, 'right_tables', `right tables; ${parts.filter(Boolean).join('; ')}`,
      [...missingColumns.map((c) => `Use column ${c}`), ...suggestions]);
  }
  return tier(1, 'perfect', 'the tables and columns of the expected query');
}

/** Business tiers by count: warnings only is minor, one violation major, more critical. */
export function scoreBusinessLogic(validation: ValidationResult): Tier {
  const d = validation.details;
  const suggestions = layerSuggestions(validation, 'business_logic');
  const violations = d.business_violations;
  if (violations.length >= 2) return tier(0, 'critical', `business rules broken: ${violations.join('; ')}`, suggestions);
  if (violations.length === 1) return tier(0.3, 'major', `business rule broken: ${violations[0]}`, suggestions);
  if (d.business_warnings.length > 0) return tier(0.7, 'minor', `business warnings: ${d.business_warnings.join('; ')}`, suggestions);
  return tier(1, 'all_rules', 'follows every business rule');
}

const PERFORMANCE_TIERS = [
  { score: 1, level: 'optimal' },
  { score: 0.7, level: 'good' },
  { score: 0.4, level: 'fair' },
  { score: 0.1, level: 'poor' },
] as const;

/** Extra AST complexity over the expected query's that costs a tier; without an expected query, the absolute bound. */
export const COMPLEXITY_SLACK = 2;
export const COMPLEXITY_LIMIT = 15;
/** Plan-cost ratios to the expected query's that cost one and two tiers. */
export const COST_RATIO_STEPS = [2, 10] as const;

export interface PlanCosts {
  predicted?: number;
  expected?: number;
}

/**
 * One tier down per performance issue the validator found, for a query much
 * more complex than the expected one (or than COMPLEXITY_LIMIT), and for a plan
 * cost past each COST_RATIO_STEPS multiple of the expected query's. A query
 * the validator found unacceptable is at best "fair".
 */
export function scorePerformance(
  validation: ValidationResult,
  predicted: SqlFacts | undefined,
  expected: SqlFacts | undefined,
  costs: PlanCosts = {},
): Tier {
  const d = validation.details;
  const reasons = [...d.performance_issues];
  const suggestions = [...d.optimization_suggestions, ...layerSuggestions(validation, 'performance')];
  if (predicted) {
    const bound = expected ? expected.complexity + COMPLEXITY_SLACK : COMPLEXITY_LIMIT;
    if (predicted.complexity > bound) {
      reasons.push(expected
        ? `complexity ${predicted.complexity} against ${expected.complexity} for the expected query`
        : `complexity ${predicted.complexity} above ${COMPLEXITY_LIMIT}`);
      suggestions.push('Drop joins and subqueries the question does not need');
    }
  }
  if (costs.predicted !== undefined && costs.expected !== undefined && costs.expected > 0) {
    const ratio = costs.predicted / costs.expected;
    const steps = COST_RATIO_STEPS.filter((s) => ratio > s).length;
    for (let i = 0; i < steps; i++) reasons.push(`plan cost ${ratio.toFixed(1)}× the expected query's`);
  }
  let index = Math.min(reasons.length, PERFORMANCE_TIERS.length - 1);
  if (!d.performance_acceptable) index = Math.max(index, 2);
  const { score, level } = PERFORMANCE_TIERS[index];
  const message = reasons.length > 0 ? [...new Set(reasons)].join('; ') : d.performance_acceptable
    ? `no performance issue (complexity ${d.complexity_score})`
    : 'the validator found the performance unacceptable';
  return tier(score, level, message, suggestions);
}

/**
 * Judges the `<think>` steps against the SQL they should explain: numbered
 * steps, naming the tables, the joins and filters the SQL has, and its
 * columns. All four is complete, two or three partial, any text minimal.
 */
export function scoreReasoning(reasoning: string, facts: SqlFacts | undefined): Tier {
  const text = thinkText(reasoning);
  if (text.trim() === '') return tier(0, 'none', 'no reasoning given', ['Explain the query in numbered steps inside <think>…</think>']);
  const tokens = text.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
  const words = new Set(tokens);
  const phrases = ` ${tokens.join(' ')} `;
  const steps = text.split('\n').filter((line) => /^\s*(?:step\s*)?\d+\s*[.):-]/i.test(line)).length;

  const mentions = (name: string): boolean => {
    if (words.has(name) || phrases.includes(` ${name.replace(/_/g, ' ')} `)) return true;
    const tail = name.split('_').pop() ?? '';
    return tail.length >= 4 && (words.has(tail) || words.has(tail.replace(/s$/, '')) || words.has(`${tail}s`));
  };
  const checks: Array<[boolean, string]> = [
    [steps >= 2, 'Number the steps (1., 2., …)'],
    [facts !== undefined && facts.tables.size > 0 && [...facts.tables].some(mentions), 'Name the tables used'],
    [facts !== undefined && joinsAndFiltersExplained(facts, words, mentions), 'Say how tables are joined and rows filtered'],
    [facts !== undefined && [...facts.columns].some(mentions), 'Name the columns selected or compared'],
  ];
  const met = checks.filter(([ok]) => ok).length;
  const missing = checks.filter(([ok]) => !ok).map(([, s]) => s);
  if (met === checks.length) return tier(1, 'complete', `${steps} steps covering tables, joins and filters, columns`);
  if (met >= 2) return tier(0.6, 'partial', `reasoning covers ${met} of ${checks.length} points`, missing);
  return tier(0.3, 'minimal', 'reasoning does not explain the query', missing);
}

const JOIN_WORDS = ['join', 'joins', 'joined', 'joining', 'link', 'linked', 'relate', 'related', 'via'];
const FILTER_WORDS = ['filter', 'filters', 'filtered', 'filtering', 'where', 'condition', 'conditions', 'only', 'having', 'restrict'];

function joinsAndFiltersExplained(facts: SqlFacts, words: Set<string>, mentions: (name: string) => boolean): boolean {
  const joinOk = !facts.joins || JOIN_WORDS.some((w) => words.has(w)) || [...facts.joinColumns].some(mentions);
  const filterOk = !facts.filters || FILTER_WORDS.some((w) => words.has(w)) || [...facts.filterTerms].some(mentions);
  return joinOk && filterOk;
}

/** The text inside `<think>…</think>` when present, otherwise the whole reasoning. */
export function thinkText(reasoning: string): string {
  const open = reasoning.indexOf('<think>');
  if (open < 0) return reasoning;
  const close = reasoning.indexOf('</think>', open);
  return reasoning.slice(open + '<think>'.length, close < 0 ? undefined : close);
}

export type AccuracyInput =
  /** The candidate was not sent to the databases: it does not parse or is not a single read-only statement. */
  | { kind: 'not_run'; reason: string }
  | { kind: 'no_expected' }
  | { kind: 'matched'; match: ExecutionMatch };

/** Accuracy tier, or undefined when accuracy cannot be scored (left out of the total). */
export function scoreAccuracy(input: AccuracyInput): Tier | undefined {
  if (input.kind === 'no_expected') return undefined;
  if (input.kind === 'not_run') return tier(0, 'none', `not executed: ${input.reason}`, ['Write a single read-only SELECT']);
  const m = input.match;
  if (m.exact) return tier(1, 'exact', 'the expected SQL, up to formatting');
  if (m.error?.side === 'gold') return undefined;
  if (m.same_results) return tier(0.8, 'same_results', `same results as the expected SQL on all ${m.per_database.length} test databases`);
  const failing = m.per_database.filter((d) => !d.match).map((d) => `${d.database}: ${d.reason ?? 'differs'}`);
  if (m.error?.side === 'predicted') return tier(0, 'none', `execution failed: ${m.error.message}`, ['Fix the error and run the query again']);
  if (m.partial) {
    return tier(0.5, 'partial', `results overlap the expected ones but differ (${failing.join('; ')})`,
      ['Check the filters and joins against the question']);
  }
  return tier(0, 'none', `results differ from the expected ones (${failing.join('; ')})`, ['Check the filters and joins against the question']);
}

export interface ScoreInput {
  validation: ValidationResult;
  reasoning: string;
  /** Facts of the candidate and the expected SQL (undefined when they do not parse or are absent). */
  predicted: SqlFacts | undefined;
  expected: SqlFacts | undefined;
  /** The candidate passed `checkReadOnly` (SQL that does not parse is judged on syntax, not as unsafe). */
  readOnly: boolean;
  accuracy: AccuracyInput;
  costs?: PlanCosts;
  /** Why accuracy was left out when it was (shown in feedback). */
  accuracyNote?: string;
}

export type Score = Omit<RewardResult, 'metadata' | 'advantages' | 'candidate_rewards'>;

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * Scores one candidate. Unsafe SQL scores 0 on every SQL component (only the
 * reasoning stays), SQL that does not parse scores 0 on the layers that need a
 * parse; then the weighted sum, the excellence bonus or the failure penalty,
 * capped at 1.
 */
export function scoreCandidate(input: ScoreInput, weights: RewardWeights): Score {
  const validation = completeValidation(input.validation, input.predicted);
  const parses = validation.details.syntax_valid;
  const unsafe = parses ? unsafeReason(validation, input.readOnly) : undefined;
  const tiers: Partial<Record<RewardComponent, Tier>> = {};
  if (!parses) {
    tiers.syntax = scoreSyntax(validation);
    const notAssessed = tier(0, 'not_assessed', 'not assessed: the SQL does not parse');
    tiers.schema = notAssessed;
    tiers.business_logic = notAssessed;
    tiers.performance = notAssessed;
  } else if (unsafe) {
    const zero = tier(0, 'unsafe', `unsafe SQL: ${unsafe}`, ['Write a single read-only SELECT']);
    for (const c of ['syntax', 'schema', 'business_logic', 'performance'] as const) tiers[c] = zero;
  } else {
    tiers.syntax = scoreSyntax(validation);
    tiers.schema = scoreSchema(validation, input.predicted, input.expected);
    tiers.business_logic = scoreBusinessLogic(validation);
    tiers.performance = scorePerformance(validation, input.predicted, input.expected, input.costs);
  }
  tiers.reasoning = scoreReasoning(input.reasoning, input.predicted);
  const accuracy = scoreAccuracy(unsafe && input.accuracy.kind !== 'no_expected' ? { kind: 'not_run', reason: `unsafe SQL: ${unsafe}` } : input.accuracy);
  if (accuracy) tiers.accuracy = accuracy;

  const scored = REWARD_COMPONENTS.filter((c) => tiers[c] !== undefined);
  const used = renormalize(weights, scored);
  const weighted = scored.reduce((sum, c) => sum + used[c] * (tiers[c] as Tier).score, 0);
  const scores = scored.map((c) => (tiers[c] as Tier).score);
  const multiplier = scores.every((s) => s >= EXCELLENCE_THRESHOLD) ? EXCELLENCE_BONUS
    : scores.some((s) => s === 0) ? FAILURE_PENALTY : 1;

  const rewards = {} as Record<RewardComponent, number>;
  for (const c of REWARD_COMPONENTS) rewards[c] = round(tiers[c]?.score ?? 0);
  const feedback: RewardFeedback[] = scored.map((c) => ({ component: c, ...(tiers[c] as Tier) }));
  if (!accuracy) {
    feedback.push({
      component: 'accuracy',
      score: 0,
      level: 'not_scored',
      message: `${input.accuracyNote ?? 'no expected_sql'}: accuracy is left out and the other weights renormalized`,
      suggestions: [],
    });
  }
  return { total_reward: round(Math.min(1, weighted * multiplier)), rewards, feedback, weights: roundAll(used), multiplier };
}

function roundAll(weights: RewardWeights): RewardWeights {
  const out = {} as RewardWeights;
  for (const c of REWARD_COMPONENTS) out[c] = round(weights[c]);
  return out;
}

/** GRPO group-relative advantages: (r − mean) / (std + 1e-8), population standard deviation. */
export function grpoAdvantages(rewards: readonly number[]): number[] {
  if (rewards.length === 0) return [];
  const mean = rewards.reduce((s, r) => s + r, 0) / rewards.length;
  const variance = rewards.reduce((s, r) => s + (r - mean) ** 2, 0) / rewards.length;
  const std = Math.sqrt(variance);
  // A group of equal rewards carries no signal; rounding in the mean must not invent one.
  if (rewards.every((r) => r === rewards[0])) return rewards.map(() => 0);
  return rewards.map((r) => (r - mean) / (std + 1e-8));
}
