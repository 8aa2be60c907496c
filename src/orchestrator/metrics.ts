/**
 * The specification's key metrics, kept in memory: workflow completion rate,
 * per-stage latency, agent failure rates, cache hit ratios and the session
 * duration distribution. Latency samples live in bounded reservoirs so a
 * long-running service keeps constant memory.
 */
import type { Stage } from '../../machines/workflow.js';

const RESERVOIR = 2048;

/** A ring of the most recent samples, for mean and percentiles. */
export class Reservoir {
  private readonly samples: number[] = [];
  private next = 0;
  count = 0;
  sum = 0;

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (this.samples.length < RESERVOIR) this.samples.push(value);
    else {
      this.samples[this.next] = value;
      this.next = (this.next + 1) % RESERVOIR;
    }
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    const sorted = [...this.samples].sort((a, b) => a - b);
    return {
      count: this.count,
      mean: round(this.sum / this.count),
      p50: round(percentile(sorted, 0.5)),
      p95: round(percentile(sorted, 0.95)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted[sorted.length - 1]!),
    };
  }
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Upper bounds (s) of the session-duration histogram buckets. */
export const SESSION_BUCKETS = [1, 10, 60, 300, 1800, 3600, 86_400];

export interface AgentCounts {
  calls: number;
  failures: number;
  timeouts: number;
  refusals: number;
}

export class Metrics {
  readonly workflows = { started: 0, completed: 0, failed: 0, expired: 0 };
  readonly errorCodes = new Map<string, number>();
  readonly stageLatency = new Map<Stage, Reservoir>();
  readonly workflowLatency = new Reservoir();
  readonly agents = new Map<string, AgentCounts & { role: string }>();
  readonly sessionDurations = new Reservoir();
  readonly sessionBuckets = SESSION_BUCKETS.map(() => 0);
  retries = 0;
  fallbacks = 0;
  regenerations = 0;

  stage(stage: Stage, ms: number): void {
    let r = this.stageLatency.get(stage);
    if (!r) this.stageLatency.set(stage, (r = new Reservoir()));
    r.add(ms);
  }

  agent(role: string, name: string): AgentCounts {
    let a = this.agents.get(name);
    if (!a) this.agents.set(name, (a = { role, calls: 0, failures: 0, timeouts: 0, refusals: 0 }));
    return a;
  }

  workflowEnded(outcome: 'completed' | 'failed' | 'expired', ms: number, error_code?: string): void {
    this.workflows[outcome]++;
    this.workflowLatency.add(ms);
    if (error_code) this.errorCodes.set(error_code, (this.errorCodes.get(error_code) ?? 0) + 1);
  }

  sessionEnded(seconds: number): void {
    this.sessionDurations.add(seconds);
    const i = SESSION_BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) this.sessionBuckets[i]!++;
  }
}
