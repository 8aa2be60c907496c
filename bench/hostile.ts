/**
 * Hostile clients against `gl-rl serve` (the built CLI, its own process, on a
 * loopback port): one costly request at a time, while a second client polls
 * `GET /health` back to back; the figure is how long /health took while that
 * one request was being processed (target: under 50 ms). Then memory: 300
 * requests with the largest context allowed (64 KB) and distinct sessions,
 * the server's RSS before and after (finding 4 grew it from 351 to 937 MB
 * with 900 KB contexts, which are now refused).
 *
 *   node --import tsx bench/hostile.ts [--quick]
 */
import { existsSync, readFileSync } from 'node:fs';
import { BUILT_CLI as cli, emit, latency, machine, QUICK, round, startServer, stopServer } from './lib.js';

const Q = 'Show all active projects';
const terms = (n: number, sep = ',') => Array(n).fill('1').join(sep);

/** Each hostile request: its body, and the status it should get. */
const REQUESTS: Record<string, { route?: string; body: unknown; expect: number }> = {
  'ordinary question (baseline)': { body: { query: Q }, expect: 200 },
  'train mode, gold SQL of 999 tokens (within budget)': { body: { query: Q, mode: 'train', context: { expected_sql: `SELECT ${terms(500)}` } }, expect: 200 },
  'train mode, gold SQL of 100 UNION ALL branches (within budget)': {
    body: { query: Q, mode: 'train', context: { expected_sql: Array(100).fill('SELECT Budget FROM PAC_MNT_PROJECTS').join(' UNION ALL ') } },
    expect: 200,
  },
  'train mode, 20,000-character gold SQL over the token budget': { body: { query: Q, mode: 'train', context: { expected_sql: `SELECT ${terms(9995)}` } }, expect: 400 },
  'train mode, 900 KB gold SQL (finding 3)': { body: { query: Q, mode: 'train', context: { expected_sql: `SELECT ${terms(450_000)}` } }, expect: 400 },
  'context nested 5,000 deep (finding 6)': { body: `{"query":"${Q}","context":{"deep":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`, expect: 400 },
  'context of 64 KB (the largest allowed)': { body: { query: Q, context: { notes: 'n'.repeat(60_000) } }, expect: 200 },
  'question of 4,000 characters': { body: { query: `Show the projects ${'with budget over 100 and '.repeat(160)}`.slice(0, 4000) }, expect: 200 },
  'batch of 10 items, each gold SQL a 19,000-character literal (within budget)': {
    route: '/v1/batch',
    body: { items: Array.from({ length: 10 }, (_, i) => ({ query: Q, mode: 'train', context: { expected_sql: `SELECT ${i}, '${'x'.repeat(19_000)}'` } })) },
    expect: 200,
  },
};

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return round(Number(line.split(/\s+/)[1]) / 1024, 1);
}

const send = async (url: string, route: string, body: unknown) => {
  const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
};

/** /health latencies while one request is processed (polled back to back until it is answered). */
async function healthDuring(url: string, route: string, body: unknown) {
  const samples: number[] = [];
  let done = false;
  const started = performance.now();
  const request = send(url, route, body).finally(() => (done = true));
  while (!done) {
    const t = performance.now();
    await (await fetch(`${url}/health`)).arrayBuffer();
    samples.push(performance.now() - t);
  }
  return { status: await request, request_ms: round(performance.now() - started), health_ms: latency(samples) };
}

async function main(): Promise<void> {
  if (!existsSync(cli)) {
    emit('hostile', { machine: machine(), skipped: `${cli} not found: run npm run build` });
    return;
  }
  const { server, url } = await startServer({});
  try {
    // Untimed pass: JIT, the sample databases, the parse worker.
    for (const { route = '/v1/query', body } of Object.values(REQUESTS)) await send(url, route, body);
    const requests: Record<string, unknown> = {};
    for (const [name, { route = '/v1/query', body, expect }] of Object.entries(REQUESTS)) {
      const runs = [];
      for (let i = 0; i < (QUICK ? 1 : 3); i++) runs.push(await healthDuring(url, route, body));
      requests[name] = { expect, statuses: runs.map((r) => r.status), request_ms: runs.map((r) => r.request_ms), health_max_ms: Math.max(...runs.map((r) => r.health_ms.max)), health_p50_ms: runs[0]!.health_ms.p50, health_samples: runs.reduce((n, r) => n + r.health_ms.n, 0) };
    }
    const rss_before_mb = rssMb(server.pid!);
    const notes = 'n'.repeat(60_000);
    const clients = QUICK ? 100 : 300;
    for (let i = 0; i < clients; i++) await send(url, '/v1/query', { query: Q, session_id: `client-${i}`, context: { notes: `${i}${notes}` } });
    const rss_after_mb = rssMb(server.pid!);
    emit('hostile', { machine: machine(), requests, memory: { clients, context_kb: 60, rss_before_mb, rss_after_mb } });
  } finally {
    await stopServer(server);
  }
}

await main();
