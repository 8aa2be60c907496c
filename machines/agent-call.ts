/**
 * One request from the orchestrator to a role (schema_analyzer, query_generator,
 * validator, reward_evaluator). The chart owns the whole recovery budget for
 * that request — per-call timeout, retry with exponential backoff, failing
 * over to the next agent of the role, skipping agents whose circuit is open,
 * failing at once on an error the request itself caused (no retry, no
 * fallback, no circuit count) —
 * and always ends in a final state with an `ok`/error output, so the workflow
 * that invokes it never has to catch.
 */
import { assign, fromPromise, setup } from 'xstate';

export interface AgentCallInput {
  role: string;
  /** Agent names of the role, primary first, then fallbacks. */
  agents: string[];
  content: unknown;
  correlation_id: string;
  session_id: string;
  max_retries: number;
  /** Seconds, as configured. */
  inter_agent_timeout: number;
  /** Seconds before the first retry; doubled on each further retry. */
  backoff_base: number;
}

/** What the `callAgent` actor resolves with: the agent's output, or its decision to refuse. */
export type AgentReply =
  | { kind: 'output'; output: unknown }
  | { kind: 'refusal'; refusal: { error_code: string; message: string; suggestions?: string[] } };

export interface CallAgentInput {
  role: string;
  agent: string;
  content: unknown;
  attempt: number;
  correlation_id: string;
  session_id: string;
}

export type FailureReason = 'error' | 'timeout' | 'circuit_open';

export interface Fallback {
  role: string;
  from: string;
  to: string | null;
  reason: FailureReason;
}

export interface AgentCallFailure {
  agent: string;
  attempt: number;
  reason: FailureReason;
  message: string;
}

export type AgentCallOutput =
  | { ok: true; agent: string; output: unknown; attempts: number; retries: number; fallbacks: Fallback[]; failures: AgentCallFailure[] }
  | {
      ok: false;
      /** AGENT_FAILED, AGENT_TIMEOUT, CIRCUIT_OPEN, the code of a refusal, or of an error the request caused. */
      error_code: string;
      message: string;
      refused: boolean;
      suggestions: string[];
      agent: string | null;
      attempts: number;
      retries: number;
      fallbacks: Fallback[];
      failures: AgentCallFailure[];
    };

export interface AgentCallContext extends AgentCallInput {
  index: number;
  /** Tries of the current agent so far (1 on the first call). */
  attempt: number;
  attempts: number;
  retries: number;
  lastReason: FailureReason | null;
  lastMessage: string;
  fallbacks: Fallback[];
  failures: AgentCallFailure[];
  reply: AgentReply | null;
  /** An error caused by the request's own content (its code and message), which ends the call. */
  requestFault: { code: string; message: string } | null;
}

export const agentCallMachine = setup({
  types: {
    input: {} as AgentCallInput,
    context: {} as AgentCallContext,
    output: {} as AgentCallOutput,
  },
  actors: {
    // Provided by the orchestrator: runs one agent once, bounded by the bulkhead, aborting on `signal`.
    callAgent: fromPromise<AgentReply, CallAgentInput>(async () => {
      throw new Error('callAgent is provided by the orchestrator');
    }),
  },
  guards: {
    noAgentLeft: ({ context }) => context.index >= context.agents.length,
    // Provided by the orchestrator from the circuit-breaker actors.
    circuitOpen: (_, _params: { agent: string }) => false,
    // An AppError marked `requestFault` (src/errors.ts): the request is at fault, not the agent.
    requestFault: ({ event }) => {
      const error = (event as { error?: { requestFault?: unknown; code?: unknown } }).error;
      return error?.requestFault === true && typeof error.code === 'string';
    },
    replyIsRefusal: ({ event }) => (event as unknown as { output: AgentReply }).output.kind === 'refusal',
    retryBudgetLeft: ({ context }) => context.attempt <= context.max_retries,
  },
  actions: {
    // Effects provided by the orchestrator (message log, metrics, circuit breakers, logs).
    agentRequested: (_, _params: { agent: string; attempt: number }) => {},
    agentResponded: (_, _params: { agent: string }) => {},
    agentRefused: (_, _params: { agent: string }) => {},
    agentFailed: (_, _params: { agent: string; reason: FailureReason; message: string }) => {},
    requestFaulted: (_, _params: { agent: string; error_code: string; message: string }) => {},
    retryScheduled: (_, _params: { agent: string; attempt: number; delay_ms: number }) => {},
    failedOver: (_, _params: Fallback) => {},
    skipOpenCircuit: assign(({ context }) => {
      const from = context.agents[context.index]!;
      const to = context.agents[context.index + 1] ?? null;
      return {
        index: context.index + 1,
        attempt: 1,
        lastReason: 'circuit_open' as const,
        lastMessage: `circuit open for ${from}`,
        fallbacks: [...context.fallbacks, { role: context.role, from, to, reason: 'circuit_open' as const }],
      };
    }),
    failOver: assign(({ context }) => {
      const from = context.agents[context.index]!;
      const to = context.agents[context.index + 1] ?? null;
      return {
        index: context.index + 1,
        attempt: 1,
        fallbacks: [...context.fallbacks, { role: context.role, from, to, reason: context.lastReason ?? 'error' }],
      };
    }),
    countRetry: assign(({ context }) => ({ attempt: context.attempt + 1, retries: context.retries + 1 })),
    countAttempt: assign(({ context }) => ({ attempts: context.attempts + 1 })),
    recordReply: assign({ reply: ({ event }) => (event as unknown as { output: AgentReply }).output }),
    recordError: assign(({ context, event }) => {
      const message = errorMessage((event as { error?: unknown }).error);
      return {
        lastReason: 'error' as const,
        lastMessage: message,
        failures: [...context.failures, { agent: context.agents[context.index]!, attempt: context.attempt, reason: 'error' as const, message }],
      };
    }),
    // The detail, not the message: the error response wraps it in the code's template once.
    recordRequestFault: assign(({ event }) => {
      const error = (event as unknown as { error: { code: string; detail?: unknown } }).error;
      return { requestFault: { code: error.code, message: typeof error.detail === 'string' ? error.detail : errorMessage(error) } };
    }),
    recordTimeout: assign(({ context }) => {
      const message = `no response within ${context.inter_agent_timeout}s`;
      return {
        lastReason: 'timeout' as const,
        lastMessage: message,
        failures: [...context.failures, { agent: context.agents[context.index]!, attempt: context.attempt, reason: 'timeout' as const, message }],
      };
    }),
  },
  delays: {
    interAgentTimeout: ({ context }) => context.inter_agent_timeout * 1000,
    backoff: ({ context }) => backoffMs(context.backoff_base, context.attempt),
  },
}).createMachine({
  id: 'agentCall',
  // Field by field rather than a spread of the input: one fixed shape for a context built on every agent request.
  context: ({ input }) => ({
    role: input.role,
    agents: input.agents,
    content: input.content,
    correlation_id: input.correlation_id,
    session_id: input.session_id,
    max_retries: input.max_retries,
    inter_agent_timeout: input.inter_agent_timeout,
    backoff_base: input.backoff_base,
    index: 0,
    attempt: 1,
    attempts: 0,
    retries: 0,
    lastReason: null,
    lastMessage: '',
    fallbacks: [],
    failures: [],
    reply: null,
    requestFault: null,
  }),
  initial: 'selecting',
  states: {
    selecting: {
      always: [
        { guard: 'noAgentLeft', target: 'exhausted' },
        {
          guard: { type: 'circuitOpen', params: ({ context }) => ({ agent: context.agents[context.index]! }) },
          target: 'selecting',
          reenter: true,
          actions: [
            'skipOpenCircuit',
            { type: 'failedOver', params: ({ context }) => context.fallbacks[context.fallbacks.length - 1]! },
          ],
        },
        { target: 'calling' },
      ],
    },
    calling: {
      entry: [
        'countAttempt',
        { type: 'agentRequested', params: ({ context }) => ({ agent: context.agents[context.index]!, attempt: context.attempt }) },
      ],
      invoke: {
        id: 'callAgent',
        src: 'callAgent',
        input: ({ context }) => ({
          role: context.role,
          agent: context.agents[context.index]!,
          content: context.content,
          attempt: context.attempt,
          correlation_id: context.correlation_id,
          session_id: context.session_id,
        }),
        onDone: [
          {
            guard: 'replyIsRefusal',
            target: 'refused',
            actions: ['recordReply', { type: 'agentRefused', params: ({ context }) => ({ agent: context.agents[context.index]! }) }],
          },
          {
            target: 'succeeded',
            actions: ['recordReply', { type: 'agentResponded', params: ({ context }) => ({ agent: context.agents[context.index]! }) }],
          },
        ],
        onError: [
          {
            guard: 'requestFault',
            target: 'request_faulted',
            actions: [
              'recordRequestFault',
              {
                type: 'requestFaulted',
                params: ({ context }) => ({ agent: context.agents[context.index]!, error_code: context.requestFault!.code, message: context.requestFault!.message }),
              },
            ],
          },
          {
            target: 'call_failed',
            actions: [
              'recordError',
              {
                type: 'agentFailed',
                params: ({ context }) => ({ agent: context.agents[context.index]!, reason: 'error' as const, message: context.lastMessage }),
              },
            ],
          },
        ],
      },
      after: {
        interAgentTimeout: {
          target: 'call_failed',
          actions: [
            'recordTimeout',
            {
              type: 'agentFailed',
              params: ({ context }) => ({ agent: context.agents[context.index]!, reason: 'timeout' as const, message: context.lastMessage }),
            },
          ],
        },
      },
    },
    call_failed: {
      always: [
        {
          guard: 'retryBudgetLeft',
          target: 'backing_off',
          actions: {
            type: 'retryScheduled',
            params: ({ context }) => ({
              agent: context.agents[context.index]!,
              attempt: context.attempt + 1,
              delay_ms: backoffMs(context.backoff_base, context.attempt),
            }),
          },
        },
        {
          target: 'selecting',
          actions: ['failOver', { type: 'failedOver', params: ({ context }) => context.fallbacks[context.fallbacks.length - 1]! }],
        },
      ],
    },
    backing_off: {
      after: { backoff: { target: 'calling', actions: 'countRetry' } },
    },
    succeeded: { type: 'final' },
    refused: { type: 'final' },
    request_faulted: { type: 'final' },
    exhausted: { type: 'final' },
  },
  output: ({ context }) => agentCallOutput(context),
});

/** Exponential backoff: base, 2×base, 4×base … for the 1st, 2nd, 3rd retry. */
export function backoffMs(baseSeconds: number, attempt: number): number {
  return baseSeconds * 1000 * 2 ** (attempt - 1);
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'agent error';
}

function agentCallOutput(context: AgentCallContext): AgentCallOutput {
  const common = {
    attempts: context.attempts,
    retries: context.retries,
    fallbacks: context.fallbacks,
    failures: context.failures,
  };
  const agent = context.agents[context.index] ?? null;
  const reply = context.reply;
  if (reply?.kind === 'output') return { ok: true, agent: agent!, output: reply.output, ...common };
  if (reply?.kind === 'refusal') {
    return {
      ok: false,
      error_code: reply.refusal.error_code,
      message: reply.refusal.message,
      refused: true,
      suggestions: reply.refusal.suggestions ?? [],
      agent,
      ...common,
    };
  }
  if (context.requestFault) {
    return { ok: false, error_code: context.requestFault.code, message: context.requestFault.message, refused: false, suggestions: [], agent, ...common };
  }
  const allOpen = context.agents.length > 0 && context.fallbacks.length === context.agents.length &&
    context.fallbacks.every((f) => f.reason === 'circuit_open');
  const error_code = allOpen ? 'CIRCUIT_OPEN' : context.lastReason === 'timeout' ? 'AGENT_TIMEOUT' : 'AGENT_FAILED';
  const last = context.agents[context.agents.length - 1] ?? null;
  return {
    ok: false,
    error_code,
    message: context.agents.length === 0 ? `no agent registered for ${context.role}` : `${context.role}: ${context.lastMessage}`,
    refused: false,
    suggestions: [],
    agent: last,
    ...common,
  };
}
