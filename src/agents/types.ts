/**
 * What every agent sees: the content the orchestrator sends it and the
 * per-call context. Agents are XState actor logic or plain async functions
 * of this shape; both are adapted to actors by the orchestrator's registry.
 */

export type Mode = 'generate' | 'train';
export type Role = 'schema_analyzer' | 'query_generator' | 'validator' | 'reward_evaluator';
export const ROLES: readonly Role[] = ['schema_analyzer', 'query_generator', 'validator', 'reward_evaluator'];

export interface HistoricalQuery {
  query: string;
  sql?: string;
}

export interface RequestContext {
  user_preferences?: Record<string, unknown>;
  business_rules?: Record<string, unknown>;
  historical_queries?: HistoricalQuery[];
  expected_sql?: string;
  [key: string]: unknown;
}

/** Fields the orchestrator sends to every agent. */
export interface BaseContent {
  query: string;
  context: RequestContext;
  mode: Mode;
}

/** A refusal is a decision, not a fault: the workflow fails with its code, without retry or fallback. */
export interface Refusal {
  refusal: { error_code: string; message: string; suggestions?: string[] };
}

export interface SessionView {
  session_id: string;
  turn: number;
}

/**
 * Turn-independent services the orchestrator starts once and hands to every
 * agent call (the shipped agents find the catalog and databases here).
 */
export interface AgentServices {
  /** Entities of a question, run in parallel with schema analysis. */
  extractEntities?(query: string): unknown;
  close?(): Promise<void>;
}

export interface AgentCallContext {
  /** Aborts when the call times out or the session is cancelled: stop the work. */
  signal: AbortSignal;
  session: SessionView;
  services?: AgentServices;
}

export type AgentFunction<In = any, Out = any> = (content: In, ctx: AgentCallContext) => Promise<Out | Refusal>;

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'refusal' in value &&
    typeof (value as Refusal).refusal?.error_code === 'string';
}
