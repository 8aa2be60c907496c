/**
 * The shipped agents and the domain they share: the catalog built from the
 * schema DDL, the business vocabulary, and the seeded sample databases
 * (PGlite) used for EXPLAIN and execution-based rewards. The domain is
 * started once per orchestrator, its databases booting in parallel with the
 * parser and the vocabulary, and handed to every agent call as `services`.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { DEFAULT_SCHEMA_FILE } from '../paths.js';
import { buildCatalog, withValueDomains } from '../schema/catalog.js';
import type { Catalog } from '../schema/types.js';
import { loadVocabulary, unknownReferences, vocabularyFor, type Vocabulary } from '../schema/vocabulary.js';
import { loadParser } from '../sql/parser.js';
import { closeAll, openOnFirstUse, startSampleDatabase, type SampleDatabase } from '../db/database.js';
import { createSchemaAnalyzer, extractEntities } from './schema-analyzer/index.js';
import { createEmbeddedGenerator } from './query-generator/agent.js';
import { readGeneratorValues } from './query-generator/values.js';
import { createValidator, explainVia, validateSql } from './validator/index.js';
import { createRewardEvaluator } from './reward-evaluator/agent.js';
import type { AgentCallContext, AgentFunction, AgentServices, Role } from './types.js';

export interface DomainOptions {
  /** DDL file; default: the bundled GL schema. */
  schema_file?: string | null;
  /**
   * Business vocabulary file; default: the bundled GL vocabulary, of which only
   * the entries on tables the schema has apply. A given file must name only
   * tables and columns of the schema.
   */
  vocabulary_file?: string | null;
  /** Seeds of the sample databases; the first also serves EXPLAIN and value look-ups. */
  seeds?: number[];
  /** Seconds the reward evaluator keeps gold results. */
  cache_ttl?: number;
  /** Reward component weights over the defaults. */
  reward_weights?: Record<string, number> | null;
  /** Seconds a statement of a client's SQL may run on a sample database (default 2). */
  query_timeout?: number;
}

export interface Domain extends AgentServices {
  catalog: Catalog;
  vocabulary: Vocabulary;
  databases: SampleDatabase[];
  agents: Record<Role, AgentFunction>;
  extractEntities(query: string): unknown;
  close(): Promise<void>;
}

async function readSchema(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_CONFIG', `schema_file ${file} cannot be read (${(err as Error).message})`, { field: 'schema_file' });
  }
}

export async function createDomain(options: DomainOptions = {}): Promise<Domain> {
  const seeds = options.seeds?.length ? options.seeds : [1, 2, 3];
  const ddl = await readSchema(options.schema_file ?? DEFAULT_SCHEMA_FILE);
  // The database is the longest part of a start: it boots while the catalog is parsed and the
  // agents are built from the values an earlier start kept (see SampleDatabase.derived).
  const parsing = Promise.all([loadVocabulary(options.vocabulary_file ?? undefined), loadParser().then(() => buildCatalog(ddl, { definitionsOnly: true }))]);
  const catalogBuilt = parsing.then(([, catalog]) => catalog);
  // A parse failure is reported through `parsing`; a cached database never awaits the catalog.
  catalogBuilt.catch(() => undefined);
  // The first seed serves EXPLAIN and value look-ups; the others boot when a reward first needs them.
  const primary = startSampleDatabase({ catalog: catalogBuilt, ddl, seed: seeds[0]! });
  // A boot that fails because the catalog did is reported by `parsing`, awaited first.
  primary.started.catch(() => undefined);
  const databases: SampleDatabase[] = [primary];
  try {
    const [loaded, declared] = await parsing;
    const unknown = options.vocabulary_file ? unknownReferences(loaded, declared) : [];
    if (unknown.length > 0) {
      throw new AppError('INVALID_CONFIG', `vocabulary_file ${options.vocabulary_file} names what the schema lacks: ${unknown.slice(0, 5).join('; ')}`, { field: 'vocabulary_file' });
    }
    const vocabulary = vocabularyFor(loaded, declared);
    databases.push(...seeds.slice(1).map((seed) => openOnFirstUse({ catalog: declared, seed })));
    const catalog = withValueDomains(declared, await primary.readValueDomains(declared));
    const explain = explainVia(primary);
    const validatorDeps = { catalog, explain };
    const agents: Record<Role, AgentFunction> = {
      schema_analyzer: createSchemaAnalyzer({ catalog, vocabulary }),
      query_generator: createEmbeddedGenerator({
        catalog, vocabulary, values: await readGeneratorValues(primary, declared),
        check: { explain, query: (sql, { rowLimit, signal }) => primary.query(sql, { rowLimit, signal }) },
      }),
      validator: createValidator(validatorDeps),
      reward_evaluator: createRewardEvaluator({
        validate: (sql, signal) => validateSql(sql, validatorDeps, { signal }),
        databases,
        cacheTtl: options.cache_ttl,
        weights: options.reward_weights ?? undefined,
        queryTimeoutMs: options.query_timeout === undefined ? undefined : options.query_timeout * 1000,
      }),
    };
    await primary.started;
    return {
      catalog,
      vocabulary,
      databases,
      agents,
      extractEntities: (query) => extractEntities(query, { catalog, vocabulary }),
      close: () => closeAll(databases),
    };
  } catch (err) {
    await closeAll(databases);
    throw err;
  }
}

function domainOf(ctx: AgentCallContext): Domain {
  const domain = ctx.services as Domain | undefined;
  if (!domain?.agents) throw new AppError('AGENT_FAILED', 'the shipped agents need the domain services, which were not started');
  return domain;
}

/** Each shipped agent delegates to the domain's instance, so one function serves every orchestrator. */
function shipped(role: Role, name: string): AgentFunction {
  const agent: AgentFunction = (content, ctx) => domainOf(ctx).agents[role](content, ctx);
  Object.defineProperty(agent, 'name', { value: name });
  return agent;
}

export const defaultAgents: Readonly<Record<Role, AgentFunction>> = Object.freeze({
  schema_analyzer: shipped('schema_analyzer', 'embedded-schema-analyzer'),
  query_generator: shipped('query_generator', 'embedded'),
  validator: shipped('validator', 'pg-validator'),
  reward_evaluator: shipped('reward_evaluator', 'reward-evaluator'),
});
