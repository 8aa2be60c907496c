/**
 * One request from the workflow to a role, as states of the workflow chart
 * itself: this factory stamps the same two states into every agent stage.
 *
 *   calling      invokes `callAgent` for the role's current agent, bounded
 *                by `after interAgentTimeout`; its done and error events are
 *                routed by guarded transitions:
 *                  a refusal          → failed (no retry, no fallback)
 *                  an answer          → the stage's own success transitions
 *                  a request fault    → failed with the error's own code (the
 *                                       request is at fault: no retry, no
 *                                       fallback, no circuit count)
 *                  an open circuit    → the next agent (a `circuit_open` fallback)
 *                  an error or the timeout, with retry budget → backing_off
 *                  … without budget, another agent left → the next agent
 *                  … none left        → failed (AGENT_FAILED, AGENT_TIMEOUT, CIRCUIT_OPEN)
 *   backing_off  waits `retry_backoff × 2^(attempt−1)` seconds, then calls again.
 *
 * No child machine per request and no eventless hop: the only actor is the
 * agent's own promise. Guards and actions are named here and implemented by
 * the workflow chart's `setup` (the per-stage `role` comes as a parameter).
 */
import { and } from 'xstate';
import { ROLE_TABLE, type WorkflowRole } from './roles.js';

/** What the `callAgent` actor resolves with: the agent's output, or its decision to refuse. */
export type AgentReply =
  | { kind: 'output'; output: unknown }
  | { kind: 'refusal'; refusal: { error_code: string; message: string; suggestions?: string[] } };

export interface CallAgentInput {
  role: WorkflowRole;
  agent: string;
  content: unknown;
  attempt: number;
  correlation_id: string;
  session_id: string;
}

/**
 * How `callAgent` says the agent was not called because its circuit is open:
 * it rejects with an error carrying this mark, and the chart skips the agent.
 */
export const CIRCUIT_OPEN_MARK = 'circuit_open';

export type FailureReason = 'error' | 'timeout' | 'circuit_open';

export interface Fallback {
  role: string;
  from: string;
  to: string | null;
  reason: FailureReason;
}

/** Where the current stage's request stands: which agent of the role, which try. */
export interface CallState {
  index: number;
  /** Tries of the current agent so far (1 on the first call). */
  attempt: number;
  reason: FailureReason | null;
  message: string;
  /** Agents of the role skipped because their circuit was open. */
  skipped: number;
}

export const FRESH_CALL: CallState = { index: 0, attempt: 1, reason: null, message: '', skipped: 0 };

/** Exponential backoff: base, 2×base, 4×base … for the 1st, 2nd, 3rd retry. */
export function backoffMs(baseSeconds: number, attempt: number): number {
  return baseSeconds * 1000 * 2 ** (attempt - 1);
}

type Action = string | { type: string; params?: unknown };
/**
 * Untyped for XState: its config types do not carry string literals through
 * a factory. The names are those of the workflow's `setup`; the model-based
 * tests walk every transition stamped here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AgentCallStates = { calling: any; backing_off: any };
export interface SuccessTransition {
  guard?: unknown;
  target: string;
  actions?: Action[];
}

/**
 * The `calling` and `backing_off` states of one agent stage. `onAnswer` are
 * the stage's transitions on an answer (guarded, first match wins); the
 * answer is stored under the role's result key before their own actions run.
 * `input` builds the request from the chart's context.
 */
export function agentCallStates<I>(role: WorkflowRole, input: I, onAnswer: SuccessTransition[]): AgentCallStates {
  const p = { role };
  const failOver = [{ type: 'failOver', params: p }, { type: 'failedOver', params: p }];
  const retry = { target: 'backing_off', actions: [{ type: 'retryScheduled', params: p }] };
  const next = { guard: { type: 'nextAgentLeft', params: p }, target: 'calling', reenter: true, actions: failOver };
  const exhausted = { target: '#workflow.failed', actions: [...failOver, { type: 'recordExhausted', params: p }] };
  /** After an error or the timeout: retry, fail over, or give up, each after noting the failure. */
  const afterFailure = (note: Action[]) => [
    { guard: 'retryBudgetLeft', ...retry, actions: [...note, ...retry.actions] },
    { ...next, actions: [...note, ...next.actions] },
    { ...exhausted, actions: [...note, ...exhausted.actions] },
  ];
  const skip = [{ type: 'skipOpenCircuit', params: p }, { type: 'failedOver', params: p }];
  return {
    calling: {
      invoke: {
        id: ROLE_TABLE[role].invoke,
        src: 'callAgent',
        input,
        onDone: [
          { guard: 'replyIsRefusal', target: '#workflow.failed', actions: [{ type: 'agentRefused', params: p }, 'recordRefusal'] },
          ...onAnswer.map((t) => ({
            ...t,
            actions: [{ type: 'storeAnswer', params: p }, { type: 'agentResponded', params: p }, ...(t.actions ?? [])],
          })),
        ],
        onError: [
          { guard: 'requestFault', target: '#workflow.failed', actions: ['recordRequestFault', { type: 'requestFaulted', params: p }] },
          { ...next, guard: and(['circuitWasOpen', next.guard]), actions: skip },
          { guard: 'circuitWasOpen', ...exhausted, actions: [...skip, { type: 'recordExhausted', params: p }] },
          ...afterFailure(['recordCallError', { type: 'agentFailed', params: p }]),
        ],
      },
      after: { interAgentTimeout: afterFailure(['recordCallTimeout', { type: 'agentFailed', params: p }]) },
    },
    backing_off: {
      after: { backoff: { target: 'calling', actions: 'countRetry' } },
    },
  };
}
