/**
 * Shapes users see: the specification's Output Structure on success and its
 * Error Response on failure (see contract.md "Workflow outcomes").
 */
import type { Stage, WorkflowOutput } from '../../machines/workflow.js';
import type { WorkflowRole } from '../../machines/roles.js';
import type { Fallback } from '../../machines/agent-call.js';
import { AppError, errorMessage, type ErrorCode } from '../errors.js';
import type { Mode } from '../agents/types.js';
import type { SpecValidation, ValidationIssue } from '../agents/validator/contract.js';

export type { SpecValidation };

export interface ResultMetadata {
  turn: number;
  agents: Partial<Record<WorkflowRole, string>>;
  fallbacks: Fallback[];
  retries: number;
  regenerations: number;
  stage_timings_ms: Partial<Record<Stage, number>>;
  cache: WorkflowOutput['cache'];
  generator: string | null;
}

export interface ProcessResult {
  session_id: string;
  query: string;
  sql: string;
  reasoning: string;
  confidence: number;
  validation: SpecValidation;
  timestamp: string;
  workflow_stage: 'completed';
  training?: { rewards: Record<string, number>; total_reward: number; feedback: unknown[] };
  metadata: ResultMetadata;
}

export interface ErrorResponse {
  error: string;
  error_code: string;
  partial_results: Record<string, unknown>;
  session_id: string | null;
  failed_stage: Stage;
  suggestions: string[];
}

export type ProcessOutcome = ProcessResult | ErrorResponse;

export function isErrorResponse(value: ProcessOutcome): value is ErrorResponse {
  return 'error_code' in value;
}

/** A confidence the validator did not confirm is halved. */
const UNVALIDATED_CONFIDENCE_FACTOR = 0.5;

export function successResult(
  output: WorkflowOutput,
  turn: { session_id: string; query: string; mode: Mode; turn: number; stage_timings_ms: ResultMetadata['stage_timings_ms'] },
): ProcessResult {
  const generation = (output.results.query_generation ?? {}) as { sql?: string; reasoning?: string; confidence?: number; metadata?: { generator?: string } };
  const validation = specValidation(output.results.validation);
  const confidence = clamp01(generation.confidence ?? 0.5) * (validation.is_valid ? 1 : UNVALIDATED_CONFIDENCE_FACTOR);
  const result: ProcessResult = {
    session_id: turn.session_id,
    query: turn.query,
    sql: generation.sql ?? '',
    reasoning: generation.reasoning ?? '',
    confidence: Math.round(confidence * 1000) / 1000,
    validation,
    timestamp: new Date().toISOString(),
    workflow_stage: 'completed',
    metadata: {
      turn: turn.turn,
      agents: output.agents,
      fallbacks: output.fallbacks,
      retries: output.retries,
      regenerations: output.regenerations,
      stage_timings_ms: turn.stage_timings_ms,
      cache: output.cache,
      generator: generation.metadata?.generator ?? output.agents.query_generator ?? null,
    },
  };
  if (turn.mode === 'train') {
    const reward = (output.results.reward_evaluation ?? {}) as { rewards?: Record<string, number>; total_reward?: number; feedback?: unknown[] };
    result.training = { rewards: reward.rewards ?? {}, total_reward: reward.total_reward ?? 0, feedback: reward.feedback ?? [] };
  }
  return result;
}

/** The specification's validation block, derived from whatever validator answered. */
export function specValidation(raw: unknown): SpecValidation {
  const v = (raw ?? {}) as { is_valid?: boolean; details?: Record<string, unknown>; issues?: unknown[]; suggestions?: unknown[] };
  const d = v.details ?? {};
  const is_valid = v.is_valid === true;
  const flag = (key: string) => (typeof d[key] === 'boolean' ? (d[key] as boolean) : is_valid);
  return {
    is_valid,
    details: {
      syntax_valid: flag('syntax_valid'),
      schema_compliant: flag('schema_compliant'),
      business_logic_valid: flag('business_logic_valid'),
      performance_acceptable: typeof d.performance_acceptable === 'boolean' ? d.performance_acceptable : true,
      issues: asArray(v.issues ?? d.issues) as ValidationIssue[],
      suggestions: asArray(v.suggestions ?? d.suggestions).map(String),
    },
  };
}

export function failureResponse(output: WorkflowOutput, session_id: string): ErrorResponse {
  const failure = output.failure ?? { error_code: 'AGENT_FAILED', message: 'the workflow failed', stage: output.stage, suggestions: [] };
  const partial_results: Record<string, unknown> = {};
  for (const stage of output.completed_stages) partial_results[stage] = stageOutput(output, stage);
  return buildErrorResponse({ code: failure.error_code, detail: failure.message, session_id, stage: failure.stage, partial_results, suggestions: failure.suggestions });
}

/** What a finished stage produced: the agent's output, or for the two agentless stages what they decided. */
export function stageOutput(output: WorkflowOutput, stage: Stage): unknown {
  switch (stage) {
    case 'initialization':
      return { cache: output.cache };
    case 'schema_analysis':
      return output.results.schema_analysis;
    case 'query_generation':
      return output.results.query_generation;
    case 'validation':
      return output.results.validation;
    case 'reward_evaluation':
      return output.results.reward_evaluation;
    case 'finalization':
      return { outcome: output.outcome };
  }
}

/** The Error Response for errors raised outside the workflow (bad input, expired session, shutdown). */
export function errorResponse(error: unknown, session_id: string | null, stage: Stage = 'initialization'): ErrorResponse {
  const e = error instanceof AppError ? error : new AppError('AGENT_FAILED', (error as Error)?.message ?? String(error));
  return buildErrorResponse({ code: e.code, detail: e.detail, session_id, stage, partial_results: {}, field: e.details.field as string | undefined });
}

/**
 * The one builder of the Error Response: the message is the catalog's
 * template around the detail (a code outside the catalog keeps the detail),
 * the suggestions the failure's own or the code's.
 */
function buildErrorResponse(failure: {
  code: string;
  detail: string;
  session_id: string | null;
  stage: Stage;
  partial_results: Record<string, unknown>;
  suggestions?: string[];
  field?: string;
}): ErrorResponse {
  return {
    error: errorMessage(failure.code, failure.detail),
    error_code: failure.code,
    partial_results: failure.partial_results,
    session_id: failure.session_id,
    failed_stage: failure.stage,
    suggestions: failure.suggestions?.length ? failure.suggestions : defaultSuggestions(failure.code, failure.field),
  };
}

function defaultSuggestions(code: string, field?: string): string[] {
  const byCode: Partial<Record<ErrorCode, string[]>> = {
    INVALID_INPUT: [field ? `Correct the field \`${field}\` and send the request again.` : 'Correct the request and send it again.'],
    SESSION_EXPIRED: ['Start a new session: omit session_id or use a new one.'],
    SHUTTING_DOWN: ['Retry against another instance, or once the service has restarted.'],
    AGENT_TIMEOUT: ['Retry the request, or raise `inter_agent_timeout`.'],
    AGENT_FAILED: ['Retry the request; if it keeps failing, configure a fallback agent for the role.'],
    CIRCUIT_OPEN: ['The agent is failing repeatedly; retry after the circuit reset timeout.'],
    WRITE_NOT_ALLOWED: ['Ask a question that reads data; changes must go through the application itself.'],
    DATABASE_UNAVAILABLE: ['Check the database server named in the message (running, reachable, the URL\'s user and password); the request can be retried once it is back.'],
    QUERY_TIMEOUT: ['Narrow the question (a filter, fewer rows), or raise `statement_timeout`.'],
  };
  return byCode[code as ErrorCode] ?? [];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
