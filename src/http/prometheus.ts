/**
 * /metrics: the orchestrator's `metrics()` snapshot in the Prometheus text
 * format, through a dedicated prom-client Registry (never the global one, so
 * several servers in one process do not collide). The snapshot already holds
 * counts and percentiles, so its families are exported as prom-client metric
 * objects that read the snapshot taken for the scrape; HTTP request counts
 * and durations are observed live with prom-client's own Counter and Histogram.
 */
import { Counter, Histogram, Registry, type Metric } from 'prom-client';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import type { MetricsSnapshot } from '../orchestrator/types.js';

type Labels = Record<string, string | number>;
interface Sample {
  labels?: Labels;
  value: number;
  metricName?: string;
}
type MetricType = 'counter' | 'gauge' | 'summary' | 'histogram';

const PREFIX = 'gl_rl_';
const QUANTILES: Array<[number, 'p50' | 'p95' | 'p99']> = [
  [0.5, 'p50'],
  [0.95, 'p95'],
  [0.99, 'p99'],
];

export interface MetricsExporter {
  registry: Registry;
  /** Prometheus text for the orchestrator's current state. */
  render(): Promise<string>;
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
}

export function createMetricsExporter(orchestrator: Pick<Orchestrator, 'metrics'>): MetricsExporter {
  const registry = new Registry();
  let snapshot: MetricsSnapshot | undefined;
  const family = (name: string, help: string, type: MetricType, samples: (m: MetricsSnapshot) => Sample[]) => {
    const full = PREFIX + name;
    const metric = {
      name: full,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name: full, help, type, aggregator: 'sum', values: snapshot ? samples(snapshot) : [] }),
      reset: () => undefined,
    };
    registry.registerMetric(metric as unknown as Metric);
  };
  const summary = (name: string, labels: Labels, s: { count: number; mean: number; p50: number; p95: number; p99: number }): Sample[] => [
    ...QUANTILES.map(([quantile, key]) => ({ labels: { ...labels, quantile }, value: s[key] })),
    { metricName: `${PREFIX}${name}_sum`, labels, value: s.mean * s.count },
    { metricName: `${PREFIX}${name}_count`, labels, value: s.count },
  ];

  family('workflows_total', 'Workflow turns by event: started, completed, failed, expired.', 'counter', (m) =>
    (['started', 'completed', 'failed', 'expired'] as const).map((event) => ({ labels: { event }, value: m.workflows[event] })),
  );
  family('workflow_completion_ratio', 'Completed turns over finished turns.', 'gauge', (m) => [{ value: m.workflows.completion_rate }]);
  family('workflow_duration_ms', 'Turn latency (ms), over the most recent turns.', 'summary', (m) => summary('workflow_duration_ms', {}, m.workflows.latency_ms));
  family('workflow_errors_total', 'Failed turns by error code.', 'counter', (m) => Object.entries(m.error_codes).map(([error_code, value]) => ({ labels: { error_code }, value })));
  family('stage_duration_ms', 'Stage latency (ms) by stage, over the most recent runs.', 'summary', (m) =>
    Object.entries(m.stages).flatMap(([stage, s]) => summary('stage_duration_ms', { stage }, s!)),
  );
  const perAgent = (key: 'calls' | 'failures' | 'timeouts' | 'refusals') => (m: MetricsSnapshot) =>
    Object.entries(m.agents).map(([agent, a]) => ({ labels: { agent, role: a.role }, value: a[key] }));
  family('agent_calls_total', 'Agent calls.', 'counter', perAgent('calls'));
  family('agent_failures_total', 'Agent calls that errored, timed out or returned malformed output.', 'counter', perAgent('failures'));
  family('agent_timeouts_total', 'Agent calls that timed out.', 'counter', perAgent('timeouts'));
  family('agent_refusals_total', 'Agent refusals (decisions, not faults).', 'counter', perAgent('refusals'));
  family('agent_failure_ratio', 'Failures over calls, per agent.', 'gauge', (m) =>
    Object.entries(m.agents).map(([agent, a]) => ({ labels: { agent, role: a.role }, value: a.failure_rate })),
  );
  family('agent_circuit_open', '1 when the agent circuit is open (half-open counts as open).', 'gauge', (m) =>
    Object.entries(m.agents).map(([agent, a]) => ({ labels: { agent, role: a.role }, value: a.circuit === 'closed' ? 0 : 1 })),
  );
  family('recovery_total', 'Recovery actions: retries, fallbacks, regenerations.', 'counter', (m) =>
    Object.entries(m.recovery).map(([kind, value]) => ({ labels: { kind }, value })),
  );
  const perCache = (key: 'hits' | 'misses' | 'size' | 'hit_ratio') => (m: MetricsSnapshot) =>
    Object.entries(m.cache).map(([cache, c]) => ({ labels: { cache }, value: c[key] }));
  family('cache_hits_total', 'Cache hits.', 'counter', perCache('hits'));
  family('cache_misses_total', 'Cache misses.', 'counter', perCache('misses'));
  family('cache_hit_ratio', 'Hits over look-ups.', 'gauge', perCache('hit_ratio'));
  family('cache_entries', 'Entries held.', 'gauge', perCache('size'));
  family('sessions', 'Retained sessions by status.', 'gauge', (m) => Object.entries(m.sessions.by_status).map(([status, value]) => ({ labels: { status }, value })));
  family('session_duration_seconds', 'Lifetime of expired sessions (s).', 'histogram', (m) => {
    let cumulative = 0;
    const buckets = m.sessions.duration_buckets.map(({ le, count }) => {
      cumulative += count;
      return { metricName: `${PREFIX}session_duration_seconds_bucket`, labels: { le }, value: cumulative };
    });
    const d = m.sessions.duration_s;
    return [
      ...buckets,
      { metricName: `${PREFIX}session_duration_seconds_bucket`, labels: { le: '+Inf' }, value: d.count },
      { metricName: `${PREFIX}session_duration_seconds_sum`, value: d.mean * d.count },
      { metricName: `${PREFIX}session_duration_seconds_count`, value: d.count },
    ];
  });
  family('bulkhead_limit', 'Maximum parallel agent operations.', 'gauge', (m) => [{ value: m.bulkhead.limit }]);
  family('bulkhead_in_flight', 'Agent operations running.', 'gauge', (m) => [{ value: m.bulkhead.in_flight }]);
  family('bulkhead_queued', 'Agent operations waiting for a slot.', 'gauge', (m) => [{ value: m.bulkhead.queued }]);
  family('bulkhead_peak', 'Most agent operations ever running at once.', 'gauge', (m) => [{ value: m.bulkhead.peak }]);

  const requests = new Counter({ name: `${PREFIX}http_requests_total`, help: 'HTTP requests by method, route and status.', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const durations = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request duration (s) by method and route.',
    labelNames: ['method', 'route'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  return {
    registry,
    async render() {
      snapshot = orchestrator.metrics();
      return registry.metrics();
    },
    observeRequest({ method, route, status }, seconds) {
      requests.inc({ method, route, status });
      durations.observe({ method, route }, seconds);
    },
  };
}
