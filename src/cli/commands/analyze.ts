/** `gl-rl analyze "question"`: the schema analyzer's view of a question (tables, joins, filters, entities). */
import type { Command } from 'commander';
import type { SchemaAnalysis } from '../../agents/schema-analyzer/contract.js';
import { UsageError, action, domainConfig, globalOptions, integer, openOrchestrator, writeJson, writeOut, type OrchestratorRequest } from '../shared.js';

interface AnalyzeOptions extends OrchestratorRequest {
  json?: boolean;
  depth: number;
  hint?: string[];
  refresh?: boolean;
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description("show the schema analyzer's output for a question")
    .argument('<question>', 'the question, in quotes')
    .option('--json', 'print the analysis as one JSON document')
    .option('--schema <file>', 'DDL file of the domain (default: the bundled GL schema)')
    .option('--depth <n>', 'foreign-key hops for join paths', integer('--depth', 0), 3)
    .option('--hint <table...>', 'tables the analysis should consider first')
    .option('--refresh', "introspect the user's database again and resample its values, replacing the cached catalog")
    .action(action(async (question: string, options: AnalyzeOptions, command: Command) => analyze(question, { ...options, ...globalOptions(command) })));
}

async function analyze(question: string, options: AnalyzeOptions): Promise<number> {
  if (question.trim() === '') throw new UsageError('the question must not be empty');
  if (options.refresh) await refreshCatalog(options);
  // One hop of the orchestrator's pipeline: the registered schema analyzer, its request and response on the message bus.
  const { orchestrator, close } = await openOrchestrator(options);
  try {
    const out = await orchestrator.pipeline(['schema_analyzer'], {
      query: question,
      content: { depth: options.depth, ...(options.hint ? { hint_tables: options.hint } : {}) },
    });
    const analysis = out.schema_analysis as SchemaAnalysis;
    if (options.json) writeJson(analysis);
    else writeOut(renderAnalysis(analysis));
    return 0;
  } finally {
    await close();
  }
}

/** Introspects and samples anew (the cache is rewritten), so the analysis below reads the fresh catalog. */
async function refreshCatalog(options: AnalyzeOptions): Promise<void> {
  const [{ withDomain }, { resolveConfig }] = await Promise.all([import('../domain.js'), import('../../orchestrator/config.js')]);
  if (!resolveConfig({ config: domainConfig(options) }).database_url) {
    throw new UsageError("--refresh reads a user's database: give --database URL (or set GL_RL_DATABASE_URL)");
  }
  await withDomain(
    options,
    async ({ user, catalog }) => {
      const { server, introspection } = user!;
      const views = catalog.tables.filter((t) => t.kind === 'view').length;
      const sampled = catalog.tables.reduce((n, t) => n + t.columns.filter((c) => c.valueDomain).length, 0);
      const took = introspection ? ` in ${introspection.ms} ms` : '';
      process.stderr.write(
        `catalog of ${server.label} refreshed${took}: ${catalog.tables.length - views} tables, ${views} views, ${sampled} columns with value domains\n`,
      );
    },
    { refresh: true },
  );
}

function renderAnalysis(a: SchemaAnalysis): string {
  const out: string[] = ['Relevant tables'];
  if (a.relevant_tables.length === 0) out.push('  (none)');
  for (const t of a.relevant_tables) {
    out.push(`  ${t.table_name}  ${t.relevance_score.toFixed(2)}  ${t.reason}`);
    if (t.columns.length) out.push(`    columns: ${t.columns.join(', ')}`);
    for (const f of t.filters) out.push(`    filter: ${f.column} ${f.operator} ${JSON.stringify(f.value)}  (${f.source})`);
    for (const m of t.measures ?? []) out.push(`    measure: ${m.term} = ${m.sql}`);
  }
  if (a.join_paths.length) out.push('Join paths', ...a.join_paths.map((j) => `  ${j.from_table} → ${j.to_table}  ${j.join_type}  ${j.join_columns.join(', ')}`));
  const mapped = a.entity_mappings?.mapped_entities ?? [];
  if (mapped.length) out.push('Entities', ...mapped.map((m) => `  "${m.term}" → ${m.kind} ${m.target}`));
  for (const w of a.warnings ?? []) out.push(`warning: ${w}`);
  for (const s of a.suggestions ?? []) out.push(`suggestion: ${s}`);
  return out.join('\n');
}
