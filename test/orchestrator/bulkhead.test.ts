/** The bulkhead on its own: the limit, arrival order, aborted waiters, and how a finished call hands its slot on. */
import { describe, expect, it } from 'vitest';
import { Bulkhead } from '../../src/orchestrator/bulkhead.js';

const after = (ms: number, name: string, order: string[]) => () =>
  new Promise<void>((resolve) =>
    setTimeout(() => {
      order.push(`${name} finished`);
      resolve();
    }, ms),
  );

describe('Bulkhead', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const bulkhead = new Bulkhead(2);
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      order.push(name);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => bulkhead.run(task(name))));
    expect(results).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(2);
    expect(bulkhead.peak).toBe(2);
    expect(bulkhead.inFlight).toBe(0);
  });

  it('takes an aborted waiter out of the queue, and frees the slot of a task that fails', async () => {
    const bulkhead = new Bulkhead(1);
    const controller = new AbortController();
    const first = bulkhead.run(() => Promise.reject(new Error('agent broke')));
    const waiter = bulkhead.run(async () => 'never', controller.signal);
    controller.abort(new Error('timed out'));
    await expect(waiter).rejects.toThrow('timed out');
    await expect(first).rejects.toThrow('agent broke');
    expect(await bulkhead.run(async () => 'next')).toBe('next');
    expect(bulkhead.queued).toBe(0);
  });

  it('lets replies due together free their slots before their callers continue', async () => {
    const bulkhead = new Bulkhead(2);
    const order: string[] = [];
    const runs = [
      bulkhead.run(after(5, 'A', order)).then(() => order.push('A continued')),
      bulkhead.run(after(5, 'B', order)).then(() => order.push('B continued')),
      bulkhead.run(() => (order.push('C started'), after(20, 'C', order)())),
      bulkhead.run(() => (order.push('D started'), after(20, 'D', order)())),
    ];
    await Promise.all(runs);
    // Both waiters had their slots before A's caller did any of its own work.
    expect(order.slice(0, 6)).toEqual(['A finished', 'C started', 'B finished', 'D started', 'A continued', 'B continued']);
  });

  it('hands a reply straight back when nobody waits', async () => {
    const bulkhead = new Bulkhead(1);
    const order: string[] = [];
    const run = bulkhead.run(async () => 'reply').then(() => order.push('continued'));
    setImmediate(() => order.push('next turn'));
    await run;
    expect(order).toEqual(['continued']);
  });
});
