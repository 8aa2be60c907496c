/**
 * Large schemas: `gl-rl validate --schema` and `gl-rl ask --schema` processes
 * (the built CLI; run `npm run build` first) on synthetic N-table ERP schemas
 * with foreign keys (scripts/synthetic-schema.ts), N from 100 to 2,000. Cold:
 * an empty data-directory cache (the sample database is built: initdb, DDL,
 * data, ANALYZE); warm: the cache from the cold run. Wall and CPU time (user
 * + system, all threads) of each process; the growth exponent is the slope of
 * log CPU over log N between the smallest and the largest N (n log n over
 * 100 → 2,000 is a slope of about 1.17).
 *
 *   node --import tsx bench/schema-scale.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticSchema } from '../scripts/synthetic-schema.js';
import { emit, load1, machine, QUICK, round } from './lib.js';

const cli = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const SIZES = QUICK ? [100, 500] : [100, 250, 500, 1000, 2000];

interface Run {
  wall_ms: number;
  cpu_ms: number;
  max_rss_mb: number;
  ok: boolean;
  load: number;
}

function run(args: string[], cacheDir: string): Run {
  const load = load1();
  const result = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S %M', process.execPath, cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GL_RL_CACHE_DIR: cacheDir },
    maxBuffer: 64 * 2 ** 20,
  });
  const line = result.stderr.split('\n').find((l: string) => l.startsWith('@@time'));
  if (!line) throw new Error(`no timing from ${args[0]}: ${result.stderr.slice(-2000)}`);
  const [wall, user, sys, rssKb] = line.split(' ').slice(1).map(Number) as [number, number, number, number];
  return { wall_ms: Math.round(wall * 1000), cpu_ms: Math.round((user + sys) * 1000), max_rss_mb: round(rssKb / 1024, 1), ok: result.status === 0, load };
}

function slope(points: Array<{ n: number; ms: number }>): number {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return round(Math.log(last.ms / first.ms) / Math.log(last.n / first.n), 2);
}

async function main() {
  if (!existsSync(cli)) {
    emit('schema-scale', { machine: machine(), skipped: `${cli} not found: run npm run build` });
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'gl-rl-schema-scale-'));
  const sizes: Array<{ tables: number; validate_cold: Run; validate_warm: Run; ask_warm: Run }> = [];
  try {
    for (const n of SIZES) {
      const schema = join(work, `schema-${n}.sql`);
      writeFileSync(schema, syntheticSchema(n));
      const cache = join(work, `cache-${n}`);
      const validate = ['validate', '--schema', schema, "SELECT Invoice_Name FROM AP_INVOICE WHERE Status = 'Active'"];
      const ask = ['ask', '--schema', schema, '--json', 'list the active AP invoices'];
      const cold = run(validate, cache);
      const warm = run(validate, cache);
      const askWarm = run(ask, cache);
      sizes.push({ tables: n, validate_cold: cold, validate_warm: warm, ask_warm: askWarm });
      process.stderr.write(`  ${n} tables: validate cold ${cold.wall_ms} ms (${cold.cpu_ms} CPU), warm ${warm.wall_ms} ms (${warm.cpu_ms} CPU); ask warm ${askWarm.wall_ms} ms (${askWarm.cpu_ms} CPU)\n`);
      rmSync(cache, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const growth = (key: 'validate_cold' | 'validate_warm' | 'ask_warm') => slope(sizes.map((s) => ({ n: s.tables, ms: s[key].cpu_ms })));
  emit('schema-scale', {
    machine: machine(),
    sizes,
    growth_exponent_cpu: { validate_cold: growth('validate_cold'), validate_warm: growth('validate_warm'), ask_warm: growth('ask_warm') },
  });
}

void main();
