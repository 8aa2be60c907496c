/**
 * Limits concurrent agent calls across all sessions (`max_concurrent_agents`).
 * Waiters queue in arrival order; a waiter whose signal aborts leaves the queue.
 *
 * When a finished call hands its slot to a waiter, its caller continues on the
 * next turn of the event loop. Replies that fall due together (timers, I/O)
 * then all free their slots before any of their workflows does its
 * bookkeeping, instead of each waiting behind the one before it.
 */
// The real setImmediate even under a test's fake timers: slots follow the actual event loop.
import { setImmediate } from 'node:timers';

export class Bulkhead {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void; signal?: AbortSignal; onAbort: () => void }> = [];
  peak = 0;

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` in a slot; the slot is released however the task ends. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      if (this.release()) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.limit) {
      this.take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        signal,
        grant: () => {
          signal?.removeEventListener('abort', waiter.onAbort);
          this.take();
          resolve();
        },
        onAbort: () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private take(): void {
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
  }

  /** Whether the slot went to a waiter. */
  private release(): boolean {
    this.active--;
    const next = this.waiting.shift();
    next?.grant();
    return next !== undefined;
  }
}
