/**
 * What the dashboard shows that the orchestrator's counters do not: the recent
 * sessions, outcomes over time and latency per stage, folded from the live
 * events as they happen. Everything is bounded (a ring of sessions, a ring of
 * time buckets, fixed histogram buckets), so a snapshot costs the same after
 * ten turns or ten million, and no reservoir is sorted on a refresh.
 */
import { STAGES, type Stage } from '../../../machines/workflow.js';
import type { Orchestrator } from '../../orchestrator/orchestrator.js';
import type { EndedTurn, LiveEvent } from '../../orchestrator/types.js';
import { isErrorResponse } from '../../orchestrator/result.js';

/** Upper bounds (ms) of the latency histograms; the last bucket is open. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];
const SERIES_BUCKET_MS = 5000;
const SERIES_LENGTH = 120;
const RECENT_SESSIONS = 100;

export interface SessionRow {
  session_id: string;
  status: 'active' | 'completed' | 'failed' | 'expired';
  stage: Stage | null;
  turn: number;
  mode: string | null;
  query: string | null;
  started_at: string;
  updated_at: string;
  duration_ms: number | null;
  generator: string | null;
  confidence: number | null;
  is_valid: boolean | null;
  error_code: string | null;
  retries: number;
  fallbacks: number;
  regenerations: number;
}

export interface StageLatency {
  count: number;
  /** Estimated from the histogram: the upper bound of the bucket holding the quantile. */
  p50_ms: number | null;
  p95_ms: number | null;
  /** One count per bound of LATENCY_BUCKETS_MS, then the open bucket. */
  buckets: number[];
}

export interface FeedSnapshot {
  recent_sessions: SessionRow[];
  series: { bucket_ms: number; points: Array<{ t: number; completed: number; failed: number; expired: number }> };
  stage_latency: Record<Stage, StageLatency>;
  turn_latency: StageLatency;
  latency_buckets_ms: number[];
}

interface Tracked {
  row: SessionRow;
  startedMs: number;
  stageStartedMs: number;
  updatedMs: number;
  validated: boolean;
}

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  count = 0;

  add(ms: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]!) i++;
    this.counts[i]!++;
    this.count++;
  }

  summary(): StageLatency {
    return { count: this.count, p50_ms: this.quantile(0.5), p95_ms: this.quantile(0.95), buckets: [...this.counts] };
  }

  private quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return LATENCY_BUCKETS_MS[i] ?? Infinity;
    }
    return null;
  }
}

export class DashboardFeed {
  private readonly recent = new Map<string, Tracked>();
  private readonly stageLatency = new Map<Stage, Histogram>(STAGES.map((s) => [s, new Histogram()]));
  private readonly turnLatency = new Histogram();
  private readonly series: Array<{ t: number; completed: number; failed: number; expired: number }> = [];
  private readonly unsubscribe: () => void;

  constructor(orchestrator: Orchestrator, private readonly now: () => number = Date.now) {
    this.unsubscribe = orchestrator.onEvent((event, turn) => this.observe(event, turn));
  }

  close(): void {
    this.unsubscribe();
  }

  snapshot(): FeedSnapshot {
    const stages = Object.fromEntries(STAGES.map((s) => [s, this.stageLatency.get(s)!.summary()])) as Record<Stage, StageLatency>;
    const now = this.now();
    const sessions = [...this.recent.values()].reverse().map(({ row, startedMs, updatedMs }) => ({
      ...row,
      updated_at: new Date(updatedMs).toISOString(),
      duration_ms: row.status === 'active' ? now - startedMs : row.duration_ms,
    }));
    return {
      recent_sessions: sessions,
      series: { bucket_ms: SERIES_BUCKET_MS, points: this.series.map((p) => ({ ...p })) },
      stage_latency: stages,
      turn_latency: this.turnLatency.summary(),
      latency_buckets_ms: LATENCY_BUCKETS_MS,
    };
  }

  private observe(event: LiveEvent, turn: EndedTurn | undefined): void {
    const at = Date.parse(event.at);
    if ('stage' in event) {
      let tracked = this.recent.get(event.session_id);
      if (!tracked || event.stage === 'initialization') tracked = this.startTurn(event.session_id, event.turn, at, tracked);
      else this.closeStage(tracked, at);
      if (event.stage === 'query_generation' && tracked.validated) tracked.row.regenerations++;
      if (event.stage === 'validation') tracked.validated = true;
      tracked.row.stage = event.stage;
      tracked.stageStartedMs = at;
      this.touch(tracked, at);
    } else if ('recovery' in event) {
      const tracked = this.recent.get(event.session_id);
      if (!tracked) return;
      if (event.recovery === 'retry') tracked.row.retries++;
      if (event.recovery === 'fallback' || event.recovery === 'circuit_open') tracked.row.fallbacks++;
      this.touch(tracked, at);
    } else if ('outcome' in event) {
      const tracked = this.recent.get(event.session_id);
      this.count(event.outcome, at);
      if (!tracked) return;
      this.closeStage(tracked, at);
      const ms = at - tracked.startedMs;
      this.turnLatency.add(ms);
      Object.assign(tracked.row, { status: event.outcome, duration_ms: ms, error_code: event.error_code ?? null });
      if (turn) this.turnEnded(tracked.row, turn);
      this.touch(tracked, at);
    } else {
      const tracked = this.recent.get(event.session_id);
      if (!tracked) return;
      tracked.row.status = 'expired';
      this.touch(tracked, at);
    }
  }

  /** The finished turn's result: what the events do not carry (question, generator, confidence, validity). */
  private turnEnded(row: SessionRow, { query, mode, result }: EndedTurn): void {
    row.query = query;
    row.mode = mode;
    if (isErrorResponse(result)) return;
    row.generator = result.metadata.generator;
    row.confidence = result.confidence;
    row.is_valid = result.validation.is_valid;
  }

  private startTurn(session_id: string, turn: number, at: number, previous: Tracked | undefined): Tracked {
    const iso = new Date(at).toISOString();
    const row: SessionRow = {
      session_id,
      status: 'active',
      stage: null,
      turn,
      mode: previous?.row.mode ?? null,
      query: null,
      started_at: iso,
      updated_at: iso,
      duration_ms: null,
      generator: null,
      confidence: null,
      is_valid: null,
      error_code: null,
      retries: 0,
      fallbacks: 0,
      regenerations: 0,
    };
    return { row, startedMs: at, stageStartedMs: at, updatedMs: at, validated: false };
  }

  private closeStage(tracked: Tracked, at: number): void {
    if (tracked.row.stage) this.stageLatency.get(tracked.row.stage)?.add(at - tracked.stageStartedMs);
  }

  /** Moves the session to the newest end of the ring, dropping the oldest past the bound. */
  private touch(tracked: Tracked, at: number): void {
    tracked.updatedMs = at;
    this.recent.delete(tracked.row.session_id);
    this.recent.set(tracked.row.session_id, tracked);
    if (this.recent.size > RECENT_SESSIONS) this.recent.delete(this.recent.keys().next().value!);
  }

  private count(outcome: 'completed' | 'failed' | 'expired', at: number): void {
    const t = Math.floor(at / SERIES_BUCKET_MS) * SERIES_BUCKET_MS;
    let last = this.series[this.series.length - 1];
    if (!last || last.t !== t) {
      this.series.push((last = { t, completed: 0, failed: 0, expired: 0 }));
      if (this.series.length > SERIES_LENGTH) this.series.shift();
    }
    last[outcome]++;
  }
}
