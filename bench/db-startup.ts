/**
 * Time from process start to a ready sample database (booted and answering a
 * query), cold (no prebuilt data directory: initdb, DDL, data, dump) and warm
 * (loaded from the cached directory), the warm start both as a program
 * embedding the system starts it and as a one-shot `gl-rl` command does
 * (baseline-tier WASM, the database booting before the rest loads). Each run is a fresh child process
 * running the built JavaScript (`npm run build` first), so module loading and
 * WASM compilation are counted as a user would see them.
 *
 *   node --import tsx bench/db-startup.ts [--quick] [--runs N] [--seed N]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir } from '../src/db/datadir-cache.js';
import { emit, machine, median, QUICK } from './lib.js';

interface ChildResult {
  ready_ms: number;
  /** CPU time of the whole process (all threads) until ready: what the wall time would approach on an idle machine with a spare core. */
  cpu_ms: number;
  /** Milliseconds from process start at which each phase ended. */
  phases: Record<string, number>;
  boot: { source: string; ms: number };
}

/**
 * The child: the product's own start-up sequence (src/agents/defaults.ts) from
 * the built JavaScript, as `gl-rl` runs it — the DDL read, the database booting
 * while the parser loads and the catalog is built. Plain node, no TypeScript
 * loader, so the runtime figure is a user's.
 */
const CHILD = `
const phases = { runtime: Math.round(performance.now()) };
const dist = process.argv[1];
const { readFile } = await import('node:fs/promises');
if (process.argv[4] === 'command') {
  // As a one-shot command of the CLI starts (src/cli/main.ts, openOrchestrator): WASM at the baseline
  // tier, and the cached database booting before the rest of the system loads.
  const { setFlagsFromString } = await import('node:v8');
  const { v8FlagsFor } = await import(dist + '/cli/shared.js');
  for (const flag of v8FlagsFor(['node', 'gl-rl', 'ask'])) setFlagsFromString(flag);
  const { prestartSampleDatabase } = await import(dist + '/db/prestart.js');
  const { DEFAULT_SCHEMA_FILE } = await import(dist + '/paths.js');
  prestartSampleDatabase({ ddl: await readFile(DEFAULT_SCHEMA_FILE, 'utf8'), seed: Number(process.argv[3]), cacheDir: process.argv[2] });
}
const { loadParser } = await import(dist + '/sql/parser.js');
const { buildCatalog } = await import(dist + '/schema/catalog.js');
const { DEFAULT_SCHEMA_FILE } = await import(dist + '/paths.js');
const { startSampleDatabase } = await import(dist + '/db/database.js');
phases.imports = Math.round(performance.now());
const ddl = await readFile(DEFAULT_SCHEMA_FILE, 'utf8');
const catalog = loadParser().then(() => buildCatalog(ddl));
const db = startSampleDatabase({ catalog, ddl, seed: Number(process.argv[3]), cacheDir: process.argv[2] });
await catalog;
phases.catalog = Math.round(performance.now());
await db.started;
phases.database = Math.round(performance.now());
await db.query('SELECT 1');
const cpu = process.cpuUsage();
const result = { ready_ms: Math.round(performance.now()), cpu_ms: Math.round((cpu.user + cpu.system) / 1000), phases, boot: db.boot };
await db.close();
process.stdout.write(JSON.stringify(result) + '\\n');
`;

const DIST = fileURLToPath(new URL('../dist/src', import.meta.url));

/** `library`: as a program embedding the system starts it; `command`: as a one-shot `gl-rl` command does. */
type StartKind = 'library' | 'command';

function runChild(cacheDir: string, seed: number, kind: StartKind = 'library'): ChildResult {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, DIST, cacheDir, String(seed), kind], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (!existsSync(DIST)) {
    emit('db_startup', { machine: machine(), skipped: `${DIST} not found: run npm run build` });
    return;
  }
  const option = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const runs = option('--runs', QUICK ? 1 : 5);
  const seed = option('--seed', 1);
  // --quick skips the build from scratch (initdb, DDL, data), by far the longest part, and reads the
  // user's data directory cache (filled by any earlier run) instead of a fresh one.
  const cacheDir = QUICK ? defaultCacheDir() : mkdtempSync(join(tmpdir(), 'gl-rl-bench-db-'));
  try {
    const cold = QUICK ? undefined : runChild(cacheDir, seed);
    // Interleaved, so both kinds see the same machine.
    const starts: Record<StartKind, ChildResult[]> = { library: [], command: [] };
    for (let i = 0; i < runs; i++) for (const kind of ['library', 'command'] as const) starts[kind].push(runChild(cacheDir, seed, kind));
    const summary = (warm: ChildResult[]) => {
      const warmMs = warm.map((w) => w.ready_ms);
      const phases = Object.fromEntries(Object.keys(warm[0]!.phases).map((p) => [p, median(warm.map((w) => w.phases[p]!))]));
      return { runs, ready_ms: median(warmMs), all_ready_ms: warmMs, cpu_ms: median(warm.map((w) => w.cpu_ms)), boot_ms: median(warm.map((w) => w.boot.ms)), source: warm[0]!.boot.source, phases_ms_from_start: phases };
    };
    emit('db_startup', {
      machine: machine(),
      seed,
      cold: cold && { ready_ms: cold.ready_ms, cpu_ms: cold.cpu_ms, boot: cold.boot },
      warm: summary(starts.library),
      warm_command: summary(starts.command),
    });
  } finally {
    if (!QUICK) rmSync(cacheDir, { recursive: true, force: true });
  }
}

await main();
