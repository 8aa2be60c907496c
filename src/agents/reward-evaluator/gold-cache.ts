/**
 * The expected SQL's runs on the test-suite databases, kept for a while: a
 * GRPO group scores many candidates against one expected query, and a
 * training epoch comes back to the same question.
 */
import type { DatabaseRun } from '../../db/match.js';

interface Entry {
  runs: Promise<DatabaseRun[]>;
  expires: number;
}

export class GoldCache {
  private readonly entries = new Map<string, Entry>();

  /** `ttlSeconds` 0 disables caching; the oldest entries go first past `maxEntries`. */
  constructor(private readonly ttlSeconds: number, private readonly maxEntries = 256, private readonly now = () => Date.now()) {}

  /** The cached runs of `sql`, or `run()`'s (cached when they succeed); `hit` tells which. */
  get(sql: string, run: () => Promise<DatabaseRun[]>): { runs: Promise<DatabaseRun[]>; hit: boolean } {
    const entry = this.entries.get(sql);
    if (entry && entry.expires > this.now()) return { runs: entry.runs, hit: true };
    this.entries.delete(sql);
    const runs = run();
    // An aborted or failed run must not be served to the next caller.
    runs.catch(() => {
      if (this.entries.get(sql)?.runs === runs) this.entries.delete(sql);
    });
    if (this.ttlSeconds > 0) {
      this.entries.set(sql, { runs, expires: this.now() + this.ttlSeconds * 1000 });
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    return { runs, hit: false };
  }
}
