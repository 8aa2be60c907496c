/**
 * A session is a conversation; each turn is one run of the workflow chart,
 * invoked as the child `workflow`. The session rests in `completed` or
 * `failed` (the last turn's outcome) until the next turn, and expires — for
 * good — when idle longer than `idle_timeout`, or when cancelled or deleted.
 */
import { assign, sendTo, setup } from 'xstate';
import { workflowMachine, type WorkflowInput, type WorkflowOutput } from './workflow.js';

export interface SessionInput {
  session_id: string;
  /** Seconds a session may stay idle before it expires (the `cache_ttl` setting). */
  idle_timeout: number;
}

export interface SessionContext extends SessionInput {
  turns: number;
  turn: WorkflowInput | null;
}

export type SessionEvent =
  | { type: 'turn.started'; input: WorkflowInput }
  | { type: 'session.cancelled'; reason?: string };

const workflowOutput = (event: unknown) => (event as { output: WorkflowOutput }).output;

/** A session waiting for its next turn: after creation, and after each turn. */
const resting = {
  on: {
    'turn.started': { target: 'active', actions: 'startTurn' },
    'session.cancelled': 'cancelled',
  },
  after: { idleTimeout: 'idle_expired' },
} as const;

export const sessionMachine = setup({
  types: {
    input: {} as SessionInput,
    context: {} as SessionContext,
    events: {} as SessionEvent,
  },
  actors: {
    workflow: workflowMachine,
  },
  guards: {
    turnCompleted: ({ event }) => workflowOutput(event).outcome === 'completed',
    turnCancelled: ({ event }) => workflowOutput(event).failure?.error_code === 'CANCELLED',
  },
  actions: {
    startTurn: assign(({ context, event }) => ({
      turns: context.turns + 1,
      turn: (event as Extract<SessionEvent, { type: 'turn.started' }>).input,
    })),
    forwardCancel: sendTo('workflow', ({ event }) => event),
    // Effects provided by the orchestrator: settle the caller's promise, record the turn, log.
    turnSettled: (_, _params: { output: WorkflowOutput }) => {},
    turnCrashed: (_, _params: { error: unknown }) => {},
    sessionExpired: (_, _params: { reason: 'idle' | 'cancelled' }) => {},
  },
  delays: {
    idleTimeout: ({ context }) => context.idle_timeout * 1000,
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({ ...input, turns: 0, turn: null }),
  initial: 'created',
  states: {
    created: resting,
    active: {
      invoke: {
        id: 'workflow',
        src: 'workflow',
        input: ({ context }) => context.turn!,
        onDone: [
          {
            guard: 'turnCancelled',
            target: 'cancelled',
            actions: { type: 'turnSettled', params: ({ event }) => ({ output: event.output }) },
          },
          {
            guard: 'turnCompleted',
            target: 'completed',
            actions: { type: 'turnSettled', params: ({ event }) => ({ output: event.output }) },
          },
          { target: 'failed', actions: { type: 'turnSettled', params: ({ event }) => ({ output: event.output }) } },
        ],
        onError: { target: 'failed', actions: { type: 'turnCrashed', params: ({ event }) => ({ error: event.error }) } },
      },
      on: {
        'session.cancelled': { actions: 'forwardCancel' },
      },
    },
    // The last turn's outcome; both rest until the next turn, a cancel, or the idle timeout.
    completed: resting,
    failed: resting,
    // Two ways to expire, one final state: the reason is kept for the snapshot.
    idle_expired: {
      always: { target: 'expired', actions: { type: 'sessionExpired', params: { reason: 'idle' } } },
    },
    cancelled: {
      always: { target: 'expired', actions: { type: 'sessionExpired', params: { reason: 'cancelled' } } },
    },
    expired: { type: 'final' },
  },
});
