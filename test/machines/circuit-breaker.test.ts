/**
 * The circuit-breaker chart on its own, under simulated time: counts, the
 * open → half_open delay, the trial call's outcome, and the healthy breaker
 * that has nothing to reset.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { circuitBreakerMachine } from '../../machines/circuit-breaker.js';

const input = { agent: 'embedded', failure_threshold: 3, reset_timeout: 30 };

function start() {
  const changes: string[] = [];
  const actor = createActor(
    circuitBreakerMachine.provide({ actions: { circuitChanged: (_, params) => changes.push(params.state) } }),
    { input },
  ).start();
  return { actor, changes };
}

describe('circuit breaker chart', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a healthy breaker cannot take a success: there is nothing to reset', () => {
    const { actor } = start();
    expect(actor.getSnapshot().can({ type: 'agent.succeeded' })).toBe(false);
    actor.send({ type: 'agent.failed' });
    expect(actor.getSnapshot().context.failures).toBe(1);
    expect(actor.getSnapshot().can({ type: 'agent.succeeded' })).toBe(true);
    actor.send({ type: 'agent.succeeded' });
    expect(actor.getSnapshot().matches('closed')).toBe(true);
    expect(actor.getSnapshot().context.failures).toBe(0);
  });

  it('opens at the threshold, lets one trial through after reset_timeout, and closes on its success', async () => {
    const { actor, changes } = start();
    for (let i = 0; i < 3; i++) actor.send({ type: 'agent.failed' });
    expect(actor.getSnapshot().matches('open')).toBe(true);
    expect(actor.getSnapshot().can({ type: 'agent.succeeded' })).toBe(false);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(actor.getSnapshot().matches('open')).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(actor.getSnapshot().matches('half_open')).toBe(true);
    actor.send({ type: 'agent.succeeded' });
    expect(actor.getSnapshot().matches('closed')).toBe(true);
    expect(actor.getSnapshot().context.failures).toBe(0);
    expect(changes).toEqual(['open', 'half_open', 'closed']);
    actor.stop();
  });

  it('a failed trial reopens the circuit for another reset_timeout', async () => {
    const { actor, changes } = start();
    for (let i = 0; i < 3; i++) actor.send({ type: 'agent.failed' });
    await vi.advanceTimersByTimeAsync(30_000);
    actor.send({ type: 'agent.failed' });
    expect(actor.getSnapshot().matches('open')).toBe(true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(changes).toEqual(['open', 'half_open', 'open', 'half_open']);
    actor.stop();
  });
});
