/**
 * Time from process start to a ready sample database (booted and answering a
 * query), cold (no prebuilt data directory: initdb, DDL, data, dump) and warm
 * (loaded from the cached directory). Each run is a fresh child process, so
 * module loading and WASM compilation are counted as a user would see them.
 *
 *   npx tsx bench/db-startup.ts [--runs N] [--seed N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ChildResult {
  ready_ms: number;
  /** CPU time of the whole process (all threads) until ready: what the wall time would approach on an idle machine with a spare core. */
  cpu_ms: number;
  /** Milliseconds from process start at which each phase ended. */
  phases: Record<string, number>;
  boot: { source: string; ms: number };
}

async function child(cacheDir: string, seed: number): Promise<void> {
  // performance.now() counts from the process' time origin: its start.
  const phases: Record<string, number> = { runtime: Math.round(performance.now()) };
  const { loadParser } = await import('../src/sql/parser.js');
  const { loadCatalogFile } = await import('../src/schema/catalog.js');
  const { DEFAULT_SCHEMA_FILE } = await import('../src/paths.js');
  const { openSampleDatabase } = await import('../src/db/database.js');
  phases.imports = Math.round(performance.now());
  await loadParser();
  phases.parser = Math.round(performance.now());
  const catalog = loadCatalogFile(DEFAULT_SCHEMA_FILE);
  phases.catalog = Math.round(performance.now());
  const db = await openSampleDatabase({ catalog, seed, cacheDir });
  phases.database = Math.round(performance.now());
  await db.query('SELECT 1');
  const cpu = process.cpuUsage();
  const result: ChildResult = { ready_ms: Math.round(performance.now()), cpu_ms: Math.round((cpu.user + cpu.system) / 1000), phases, boot: db.boot };
  await db.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(cacheDir: string, seed: number): ChildResult {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', cacheDir, String(seed)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], Number(args[2]));
  const option = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const runs = option('--runs', 3);
  const seed = option('--seed', 1);
  const cacheDir = mkdtempSync(join(tmpdir(), 'gl-rl-bench-db-'));
  try {
    const cold = runChild(cacheDir, seed);
    const warm = Array.from({ length: runs }, () => runChild(cacheDir, seed));
    const warmMs = warm.map((w) => w.ready_ms);
    console.log(`db startup (process start → ready database, seed ${seed})`);
    console.log(`  cold: ${cold.ready_ms} ms, ${cold.cpu_ms} ms CPU (database ${cold.boot.source} in ${cold.boot.ms} ms)`);
    console.log(`  warm: median ${median(warmMs)} ms over ${runs} runs [${warmMs.join(', ')}], ${median(warm.map((w) => w.cpu_ms))} ms CPU (database from ${warm[0].boot.source} in ${median(warm.map((w) => w.boot.ms))} ms)`);
    const phases = Object.keys(warm[0].phases).map((p) => `${p} ${median(warm.map((w) => w.phases[p]))}`);
    console.log(`  warm phases (ms from process start, median): ${phases.join(' → ')} → first query ${median(warmMs)}`);
    console.log(`  target warm ≤ 1500 ms: ${median(warmMs) <= 1500 ? 'met' : 'NOT met'}; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

await main();
