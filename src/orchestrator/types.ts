/**
 * The orchestrator's public types: options, session snapshots and their
 * events, metrics. Plain JSON-serializable shapes (but the options), so a
 * session store outside the process can hold them.
 */
import type { Logger } from 'pino';
import type { InspectionEvent, Observer } from 'xstate';
import type { Stage } from '../../machines/workflow.js';
import type { AgentServices, Mode, Role } from '../agents/types.js';
import type { OrchestratorConfig } from './config.js';
import type { AgentMessage } from './messages.js';
import type { LatencySummary } from './metrics.js';
import type { AgentSpec, AgentsOption } from './registry.js';
import type { ProcessOutcome } from './result.js';

export type SessionStatus = 'created' | 'active' | 'completed' | 'failed' | 'expired';

export interface StageRecord {
  output: unknown;
  started_at: string;
  ms: number;
  attempts: number;
}

export interface TurnSnapshot {
  turn: number;
  correlation_id: string;
  query: string;
  mode: Mode;
  outcome: 'completed' | 'failed' | 'expired' | null;
  stages: Partial<Record<Stage, StageRecord>>;
  result: ProcessOutcome | null;
}

export interface RecoveryEntry {
  at: string;
  turn: number;
  role: string;
  agent: string;
  kind: 'retry' | 'fallback' | 'failure' | 'timeout' | 'circuit_open';
  detail: string;
}

export interface SessionSnapshot {
  session_id: string;
  status: SessionStatus;
  created_at: string;
  updated_at: string;
  expired_reason?: 'idle' | 'cancelled';
  turns: TurnSnapshot[];
  messages: AgentMessage[];
  recovery: RecoveryEntry[];
}

export interface OrchestratorOptions {
  config?: Partial<OrchestratorConfig> & Record<string, unknown>;
  agents?: AgentsOption;
  logger?: Logger;
  /** Environment for GL_RL_* settings (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Observer of every actor's events, e.g. `createSkyInspector().inspect` from @statelyai/inspect. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** The shipped agents for roles that `agents` does not name, and the services they use. */
  defaults?: { agents: Record<Role, AgentSpec | AgentSpec[]>; services?: (config: OrchestratorConfig, logger: Logger) => Promise<AgentServices> };
}

/** What `onStage` listeners hear about one session: each stage entered, each turn's outcome, the expiry. */
export type SessionEvent =
  | { session_id: string; turn: number; stage: Stage; at: string }
  | { session_id: string; turn: number; outcome: 'completed' | 'failed' | 'expired'; error_code?: string; at: string }
  | { session_id: string; expired: 'idle' | 'cancelled'; at: string };

/** What `onEvent` listeners hear: every session's events, and each recovery step (retry, fallback, failure) as it happens. */
export type LiveEvent = SessionEvent | { session_id: string; turn: number; recovery: RecoveryEntry['kind']; role: string; agent: string; detail: string; at: string };

/** What an `onEvent` listener gets beside an `outcome` event: the turn itself (the event keeps the shape `onStage` gives). */
export interface EndedTurn {
  query: string;
  mode: Mode;
  result: ProcessOutcome;
}

export type LiveListener = (event: LiveEvent, turn?: EndedTurn) => void;

/** Counters of `summary()`: what `metrics()` has, less the latency summaries and the walk over the sessions. */
export interface OrchestratorSummary {
  workflows: { started: number; completed: number; failed: number; expired: number };
  error_codes: Record<string, number>;
  agents: MetricsSnapshot['agents'];
  recovery: MetricsSnapshot['recovery'];
  cache: MetricsSnapshot['cache'];
  sessions: { retained: number; active_turns: number; duration_buckets: MetricsSnapshot['sessions']['duration_buckets'] };
  bulkhead: MetricsSnapshot['bulkhead'];
}

export interface TurnEvent {
  outcome: 'completed' | 'failed' | 'expired';
  turn: number;
  session_id: string;
  mode: Mode;
  query: string;
  result: ProcessOutcome;
}

export interface MetricsSnapshot {
  workflows: { started: number; completed: number; failed: number; expired: number; completion_rate: number; latency_ms: LatencySummary };
  error_codes: Record<string, number>;
  stages: Partial<Record<Stage, LatencySummary>>;
  agents: Record<string, { role: string; calls: number; failures: number; timeouts: number; refusals: number; failure_rate: number; circuit: string }>;
  recovery: { retries: number; fallbacks: number; regenerations: number };
  cache: Record<'schema_analysis' | 'query_generation', { hits: number; misses: number; hit_ratio: number; size: number }>;
  sessions: {
    total: number;
    by_status: Record<SessionStatus, number>;
    duration_s: LatencySummary;
    duration_buckets: Array<{ le: number; count: number }>;
    messages_retained: number;
    /** Mean JSON size of a sample of retained session snapshots. */
    estimated_bytes_per_session: number;
    limits: { max_retained_sessions: number; max_messages_per_session: number; max_turns_per_session: number; max_live_sessions: number; max_session_bytes: number };
  };
  bulkhead: { limit: number; in_flight: number; queued: number; peak: number };
}
