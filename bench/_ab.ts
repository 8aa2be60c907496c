import pino from 'pino';
const noop: any = {
  schema_analyzer: async () => ({ relevant_tables: [] }),
  query_generator: async () => ({ sql: 'SELECT 1', reasoning: '', confidence: 1 }),
  validator: async () => ({ is_valid: true, details: {}, issues: [], suggestions: [] }),
  reward_evaluator: async () => ({ total_reward: 1, rewards: {}, feedback: [] }),
};
const mk = async (path: string) => {
  const { createOrchestrator } = await import(path);
  const o = createOrchestrator({ agents: noop, logger: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true })), config: { cache_ttl: 0, max_retained_sessions: 1000 } });
  await o.initialize();
  let n = 0;
  return async () => { await o.process({ query: `q ${n++}`, mode: 'train' }); };
};
const subjects: Record<string, () => Promise<void>> = { base: await mk('/tmp/base/src/orchestrator/orchestrator.ts'), new: await mk('/work/main/src/orchestrator/orchestrator.ts') };
const cpu: Record<string, number[]> = { base: [], new: [] };
for (const run of Object.values(subjects)) for (let i = 0; i < 300; i++) await run();
for (let r = 0; r < Number(process.argv[2] ?? 9); r++) for (const [k, run] of Object.entries(subjects)) {
  const c0 = process.cpuUsage(); for (let i = 0; i < 300; i++) await run(); const c = process.cpuUsage(c0); cpu[k]!.push((c.user + c.system) / 300);
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
console.log(JSON.stringify({ base: med(cpu.base!), new: med(cpu.new!), base_runs: cpu.base!.map(Math.round), new_runs: cpu.new!.map(Math.round) }));
process.exit(0);
