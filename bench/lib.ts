/**
 * Shared pieces of the benchmark sections: quantiles, the machine and its
 * load, and the one-line JSON protocol between a section (a child process)
 * and bench/run.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const QUICK = process.argv.includes('--quick');

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const median = (values: number[]) => quantile(values, 0.5);

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** Median, min and max of repeated runs: the spread shows how much the noise moved the figure. */
export function spread(runs: number[]): Spread {
  return { median: round(median(runs)), min: round(Math.min(...runs)), max: round(Math.max(...runs)), runs: runs.map(round) };
}

export function latency(samples: number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    n: samples.length,
    p50: round(quantile(samples, 0.5)),
    p95: round(quantile(samples, 0.95)),
    p99: round(quantile(samples, 0.99)),
    max: round(Math.max(...samples)),
    mean: round(mean),
  };
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    load_average: loadavg().map((x) => round(x, 2)),
  };
}

export function load1(): number {
  return round(loadavg()[0]!, 2);
}

export interface DevItem {
  query: string;
  sql?: string;
  expect?: 'refuse' | 'safe';
}

export function devQuestions(): DevItem[] {
  const file = fileURLToPath(new URL('../test/fixtures/gl-dev.jsonl', import.meta.url));
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as DevItem);
}

/** A section's result, printed as the last line of its output for bench/run.ts. */
export function emit(section: string, result: Record<string, unknown>): void {
  process.stdout.write(`\n@@bench ${JSON.stringify({ section, load_at_end: load1(), ...result })}\n`);
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  collect();
  collect();
}

/** Times `fn` over `n` iterations, returning microseconds per iteration. */
export async function perIterationUs(n: number, fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t) * 1000) / n;
}

export const BUILT_CLI = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));

/** CPU milliseconds the process has used (user + system), from /proc; clock ticks are 1/100 s on Linux. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** `gl-rl serve` (the built CLI) in its own process on a free loopback port; by default logging at info to stderr, as a server does. */
export async function startServer(env: Record<string, string> = { GL_RL_LOG_LEVEL: 'info' }): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: server.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`gl-rl serve exited with code ${code} before listening`)));
    lines.once('line', resolve);
  });
  return { server, url };
}

export async function stopServer(server: ChildProcess): Promise<void> {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
}
