/**
 * What `eval` and `train` run on: the public orchestrator with the shipped
 * agents, the example memory and the test-suite databases. When an LLM is
 * configured (GL_RL_LLM_BASE_URL…), it is the generator, with the embedded
 * generator as its fallback, and draws its few-shot examples from the memory
 * given — none otherwise (unlike `ask`, which reads the user's default
 * memory), so an evaluation starts from an empty memory unless a memory file
 * is named.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createOrchestrator, defaultAgents, type Orchestrator } from '../index.js';
import { createLlmGenerator, llmOptionsFromEnv } from '../agents/query-generator/llm/index.js';
import type { ExampleMemory } from '../agents/query-generator/memory/index.js';
import { openDatabases, openTestSuite } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Database } from '../db/engine.js';
import { parseDatabaseUrl } from '../db/url.js';
import { openUserDatabase } from '../db/user-database.js';
import { resolveConfig } from '../orchestrator/config.js';
import { DEFAULT_SCHEMA_FILE } from '../paths.js';
import { loadCatalogFile } from '../schema/catalog.js';
import type { Catalog } from '../schema/types.js';
import { loadParser } from '../sql/parser.js';

export interface RunOrchestratorOptions {
  config?: Record<string, unknown>;
  memory?: ExampleMemory;
  env?: NodeJS.ProcessEnv;
}

/** Built and initialized: a bad configuration fails here, before any question is run. */
export async function openRunOrchestrator(options: RunOrchestratorOptions = {}): Promise<Orchestrator> {
  const env = options.env ?? process.env;
  const llm = llmOptionsFromEnv(env);
  const orchestrator = createOrchestrator({
    config: options.config,
    env,
    ...(llm ? { agents: { query_generator: [createLlmGenerator({ ...llm, ...(options.memory ? { memory: options.memory } : {}) }), defaultAgents.query_generator] } } : {}),
  });
  try {
    await orchestrator.initialize();
  } catch (error) {
    await orchestrator.shutdown();
    throw error;
  }
  return orchestrator;
}

/** The example memory stored at `path` (created on first addition); bad lines are reported through `warn` and skipped. */
export async function openMemory(path: string, warn: (message: string) => void): Promise<ExampleMemory> {
  const { ExampleMemory } = await import('../agents/query-generator/memory/index.js');
  const { memory, report } = await ExampleMemory.open(path);
  for (const p of report.problems) warn(`${report.path} line ${p.line}: ${p.message}`);
  return memory;
}

export interface TestDatabaseOptions {
  /** Settings as the orchestrator's (the environment resolves the rest): `schema_file`, `database_url`, … */
  config?: Record<string, unknown>;
  /** A DDL file (the same as `config.schema_file`). */
  schema_file?: string | null;
  seeds: number[];
  /**
   * SQL files of rows (a benchmark's test databases, INSERTs over the
   * schema): one database per file, named by the file, instead of one per seed.
   */
  test_data?: readonly string[];
}

/**
 * The databases results are compared on, over the domain the orchestrator
 * uses: the user's database first when one is configured (read-only), then
 * one seeded database per seed (or one per test-data file), built from its catalog.
 */
export async function openTestDatabases(options: TestDatabaseOptions): Promise<Database[]> {
  await loadParser();
  const config = resolveConfig({ config: { ...options.config, ...(options.schema_file ? { schema_file: options.schema_file } : {}) } });
  const user = config.database_url
    ? await openUserDatabase({
        url: config.database_url,
        schemas: config.schemas,
        ddl: config.schema_file ? readFileSync(config.schema_file, 'utf8') : undefined,
        sensitive: config.sensitive_columns,
        statementTimeoutMs: config.statement_timeout * 1000,
        requireReadOnlyRole: config.require_read_only_role,
        // The orchestrator's own start has already warned about the role.
        warn: () => undefined,
      })
    : undefined;
  try {
    const catalog = user?.catalog ?? loadCatalogFile(config.schema_file ?? DEFAULT_SCHEMA_FILE);
    const seeded = options.test_data?.length ? await openTestData(catalog, options.test_data) : await openTestSuite({ catalog, seeds: options.seeds });
    return [...(user ? [user.server] : []), ...seeded];
  } catch (err) {
    await user?.server.close();
    throw err;
  }
}

function openTestData(catalog: Catalog, paths: readonly string[]): Promise<Database[]> {
  const files = paths.map((path) => {
    try {
      return { path, data: readFileSync(path, 'utf8') };
    } catch (err) {
      throw new AppError('INVALID_INPUT', `cannot read test data ${path}: ${(err as Error).message}`, { field: 'test_data', path });
    }
  });
  return openDatabases(files.map(({ path, data }) => ({ catalog, data, name: basename(path) })));
}

/** Which databases the orchestrator's rewards compare on, by label, for summaries. */
export function scoringDatabases(config: Record<string, unknown> = {}): string[] {
  const resolved = resolveConfig({ config });
  return [...(resolved.database_url ? [parseDatabaseUrl(resolved.database_url).label] : []), ...resolved.seeds.map((seed) => `seed ${seed}`)];
}
