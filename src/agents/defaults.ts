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
import { closeAll, openOnFirstUse, startSampleDatabase } from '../db/database.js';
import type { Database } from '../db/engine.js';
import { openUserDatabase, type UserDatabase } from '../db/user-database.js';
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
  /** A user's PostgreSQL server: the catalog from its schemas (or `schema_file`), EXPLAIN and execution on it. */
  database_url?: string | null;
  schemas?: string[];
  require_read_only_role?: boolean;
  sensitive_columns?: string[] | null;
  /** Seconds one statement may run on the user's server. */
  statement_timeout?: number;
  /** Introspect and sample the user's server again, ignoring the cached catalog. */
  refresh?: boolean;
  /** Where start-up warnings go (a writing role, hidden names). Default: stderr. */
  warn?: (message: string) => void;
  /** Seconds a statement of a client's SQL may run on a sample database (default 2). */
  query_timeout?: number;
}

export interface Domain extends AgentServices {
  catalog: Catalog;
  vocabulary: Vocabulary;
  /** Where results are compared (rewards, evaluation): the user's database first when there is one, then the seeded ones. */
  databases: Database[];
  /** The user's database, when one is configured. */
  user?: Omit<UserDatabase, 'catalog'>;
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
  if (options.database_url) return createUserDomain(options.database_url, seeds, options);
  const ddl = await readSchema(options.schema_file ?? DEFAULT_SCHEMA_FILE);
  // The database is the longest part of a start: it boots while the catalog is parsed and the
  // agents are built from the values an earlier start kept (see Database.derived).
  const parsing = Promise.all([loadVocabulary(options.vocabulary_file ?? undefined), loadParser().then(() => buildCatalog(ddl, { definitionsOnly: true }))]);
  const catalogBuilt = parsing.then(([, catalog]) => catalog);
  // A parse failure is reported through `parsing`; a cached database never awaits the catalog.
  catalogBuilt.catch(() => undefined);
  // The first seed serves EXPLAIN and value look-ups; the others boot when a reward first needs them.
  const primary = startSampleDatabase({ catalog: catalogBuilt, ddl, seed: seeds[0]! });
  // A boot that fails because the catalog did is reported by `parsing`, awaited first.
  primary.started.catch(() => undefined);
  const databases: Database[] = [primary];
  try {
    const [loaded, declared] = await parsing;
    const vocabulary = domainVocabulary(loaded, declared, options);
    databases.push(...seeds.slice(1).map((seed) => openOnFirstUse({ catalog: declared, seed })));
    const domain = await assemble({ declared, vocabulary, primary, databases, options });
    await primary.started;
    return domain;
  } catch (err) {
    await closeAll(databases);
    throw err;
  }
}

/**
 * On a user's server: it plans, runs and gives the values; rewards compare on
 * it (read-only) and on seeded databases built from its catalog.
 */
async function createUserDomain(url: string, seeds: number[], options: DomainOptions): Promise<Domain> {
  const [loaded, ddl] = await Promise.all([
    loadVocabulary(options.vocabulary_file ?? undefined),
    options.schema_file ? readSchema(options.schema_file) : undefined,
    loadParser(),
  ]);
  const { catalog: declared, ...user } = await openUserDatabase({
    url,
    schemas: options.schemas,
    ddl,
    sensitive: options.sensitive_columns,
    statementTimeoutMs: options.statement_timeout === undefined ? undefined : options.statement_timeout * 1000,
    requireReadOnlyRole: options.require_read_only_role,
    refresh: options.refresh,
    warn: options.warn,
  });
  const databases: Database[] = [user.server, ...seeds.map((seed) => openOnFirstUse({ catalog: declared, seed }))];
  try {
    const vocabulary = domainVocabulary(loaded, declared, options);
    return { ...(await assemble({ declared, vocabulary, primary: user.server, databases, options })), user };
  } catch (err) {
    await closeAll(databases);
    throw err;
  }
}

/** The vocabulary for a catalog: a given file must name only what the schema has; the bundled one applies to the tables it knows. */
function domainVocabulary(loaded: Vocabulary, declared: Catalog, options: DomainOptions): Vocabulary {
  const unknown = options.vocabulary_file ? unknownReferences(loaded, declared) : [];
  if (unknown.length > 0) {
    throw new AppError('INVALID_CONFIG', `vocabulary_file ${options.vocabulary_file} names what the schema lacks: ${unknown.slice(0, 5).join('; ')}`, { field: 'vocabulary_file' });
  }
  return vocabularyFor(loaded, declared);
}

/** The agents over a catalog and its databases, whichever engine the primary one is. */
async function assemble(parts: {
  declared: Catalog;
  vocabulary: Vocabulary;
  primary: Database;
  databases: Database[];
  options: DomainOptions;
}): Promise<Domain> {
  const { declared, vocabulary, primary, databases, options } = parts;
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
  return {
    catalog,
    vocabulary,
    databases,
    agents,
    extractEntities: (query) => extractEntities(query, { catalog, vocabulary }),
    close: () => closeAll(databases),
  };
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
