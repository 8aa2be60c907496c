/**
 * Admits a burst of turns a batch per turn of the event loop.
 *
 * Starting a turn is synchronous CPU: the session and workflow actors and the
 * first stages, until the first agent request. A thousand turns arriving at
 * once would hold the event loop for hundreds of milliseconds, while agents
 * already answering went unheard and their bulkhead slots stood idle. Between
 * batches, timers and I/O run, so replies free their slots while the rest of
 * the burst is still being admitted. A lone request is admitted at once.
 */
// The real setImmediate even under a test's fake timers: admission follows the actual event loop.
import { setImmediate } from 'node:timers';

export class Admission {
  private admitted = 0;
  private readonly waiting: Array<() => void> = [];
  private turnScheduled = false;

  constructor(private readonly batch: number) {}

  /** Nothing to wait for while this turn of the event loop has room; otherwise a promise, resolved in arrival order. */
  enter(): Promise<void> | undefined {
    this.scheduleNextTurn();
    if (this.admitted < this.batch && this.waiting.length === 0) {
      this.admitted++;
      return undefined;
    }
    return new Promise<void>((admit) => this.waiting.push(admit));
  }

  private scheduleNextTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      const next = this.waiting.splice(0, this.batch);
      this.admitted = next.length;
      for (const admit of next) admit();
      if (this.waiting.length > 0 || this.admitted > 0) this.scheduleNextTurn();
    });
  }
}
