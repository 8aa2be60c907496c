/**
 * The validator: parse once, run the five layers over the shared tree and
 * name resolution, with the planner's EXPLAIN running alongside once the
 * security layer has shown the text to be a single read-only statement.
 * The verdict: valid when no issue is an error (in strict mode, no warning).
 */
import { AppError, isUnavailable } from '../../errors.js';
import { isParserLoaded, loadParser, parseSql } from '../../sql/parser.js';
import { businessLayer } from './business.js';
import type { Layer, ValidationDetails, ValidationIssue, ValidationResult } from './contract.js';
import { ValidationContext } from './context.js';
import { performanceLayer, type PerformanceReport, type PlanOutcome } from './performance.js';
import { prepareDeps } from './prepared.js';
import { schemaLayer } from './schema.js';
import { securityLayer, type SecurityReport } from './security.js';
import { syntaxLayer } from './syntax.js';
import type { LayerReport, ValidateOptions, ValidatorDeps } from './types.js';

const LAYER_FLAGS: Record<Layer, keyof ValidationDetails> = {
  syntax: 'syntax_valid',
  schema: 'schema_compliant',
  business_logic: 'business_logic_valid',
  performance: 'performance_acceptable',
  security: 'security_passed',
};

const LAYER_ERRORS: Partial<Record<Layer, keyof ValidationDetails>> = {
  syntax: 'syntax_errors',
  schema: 'schema_errors',
  business_logic: 'business_violations',
};

export async function validateSql(sql: string, deps: ValidatorDeps, options: ValidateOptions = {}): Promise<ValidationResult> {
  const started = performance.now();
  const { strict = false, signal } = options;
  signal?.throwIfAborted();
  if (typeof sql !== 'string') throw new AppError('INVALID_INPUT', 'sql must be a string', { field: 'sql' });
  if (!isParserLoaded()) await loadParser();
  const prepared = prepareDeps(deps);
  const parsed = parseSql(sql);
  const ctx = new ValidationContext(sql, parsed.ok ? parsed.tree : undefined, parsed.ok ? undefined : parsed.error, prepared);

  const security = guarded('security', () => securityLayer(ctx)) as SecurityReport;
  const planned = plan(ctx, security.safeToPlan === true, signal);
  // Awaited by the performance layer; an abort while a layer fails must not surface as an unhandled rejection.
  planned.catch(() => undefined);
  const analyzable = ctx.tree !== undefined && ctx.tree.stmts.length > 0;
  const reports = await Promise.all([
    Promise.resolve(guarded('syntax', () => syntaxLayer(ctx))),
    Promise.resolve(security),
    ...(analyzable
      ? [
          Promise.resolve(guarded('schema', () => schemaLayer(ctx))),
          Promise.resolve(guarded('business_logic', () => businessLayer(ctx))),
          performanceLayer(ctx, planned).catch((err) => {
            signal?.throwIfAborted();
            if (isUnavailable(err)) throw err;
            return internalFailure('performance', err);
          }),
        ]
      : []),
  ]);
  signal?.throwIfAborted();
  return assemble(sql, reports, strict, started);
}

/**
 * EXPLAIN only for a text the security layer passed. An abort propagates, and
 * so does a database that cannot be reached (an outage says nothing of the
 * SQL: the call fails and is retried); any other failure is the planner's verdict.
 */
async function plan(ctx: ValidationContext, safe: boolean, signal?: AbortSignal): Promise<PlanOutcome> {
  const explain = ctx.deps.explain;
  if (!explain) return { kind: 'none', reason: 'no_database' };
  if (!safe) return { kind: 'none', reason: 'not_safe' };
  try {
    return { kind: 'plan', plan: await explain(ctx.sql, signal) };
  } catch (error) {
    signal?.throwIfAborted();
    if (isUnavailable(error)) throw error;
    return { kind: 'error', error };
  }
}

/** A layer that throws fails closed: its verdict becomes an error, never a pass. */
function guarded(layer: Layer, run: () => LayerReport): LayerReport {
  try {
    return run();
  } catch (err) {
    return internalFailure(layer, err);
  }
}

function internalFailure(layer: Layer, err: unknown): LayerReport {
  const message = `the ${layer} check failed internally (${(err as Error)?.message ?? String(err)}); the query is not judged safe`;
  return { layer, issues: [{ layer, severity: 'error', message }], details: {} };
}

function assemble(sql: string, reports: LayerReport[], strict: boolean, started: number): ValidationResult {
  const issues: ValidationIssue[] = reports.flatMap((r) => r.issues);
  const perf = reports.find((r): r is PerformanceReport => r.layer === 'performance' && 'basis' in r);
  const failing = (i: ValidationIssue) => i.severity === 'error' || (strict && i.severity === 'warning');
  // The planner usually rejects what a layer has already explained better; its own words are kept for the rest.
  if (perf?.plannerRejection && !issues.some((i) => i.severity === 'error')) issues.push(perf.plannerRejection);

  const details: ValidationDetails = {
    syntax_valid: false, syntax_errors: [], syntax_warnings: [],
    schema_compliant: false, schema_errors: [], tables_used: [], columns_referenced: [],
    business_logic_valid: false, business_violations: [], business_warnings: [],
    performance_acceptable: false, complexity_score: 0, performance_issues: [], optimization_suggestions: [],
    security_passed: false, security_risks: [], injection_detected: false,
  };
  for (const report of reports) Object.assign(details, report.details);
  const executed = new Set(reports.map((r) => r.layer));
  for (const [layer, flag] of Object.entries(LAYER_FLAGS) as Array<[Layer, keyof ValidationDetails]>) {
    const ok = executed.has(layer) && !issues.some((i) => i.layer === layer && failing(i));
    (details[flag] as boolean) = ok && (layer !== 'security' || details.security_passed);
  }
  if (perf?.plannerRejection && issues.includes(perf.plannerRejection)) {
    const list = LAYER_ERRORS[perf.plannerRejection.layer];
    if (list) (details[list] as string[]).push(perf.plannerRejection.message);
  }

  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.filter((i) => i.severity === 'warning').length;
  const isValid = !issues.some(failing) && details.security_passed && details.syntax_valid;
  const suggestions = [...new Set([...issues.flatMap((i) => (i.suggestion ? [i.suggestion] : [])), ...reports.flatMap((r) => r.suggestions ?? [])])];
  const ordered: Layer[] = ['syntax', 'schema', 'business_logic', 'performance', 'security'];
  return {
    is_valid: isValid,
    confidence: confidenceOf(isValid, errors, warnings, perf?.basis === 'explain'),
    details,
    issues,
    suggestions,
    validated_sql: sql,
    metadata: {
      validation_time: (performance.now() - started) / 1000,
      layers_executed: ordered.filter((l) => executed.has(l)),
      ...(perf ? { performance_basis: perf.basis } : {}),
      ...(perf?.plan ? { plan: perf.plan } : {}),
    },
  };
}

/**
 * How far the verdict "this SQL is right to run" can be trusted: 1 for a clean query the planner
 * accepted; each warning takes 0.05, each error 0.3; judging without the planner takes a tenth.
 */
function confidenceOf(valid: boolean, errors: number, warnings: number, planned: boolean): number {
  let c = 1 - 0.3 * errors - 0.05 * warnings;
  if (!planned) c *= 0.9;
  if (!valid) c = Math.min(c, 0.4);
  return Math.round(Math.max(0.02, Math.min(1, c)) * 100) / 100;
}
