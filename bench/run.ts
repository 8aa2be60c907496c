/**
 * `npm run bench [-- --quick]`: every section in its own process, one after
 * the other (so they never compete for the two cores), then one table of the
 * figures against the targets, written with the raw results to
 * bench/results.json. See docs/benchmarks.md for the method.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load1, machine, QUICK } from './lib.js';

const SECTIONS = ['overhead', 'e2e', 'validator', 'generator', 'concurrency', 'db-startup', 'coldstart', 'http', 'hostile', 'dashboard', 'rewards', 'schema-scale', 'database'] as const;

type Result = Record<string, any>;

function runSection(name: string): Result {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const started = performance.now();
  const load_at_start = load1();
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file, ...(QUICK ? ['--quick'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('@@bench '));
  const seconds = Math.round(performance.now() - started) / 1000;
  if (!line) return { section: name, error: `exit ${child.status}: no result`, seconds };
  process.stderr.write(`  ${name}: ${seconds} s\n`);
  return { ...(JSON.parse(line.slice('@@bench '.length)) as Result), load_at_start, seconds };
}

interface Row {
  measure: string;
  figure: string;
  target: string;
  met: boolean | null;
}

function rows(r: Record<string, Result>): Row[] {
  const out: Row[] = [];
  const add = (measure: string, figure: string, target = '', met: boolean | null = null) => out.push({ measure, figure, target, met });
  const o = r.overhead;
  if (o?.us) {
    const f = (name: string) => `${o.us[name].cpu_us.median} µs CPU (${o.us[name].wall_us.median} wall; CPU ${o.us[name].cpu_us.min}–${o.us[name].cpu_us.max})`;
    add('1. orchestrator, no-op agents, per workflow', f('orchestrator'), '≤ 150 µs', o.us.orchestrator.cpu_us.median <= 150);
    if (o.us.orchestrator_with_dashboard_feed) add('   same, with the dashboard\'s feed listening', f('orchestrator_with_dashboard_feed'));
    add('   same, one session for all turns', f('orchestrator_one_session'));
    add('   the shipped charts alone, no-op implementations', f('charts_only'));
    add('   bare XState, same actors and timers', f('bare_xstate'));
    add('   bare XState, agent calls inline (no child machines)', f('bare_xstate_inline_calls'));
    if (o.us.bare_xstate_no_actors) add('   bare XState, no actor per agent request (not allowed)', f('bare_xstate_no_actors'));
    add('   LangGraph.js StateGraph (4 nodes)', f('langgraph'));
    add('   plain chain of 4 async calls', f('plain_chain'));
    add('   LangGraph.js / orchestrator', `${o.ratios_cpu.langgraph_over_orchestrator}×`, '≥ 10×', o.ratios_cpu.langgraph_over_orchestrator >= 10);
    add('   orchestrator / bare XState', `${o.ratios_cpu.orchestrator_over_bare_xstate}×`);
    add('   orchestrator / charts alone', `${o.ratios_cpu.orchestrator_over_charts_only}×`);
    add('   LangGraph.js / bare XState with inline calls', `${o.ratios_cpu.langgraph_over_bare_xstate_inline_calls}×`);
    if (o.ratios_cpu.langgraph_over_bare_xstate_no_actors) add('   LangGraph.js / bare XState with no actor per request', `${o.ratios_cpu.langgraph_over_bare_xstate_no_actors}×`);
    const census = o.charts_per_turn;
    if (census) add('   one train-mode turn of the charts', `${census.actors} actors, ${census.microsteps} microsteps, ${census.events} events, ${census.actions} actions`);
  }
  const e = r.e2e;
  if (e?.end_to_end) {
    for (const run of e.end_to_end as Result[]) {
      if (run.mode === 'cache_stats') continue;
      const label = `${run.mode === 'generate' ? '2.' : '3.'} end to end, ${run.mode}, cache ${run.cache}`;
      const figure = `p50 ${run.ms.p50} ms, p95 ${run.ms.p95}, p99 ${run.ms.p99}; ${run.throughput_per_s}/s; ${run.outcomes.completed}/${run.ms.n} completed`;
      if (run.mode === 'generate') add(label, figure, 'p50 ≤ 3 ms, ≥ 300/s', run.ms.p50 <= 3 && run.throughput_per_s >= 300);
      else add(label, figure, 'p50 ≤ 10 ms', run.ms.p50 <= 10);
    }
    const a = e.agents_ms;
    const agent = (label: string, x: Result, target = '', limit?: number) =>
      add(label, `p50 ${x.p50} ms, p95 ${x.p95}, p99 ${x.p99} (n ${x.n})`, target, limit === undefined ? null : x.p50 <= limit);
    agent('4. schema analyzer alone', a.schema_analyzer);
    agent('   entity extraction alone', a.entities);
    agent('   generator alone', a.query_generator, '≤ 1 ms', 1);
    agent('   validator alone (incl. EXPLAIN)', a.validator, '≤ 1.5 ms', 1.5);
    agent('   reward alone (gold executed, no gold cache)', a.reward_evaluator);
  }
  const v = r.validator;
  if (v?.parse_only) {
    const x = (k: string) => `${v[k].median_ms} ms (cold ${v[k].cold_median_ms}, p90 ${v[k].p90_ms})`;
    add('   validator on gold SQL: parse only', x('parse_only'));
    add('   validator: AST layers, no EXPLAIN', x('validate_ast_only'));
    add('   validator: bare EXPLAIN', x('explain_only'));
    add('   validator: all layers + EXPLAIN', x('validate_with_explain'), '≤ 1.5 ms', v.validate_with_explain.median_ms <= 1.5);
  }
  const g = r.generator;
  if (g?.median_ms !== undefined) add('   generator (bench/generator.ts)', `median ${g.median_ms} ms, p90 ${g.p90_ms}, p99 ${g.p99_ms}`, '≤ 1 ms', g.median_ms <= 1);
  const s = r['db-startup'];
  if (s?.warm) {
    if (s.cold) add('5. sample database: cold (initdb, DDL, data)', `${s.cold.ready_ms} ms from process start (${s.cold.cpu_ms} ms CPU)`);
    const ready = (w: Result) => `${w.ready_ms} ms from process start (${w.cpu_ms} ms CPU, boot ${w.boot_ms} ms)`;
    add('   sample database: cached, as a library starts it', ready(s.warm), '≤ 1500 ms', s.warm.ready_ms <= 1500);
    if (s.warm_command) add('   sample database: cached, as a one-shot command starts it', ready(s.warm_command), '≤ 1500 ms', s.warm_command.ready_ms <= 1500);
  }
  const c = r.coldstart;
  if (c?.wall_ms !== undefined) add('5. `gl-rl ask` process, start to answer', `${c.wall_ms} ms wall, ${c.cpu_ms} ms CPU (runs ${c.all_wall_ms.join(', ')}; RSS ${c.max_rss_mb} MB)`, '≤ 1500 ms', c.wall_ms <= 1500);
  else if (c?.skipped) add('5. `gl-rl ask` process', c.skipped);
  const k = r.concurrency;
  if (k?.concurrent) {
    const x = k.concurrent;
    add('6. 1,000 concurrent sessions, 100 ms agents, 200 slots', `${x.completed} completed, ${x.lost} lost, ${x.failed} failed`, 'all complete', x.completed === x.sessions);
    add('   throughput vs the bulkhead\'s allowance', `${x.throughput_per_s}/s of ${x.theoretical_per_s}/s = ${Math.round(x.of_theoretical * 100)}% (${x.cpu_seconds} s CPU in ${x.seconds} s: ${x.cpu_ms_per_workflow} ms CPU per workflow)`, '≥ 95%', x.of_theoretical >= 0.95);
    if (x.bulkhead_filled_after_s !== undefined) add('   bulkhead full after; slot use from then on', `${Math.round(x.bulkhead_filled_after_s * 1000)} ms; ${Math.round(x.slot_use_after_filled * 100)}%`);
    add('   retained heap per finished session', `${x.retained_heap_bytes_per_session} B (JSON of its snapshot ≈ ${x.estimated_json_bytes_per_session} B)`, '≤ 4 KB', x.retained_heap_bytes_per_session <= 4096);
    add('   of which: an idle session actor alone', `${k.session_actor_bytes} B`);
    if (k.xstate_one_timer_actor_bytes !== undefined) {
      add('   XState\'s floor: an idle one-state actor; with one armed timer', `${k.xstate_one_state_actor_bytes} B; ${k.xstate_one_timer_actor_bytes} B`);
    }
    const h = k.sequential_heap;
    const points = (h.checkpoints as Result[]).map((p) => `${p.workflows / 1000}k ${p.heap_mb}`).join(', ');
    add('   heap after sequential workflows (MB)', `${points}; growth ${h.growth_mb_1k_to_end} MB`, 'flat (< 1 MB)', Math.abs(h.growth_mb_1k_to_end) < 1);
  }
  const h = r.http;
  if (h?.runs) {
    for (const run of h.runs as Result[]) {
      const ok = run.statuses['200'] ?? 0;
      add(`7. HTTP POST /v1/query, ${run.clients} client${run.clients > 1 ? 's' : ''} (keep-alive)`, `p50 ${run.ms.p50} ms, p95 ${run.ms.p95}, p99 ${run.ms.p99}; ${run.requests_per_s}/s; ${ok}/${run.requests} answered 200; server ${run.server_cpu_ms_per_request} ms CPU per request`);
    }
    if (h.health_ms) add('   HTTP floor: GET /health, 1 client', `p50 ${h.health_ms.p50} ms, p95 ${h.health_ms.p95}, p99 ${h.health_ms.p99}`);
  } else if (h?.skipped) add('7. HTTP service', h.skipped);
  const x = r.hostile;
  if (x?.requests) {
    for (const [name, q] of Object.entries(x.requests as Record<string, Result>)) {
      const answered = q.statuses.every((status: number) => status === q.expect);
      add(`8. GET /health during one request: ${name}`, `max ${q.health_max_ms} ms (p50 ${q.health_p50_ms}; ${q.health_samples} polls); answered ${q.statuses.join('/')} in ${q.request_ms.join('/')} ms`, `< 50 ms, ${q.expect}`, q.health_max_ms < 50 && answered);
    }
    const m = x.memory;
    add(`   RSS, ${m.clients} requests with ${m.context_kb} KB contexts and distinct sessions`, `${m.rss_before_mb} → ${m.rss_after_mb} MB`);
  } else if (x?.skipped) add('8. hostile clients', x.skipped);
  const d = r.dashboard;
  if (d?.rounds) {
    const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    add(
      `9. ${d.dashboards} open dashboards, server at ${d.rate_per_s} questions/s`,
      `server CPU ${d.cpu_ms_per_question_without} → ${d.cpu_ms_per_question_with} ms per question (${d.cpu_percent_without}% → ${d.cpu_percent_with}% of a core): ${pct(d.added_relative)}`,
      '< +5%',
      d.added_relative < 0.05,
    );
  } else if (d?.skipped) add('9. dashboards', d.skipped);
  const w = r.rewards;
  if (w?.throughput_warm) {
    const tp = (x: Result) => `${x.per_s_median}/s wall (runs ${x.runs.join(', ')}); ${x.cpu_ms_per_completion} ms CPU each = ${x.two_core_capacity_per_s}/s on 2 cores`;
    add(`10. rewards: ${w.workload.prompts} × ${w.workload.group} dev completions, warm`, tp(w.throughput_warm), '≥ 500/s', w.throughput_warm.per_s_median >= 500);
    add('   same, cold (expected SQL not cached)', tp(w.throughput_cold));
    add('   one 8-completion group', `p50 ${w.group_ms.p50} ms, p99 ${w.group_ms.p99} wall; CPU p50 ${w.group_cpu_ms.p50} ms, p99 ${w.group_cpu_ms.p99}`, 'p99 ≤ 100 ms', w.group_ms.p99 <= 100);
    add('   a batch with 3 runaway completions', `${w.isolation.with_runaways_ms} ms against ${w.isolation.clean_batch_ms} ms clean; others unchanged: ${w.isolation.other_scores_unchanged}`);
    for (const [preset, s] of Object.entries(w.separation.presets as Record<string, Result>)) {
      const target = preset === 'execution' ? 'pairwise ≥ 0.98, AUROC ≥ 0.98' : '';
      add(`   separation, ${preset}`, `AUROC ${s.auroc}, pairwise ${s.pairwise}, max wrong ${s.max_wrong} vs min correct ${s.min_correct}`, target,
        preset === 'execution' ? s.pairwise >= 0.98 && s.auroc >= 0.98 : null);
    }
  }
  const z = r['schema-scale'];
  if (z?.sizes) {
    const f = (x: Result) => `${x.wall_ms} ms wall, ${x.cpu_ms} ms CPU`;
    for (const size of z.sizes as Result[]) {
      const large = size.tables === 2000;
      add(`11. ${size.tables} tables: \`validate --schema\`, cold cache`, f(size.validate_cold), large ? '< 10 s' : '', large ? size.validate_cold.wall_ms < 10_000 : null);
      add(`   ${size.tables} tables: \`validate --schema\`, warm`, f(size.validate_warm), large ? '< 1.5 s' : '', large ? size.validate_warm.wall_ms < 1500 : null);
      add(`   ${size.tables} tables: \`ask --schema\`, warm`, f(size.ask_warm), large ? '< 1.5 s' : '', large ? size.ask_warm.wall_ms < 1500 : null);
    }
    const g = z.growth_exponent_cpu;
    add('   growth exponent of CPU over tables (validate cold, warm; ask warm)', `${g.validate_cold}, ${g.validate_warm}, ${g.ask_warm}`, '≤ 1.17 (n log n)', Math.max(g.validate_cold, g.validate_warm, g.ask_warm) <= 1.17);
  } else if (z?.skipped) add('11. large schemas', z.skipped);
  const db = r.database;
  if (db?.introspection) {
    const i = db.introspection;
    add(`12. introspection of ${i.tables} tables, cold (read, built, sampled)`, `${i.cold_ms} ms (runs ${i.cold_all_ms.join(', ')})`, '≤ 1000 ms', i.cold_ms <= 1000);
    add('   introspection, warm (definitions read, catalog from the cache)', `${i.warm_ms} ms`);
    const v = db.validation;
    add('   validation with EXPLAIN on a loopback server', `p50 ${v.with_explain_ms.p50} ms, p95 ${v.with_explain_ms.p95}, p99 ${v.with_explain_ms.p99} (n ${v.with_explain_ms.n})`, 'p50 ≤ 2 ms', v.with_explain_ms.p50 <= 2);
    add('   bare EXPLAIN on the server', `p50 ${v.explain_only_ms.p50} ms, p95 ${v.explain_only_ms.p95}; client CPU ${v.client_cpu_ms_per_pair} ms per validation + EXPLAIN`);
    if (db.ask.wall_ms !== undefined) add('   `gl-rl ask --database URL`, warm catalog cache', `${db.ask.wall_ms} ms wall, ${db.ask.cpu_ms} ms CPU (runs ${db.ask.all_wall_ms.join(', ')}; first ${db.ask.first_run_ms})`, '≤ 1500 ms', db.ask.wall_ms <= 1500);
    else add('   `gl-rl ask --database URL`', db.ask.skipped);
  }
  return out;
}

function table(list: Row[]): string {
  const header = ['measure', 'figure', 'target', 'met'];
  const cells = list.map((row) => [row.measure, row.figure, row.target, row.met === null ? '' : row.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const started = new Date().toISOString();
const before = machine();
const results: Record<string, Result> = {};
for (const name of SECTIONS) if (only.length === 0 || only.includes(name)) results[name] = runSection(name);
const summary = rows(results);
const out = table(summary);
console.log(`\n${before.cpu}, ${before.cores} cores, node ${before.node}; load average at start ${before.load_average.join(' ')}, at end ${machine().load_average.join(' ')}${QUICK ? ' (--quick)' : ''}\n`);
console.log(out);
writeFileSync(
  fileURLToPath(new URL('./results.json', import.meta.url)),
  `${JSON.stringify({ started, finished: new Date().toISOString(), quick: QUICK, machine_at_start: before, machine_at_end: machine(), table: summary, sections: results }, null, 2)}\n`,
);
