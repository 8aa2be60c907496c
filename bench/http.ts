/**
 * The HTTP service as a client sees it: `gl-rl serve` (the built CLI, its own
 * process, logging at info to stderr as a server does) on a loopback port,
 * and keep-alive clients in this process posting the dev questions to
 * `POST /v1/query` (generate mode, new session each), 1 and 8 at a time.
 * Latency per request, requests per second, and the server's own CPU per
 * request (from /proc), after one untimed pass (JIT, database warm); and the
 * HTTP floor, `GET /health` from one client (the round trip without the orchestrator).
 *
 *   node --import tsx bench/http.ts [--quick]
 */
import { existsSync } from 'node:fs';
import { BUILT_CLI as cli, cpuMs, devQuestions, emit, latency, machine, QUICK, round, startServer, stopServer } from './lib.js';

const questions = devQuestions().filter((_, i) => !QUICK || i % 4 === 0);
const CLIENTS = [1, 8];

async function load(url: string, clients: number) {
  const post = async (query: string) => {
    const response = await fetch(`${url}/v1/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, mode: 'generate' }) });
    await response.arrayBuffer();
    return response.status;
  };
  const samples: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < questions.length) {
      const item = questions[next++]!;
      const t = performance.now();
      const status = await post(item.query);
      samples.push(performance.now() - t);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  return { samples, statuses, seconds: (performance.now() - started) / 1000 };
}

/** The HTTP floor: `GET /health` (no orchestrator work), one keep-alive client, after as many untimed. */
async function healthFloor(url: string, requests: number) {
  const get = async () => {
    const response = await fetch(`${url}/health`);
    await response.arrayBuffer();
  };
  for (let i = 0; i < requests; i++) await get();
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    await get();
    samples.push(performance.now() - t);
  }
  return latency(samples);
}

async function main(): Promise<void> {
  if (!existsSync(cli)) {
    emit('http', { machine: machine(), skipped: `${cli} not found: run npm run build` });
    return;
  }
  const { server, url } = await startServer();
  try {
    const runs = [];
    for (const clients of CLIENTS) {
      await load(url, clients);
      const cpu0 = cpuMs(server.pid!);
      const { samples, statuses, seconds } = await load(url, clients);
      const serverCpu = cpuMs(server.pid!) - cpu0;
      runs.push({
        clients,
        requests: samples.length,
        statuses,
        ms: latency(samples),
        requests_per_s: round(samples.length / seconds, 1),
        server_cpu_ms_per_request: round(serverCpu / samples.length, 2),
      });
    }
    const health_ms = await healthFloor(url, QUICK ? 200 : 1000);
    emit('http', { machine: machine(), url_host: new URL(url).host, questions: questions.length, runs, health_ms });
  } finally {
    await stopServer(server);
  }
}

await main();
