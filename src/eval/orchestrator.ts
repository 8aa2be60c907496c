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
import { openDatabases, openTestSuite, type SampleDatabase } from '../db/database.js';
import { AppError } from '../errors.js';
import { DEFAULT_SCHEMA_FILE } from '../paths.js';
import { loadCatalogFile } from '../schema/catalog.js';
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
  schema_file?: string | null;
  seeds: number[];
  /**
   * SQL files of rows (a benchmark's test databases, INSERTs over the
   * schema): one database per file, named by the file, instead of one per seed.
   */
  test_data?: readonly string[];
}

/** The test-suite databases for scoring, one per seed or per test-data file, over the schema the orchestrator uses. */
export async function openTestDatabases(options: TestDatabaseOptions): Promise<SampleDatabase[]> {
  await loadParser();
  const catalog = loadCatalogFile(options.schema_file ?? DEFAULT_SCHEMA_FILE);
  if (!options.test_data || options.test_data.length === 0) return openTestSuite({ catalog, seeds: options.seeds });
  const files = options.test_data.map((path) => {
    try {
      return { path, data: readFileSync(path, 'utf8') };
    } catch (err) {
      throw new AppError('INVALID_INPUT', `cannot read test data ${path}: ${(err as Error).message}`, { field: 'test_data', path });
    }
  });
  return openDatabases(files.map(({ path, data }) => ({ catalog, data, name: basename(path) })));
}
