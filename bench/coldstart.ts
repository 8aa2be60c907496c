/**
 * Cold start: wall time of a `gl-rl ask "…"` process, from exec to exit with
 * the answer printed, as a user sees it (the built CLI, `dist/src/cli/main.js`;
 * run `npm run build` first). The sample databases come from the data
 * directory cache when it is there, as on any run after the first; CPU time
 * (user + system, all threads) is shown beside the wall time because on a
 * loaded machine it is the steadier figure.
 *
 *   node --import tsx bench/coldstart.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emit, machine, median, QUICK, round } from './lib.js';

const cli = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const question = 'total debit amount by account';

function measure(): { wall_ms: number; cpu_ms: number; max_rss_mb: number; ok: boolean } {
  const result = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S %M', process.execPath, cli, 'ask', question, '--json'], { encoding: 'utf8' });
  const line = result.stderr.split('\n').find((l: string) => l.startsWith('@@time'));
  if (!line) throw new Error(`no timing from the CLI run: ${result.stderr}`);
  const [wall, user, sys, rssKb] = line.split(' ').slice(1).map(Number) as [number, number, number, number];
  let ok = false;
  try {
    ok = typeof (JSON.parse(result.stdout) as { sql?: unknown }).sql === 'string';
  } catch {
    ok = false;
  }
  return { wall_ms: Math.round(wall * 1000), cpu_ms: Math.round((user + sys) * 1000), max_rss_mb: round(rssKb / 1024, 1), ok };
}

async function main() {
  if (!existsSync(cli)) {
    emit('coldstart', { machine: machine(), skipped: `${cli} not found: run npm run build` });
    return;
  }
  // The first run may build the sample databases' data directory cache; it is reported apart (not with --quick).
  const first = QUICK ? undefined : measure();
  const runs = Array.from({ length: QUICK ? 2 : 7 }, () => measure());
  emit('coldstart', {
    machine: machine(),
    question,
    first_run: first,
    runs: runs.length,
    wall_ms: median(runs.map((r) => r.wall_ms)),
    cpu_ms: median(runs.map((r) => r.cpu_ms)),
    all_wall_ms: runs.map((r) => r.wall_ms),
    max_rss_mb: median(runs.map((r) => r.max_rss_mb)),
    answered: runs.every((r) => r.ok),
  });
}

await main();
