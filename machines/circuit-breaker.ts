/**
 * A circuit breaker for one agent. Consecutive failures open the circuit;
 * after `reset_timeout` one trial call is let through (half-open); its
 * outcome closes the circuit again or reopens it.
 */
import { assign, setup } from 'xstate';

export interface CircuitBreakerInput {
  agent: string;
  failure_threshold: number;
  /** Seconds the circuit stays open before a trial call. */
  reset_timeout: number;
}

export interface CircuitBreakerContext extends CircuitBreakerInput {
  failures: number;
}

export type CircuitBreakerEvent = { type: 'agent.succeeded' } | { type: 'agent.failed' };

export const circuitBreakerMachine = setup({
  types: {
    input: {} as CircuitBreakerInput,
    context: {} as CircuitBreakerContext,
    events: {} as CircuitBreakerEvent,
  },
  guards: {
    thresholdReached: ({ context }) => context.failures + 1 >= context.failure_threshold,
    hasFailures: ({ context }) => context.failures > 0,
  },
  actions: {
    countFailure: assign({ failures: ({ context }) => context.failures + 1 }),
    resetFailures: assign({ failures: 0 }),
    // Effect provided by the orchestrator (logs and metrics).
    circuitChanged: (_, _params: { agent: string; state: 'closed' | 'open' | 'half_open' }) => {},
  },
  delays: {
    resetTimeout: ({ context }) => context.reset_timeout * 1000,
  },
}).createMachine({
  id: 'circuitBreaker',
  context: ({ input }) => ({ ...input, failures: 0 }),
  initial: 'closed',
  states: {
    closed: {
      on: {
        'agent.failed': [
          {
            guard: 'thresholdReached',
            target: 'open',
            actions: ['countFailure', { type: 'circuitChanged', params: ({ context }) => ({ agent: context.agent, state: 'open' as const }) }],
          },
          { actions: 'countFailure' },
        ],
        // A success resets the count only when there is one, so a healthy breaker ignores it.
        'agent.succeeded': { guard: 'hasFailures', actions: 'resetFailures' },
      },
    },
    open: {
      after: {
        resetTimeout: {
          target: 'half_open',
          actions: { type: 'circuitChanged', params: ({ context }) => ({ agent: context.agent, state: 'half_open' as const }) },
        },
      },
    },
    half_open: {
      on: {
        'agent.succeeded': {
          target: 'closed',
          actions: ['resetFailures', { type: 'circuitChanged', params: ({ context }) => ({ agent: context.agent, state: 'closed' as const }) }],
        },
        'agent.failed': {
          target: 'open',
          actions: { type: 'circuitChanged', params: ({ context }) => ({ agent: context.agent, state: 'open' as const }) },
        },
      },
    },
  },
});
