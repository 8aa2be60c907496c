/**
 * What open dashboards cost a busy server: `gl-rl serve` (the built CLI, its
 * own process, logging at info) answers the dev questions at a paced 100
 * questions per second (new session each, generate mode) while 0 or 20
 * dashboards are open. A dashboard here is what the page does on the wire:
 * one GET /v1/events stream, read to the end of every frame, and
 * GET /v1/dashboard every 2 s. Rounds alternate (none, 20, none, 20, …) after
 * a warm-up, so drift in the machine's load falls on both sides. The figure
 * is the server's CPU (user + system, from /proc) per question answered, the
 * median of each kind of round, and what the dashboards add relative to the
 * rounds without them: at a fixed rate CPU per question is CPU per second
 * divided by the rate, and unlike CPU over wall time it does not move when a
 * loaded machine stretches a round.
 *
 *   node --import tsx bench/dashboard.ts [--quick]
 */
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { BUILT_CLI, cpuMs, devQuestions, emit, machine, median, QUICK, round, startServer, stopServer } from './lib.js';

const RATE = 100;
const DASHBOARDS = 20;
const ROUND_S = QUICK ? 4 : 10;
const ROUNDS = QUICK ? 2 : 4;
const POLL_MS = 2000;
const questions = devQuestions().filter((q) => q.expect !== 'refuse');

// Keep-alive sockets, as a load balancer in front of the service would hold: questions beyond them queue here, not in connects.
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function post(url: string, query: string): Promise<number> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ query, mode: 'generate' });
    const req = request(`${url}/v1/query`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', () => resolve(0));
    req.end(body);
  });
}

/** Posts `RATE` questions a second for `seconds`, open loop (a slow answer does not delay the next question). */
async function paced(url: string, seconds: number): Promise<{ sent: number; statuses: Record<number, number>; behind_ms: number }> {
  const statuses: Record<number, number> = {};
  const pending: Array<Promise<void>> = [];
  const total = RATE * seconds;
  const started = performance.now();
  let behind = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    else behind = Math.max(behind, -wait);
    const query = questions[i % questions.length]!.query;
    pending.push(
      post(url, query).then((status) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(pending);
  return { sent: total, statuses, behind_ms: round(behind, 1) };
}

interface Dashboard {
  frames: number;
  polls: number;
  close(): Promise<void>;
}

/** One open dashboard: the event stream, read frame by frame, and the summary polled as the page does. */
async function openDashboard(url: string): Promise<Dashboard> {
  const controller = new AbortController();
  const response = await fetch(`${url}/v1/events`, { signal: controller.signal });
  if (response.status !== 200) throw new Error(`GET /v1/events: ${response.status}`);
  const dashboard: Dashboard = { frames: 0, polls: 0, close: async () => {} };
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const reading = (async () => {
    let tail = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const text = tail + decoder.decode(value, { stream: true });
        const frames = text.split('\n\n');
        tail = frames.pop()!;
        for (const frame of frames) if (frame.startsWith('id:')) JSON.parse(frame.slice(frame.indexOf('data: ') + 6)), dashboard.frames++;
      }
    } catch {
      // aborted by close()
    }
  })();
  const poll = setInterval(() => {
    void fetch(`${url}/v1/dashboard`)
      .then(async (r) => {
        await r.json();
        dashboard.polls++;
      })
      .catch(() => undefined);
  }, POLL_MS);
  dashboard.close = async () => {
    clearInterval(poll);
    controller.abort();
    await reading;
  };
  return dashboard;
}

async function measuredRound(url: string, pid: number, dashboards: number) {
  const open = await Promise.all(Array.from({ length: dashboards }, () => openDashboard(url)));
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  const load = await paced(url, ROUND_S);
  const wall = performance.now() - t0;
  const cpu = cpuMs(pid) - cpu0;
  await new Promise((resolve) => setTimeout(resolve, 100)); // the last buffered frames
  await Promise.all(open.map((d) => d.close()));
  return {
    dashboards,
    questions: load.sent,
    statuses: load.statuses,
    pacing_behind_ms: load.behind_ms,
    seconds: round(wall / 1000, 2),
    server_cpu_ms: cpu,
    server_cpu_ms_per_question: round(cpu / load.sent, 3),
    server_cpu_percent_of_wall: round((100 * cpu) / wall, 1),
    frames_per_dashboard: dashboards ? Math.round(median(open.map((d) => d.frames))) : 0,
    polls_per_dashboard: dashboards ? Math.round(median(open.map((d) => d.polls))) : 0,
  };
}

async function main(): Promise<void> {
  if (!existsSync(BUILT_CLI)) {
    emit('dashboard', { machine: machine(), skipped: `${BUILT_CLI} not found: run npm run build` });
    return;
  }
  const { server, url } = await startServer();
  try {
    // Warm-up, closed loop: every question once, 8 at a time (JIT, database, caches), then a paced round untimed.
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < questions.length) await post(url, questions[next++]!.query);
    }));
    await paced(url, QUICK ? 3 : 10);
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      rounds.push(await measuredRound(url, server.pid!, 0));
      rounds.push(await measuredRound(url, server.pid!, DASHBOARDS));
    }
    const without = median(rounds.filter((r) => r.dashboards === 0).map((r) => r.server_cpu_ms_per_question));
    const withDashboards = median(rounds.filter((r) => r.dashboards > 0).map((r) => r.server_cpu_ms_per_question));
    emit('dashboard', {
      machine: machine(),
      rate_per_s: RATE,
      dashboards: DASHBOARDS,
      round_s: ROUND_S,
      rounds,
      cpu_ms_per_question_without: without,
      cpu_ms_per_question_with: withDashboards,
      /** At 100 questions/s, the share of one core the server uses: CPU ms per question × 100 / 1000 s. */
      cpu_percent_without: round(without * RATE / 10, 1),
      cpu_percent_with: round(withDashboards * RATE / 10, 1),
      added_relative: round((withDashboards - without) / without, 3),
    });
  } finally {
    await stopServer(server);
  }
}

await main();
