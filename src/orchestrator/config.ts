/**
 * Orchestrator configuration: the specification's defaults, overridden in
 * turn by a JSON config file, environment variables and the options object.
 * Durations are seconds (fractions allowed). Every value is checked; a bad
 * one fails `initialize()` with INVALID_CONFIG naming the key and the value.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../errors.js';
import { redactUrl } from '../db/url.js';

export interface OrchestratorConfig {
  /** Maximum workflow execution time (s). */
  timeout: number;
  /** Retry attempts for failed operations; also the regeneration budget. */
  max_retries: number;
  /** Cache and idle-session time-to-live (s); 0 disables caching. */
  cache_ttl: number;
  /** Maximum parallel agent operations across all sessions. */
  max_concurrent_agents: number;
  /** Timeout for one agent request (s). */
  inter_agent_timeout: number;
  /** Delay before the first retry (s); doubled on each further retry. */
  retry_backoff: number;
  /** Consecutive failures that open an agent's circuit. */
  circuit_failure_threshold: number;
  /** Seconds an open circuit waits before a trial call. */
  circuit_reset_timeout: number;
  /** Foreign-key hops the schema analyzer may follow. */
  analysis_depth: number;
  /** Candidates asked of the generator (train mode uses at least 1). */
  num_candidates: number;
  /** Validation warnings fail the query. */
  strict_mode: boolean;
  /** Sessions kept in all, live and expired: beyond it the oldest expired are dropped. */
  max_retained_sessions: number;
  /** Sessions live at once (not expired); a new one beyond it ends the least recently used idle session. */
  max_live_sessions: number;
  /** Estimated bytes of turns and messages one session keeps (oldest turns dropped first). */
  max_session_bytes: number;
  /** Messages kept per session (oldest dropped first). */
  max_messages_per_session: number;
  /** Turns kept per session (oldest dropped first). */
  max_turns_per_session: number;
  /** DDL file of the domain; default: the bundled GL schema. */
  schema_file: string | null;
  /** Business vocabulary file (docs/vocabulary.md); default: the bundled GL vocabulary, which applies only to the GL tables. */
  vocabulary_file: string | null;
  /** Seeds of the sample databases used for execution-based rewards. */
  seeds: number[];
  /** Time budget (s) of one statement of a client's SQL (train-mode `expected_sql`, scored candidates) on a sample database. */
  query_timeout: number;
  /** Reward component weights over the defaults (syntax 0.20, schema 0.25, business_logic 0.20, performance 0.15, reasoning 0.10, accuracy 0.10); normalized. */
  reward_weights: Record<string, number> | null;
  /** A user's PostgreSQL server (postgres://…): its schemas give the catalog, and it plans and runs the SQL. */
  database_url: string | null;
  /** The server's schemas read into the catalog, searched in this order. */
  schemas: string[];
  /** Refuse to start when the database role can write or owns tables. */
  require_read_only_role: boolean;
  /** `table.column` or `column` patterns (`*` wildcards) never sampled; null: the built-in list. */
  sensitive_columns: string[] | null;
  /** Time budget of one statement on the user's server (s). */
  statement_timeout: number;
  /** pino level. */
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export const DEFAULT_CONFIG: Readonly<OrchestratorConfig> = Object.freeze({
  timeout: 30.0,
  max_retries: 3,
  cache_ttl: 3600,
  max_concurrent_agents: 4,
  inter_agent_timeout: 10.0,
  retry_backoff: 0.1,
  circuit_failure_threshold: 5,
  circuit_reset_timeout: 30,
  analysis_depth: 3,
  num_candidates: 1,
  strict_mode: false,
  max_retained_sessions: 2_000,
  max_live_sessions: 1_000,
  max_session_bytes: 512 * 1024,
  max_messages_per_session: 200,
  max_turns_per_session: 50,
  schema_file: null,
  vocabulary_file: null,
  seeds: [1, 2, 3],
  query_timeout: 2,
  reward_weights: null,
  database_url: null,
  schemas: ['public'],
  require_read_only_role: false,
  sensitive_columns: null,
  statement_timeout: 5,
  log_level: 'info',
});

type Kind = 'positive' | 'nonnegative' | 'count' | 'natural' | 'boolean' | 'path' | 'seeds' | 'weights' | 'level' | 'url' | 'names' | 'patterns';

const KINDS: Record<keyof OrchestratorConfig, Kind> = {
  timeout: 'positive',
  max_retries: 'natural',
  cache_ttl: 'nonnegative',
  max_concurrent_agents: 'count',
  inter_agent_timeout: 'positive',
  retry_backoff: 'nonnegative',
  circuit_failure_threshold: 'count',
  circuit_reset_timeout: 'positive',
  analysis_depth: 'count',
  num_candidates: 'count',
  strict_mode: 'boolean',
  max_retained_sessions: 'count',
  max_live_sessions: 'count',
  max_session_bytes: 'count',
  max_messages_per_session: 'count',
  max_turns_per_session: 'count',
  schema_file: 'path',
  vocabulary_file: 'path',
  seeds: 'seeds',
  query_timeout: 'positive',
  reward_weights: 'weights',
  database_url: 'url',
  schemas: 'names',
  require_read_only_role: 'boolean',
  sensitive_columns: 'patterns',
  statement_timeout: 'positive',
  log_level: 'level',
};

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const CONFIG_KEYS = Object.keys(KINDS) as Array<keyof OrchestratorConfig>;

/** `GL_RL_TIMEOUT`, `GL_RL_MAX_RETRIES`, … for every key. */
export function envName(key: keyof OrchestratorConfig): string {
  return `GL_RL_${key.toUpperCase()}`;
}

export interface ConfigSources {
  /** Options object: wins over everything. */
  config?: Partial<Record<string, unknown>>;
  /** Environment (default: process.env). */
  env?: Record<string, string | undefined>;
  /** JSON config file; default: `GL_RL_CONFIG` from the environment. */
  file?: string;
}

export function resolveConfig(sources: ConfigSources = {}): OrchestratorConfig {
  const env = sources.env ?? process.env;
  const file = sources.file ?? env.GL_RL_CONFIG;
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  if (file) Object.assign(merged, readConfigFile(file));
  for (const key of CONFIG_KEYS) {
    const raw = env[envName(key)];
    if (raw !== undefined && raw !== '') merged[key] = fromEnv(key, raw);
  }
  for (const [key, value] of Object.entries(sources.config ?? {})) {
    if (value !== undefined) merged[key] = value;
  }
  return checkConfig(merged);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_CONFIG', `config file ${path} cannot be read (${(err as Error).message})`, { field: 'config_file' });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new AppError('INVALID_CONFIG', `config file ${path} is not a JSON object (${(err as Error).message})`, { field: 'config_file' });
  }
}

function fromEnv(key: keyof OrchestratorConfig, raw: string): unknown {
  switch (KINDS[key]) {
    case 'boolean':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    case 'seeds':
      return raw.split(',').map((s) => Number(s.trim()));
    case 'names':
    case 'patterns':
      return raw.split(',').map((s) => s.trim());
    case 'weights':
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    case 'path':
    case 'level':
    case 'url':
      return raw;
    default: {
      // A value that is not a number stays text, so the error shows what was given.
      const n = Number(raw);
      return raw.trim() === '' || Number.isNaN(n) ? raw : n;
    }
  }
}

/** Checks every key; unknown keys are an error too, so a typo never passes silently. */
export function checkConfig(values: Record<string, unknown>): OrchestratorConfig {
  for (const key of Object.keys(values)) {
    if (!Object.hasOwn(KINDS, key)) throw invalid(key, values[key], `unknown setting (known: ${CONFIG_KEYS.join(', ')})`);
  }
  for (const key of CONFIG_KEYS) {
    const value = values[key];
    const problem = checkValue(KINDS[key], value);
    if (problem) throw invalid(key, value, problem);
  }
  return values as unknown as OrchestratorConfig;
}

function checkValue(kind: Kind, value: unknown): string | null {
  const finite = typeof value === 'number' && Number.isFinite(value);
  switch (kind) {
    case 'positive':
      return finite && (value as number) > 0 ? null : 'must be a number of seconds greater than 0';
    case 'nonnegative':
      return finite && (value as number) >= 0 ? null : 'must be a number greater than or equal to 0';
    case 'natural':
      return finite && Number.isInteger(value) && (value as number) >= 0 ? null : 'must be an integer greater than or equal to 0';
    case 'count':
      return finite && Number.isInteger(value) && (value as number) >= 1 ? null : 'must be an integer greater than or equal to 1';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'path':
      return value === null || (typeof value === 'string' && value !== '') ? null : 'must be a file path or null';
    case 'seeds':
      return Array.isArray(value) && value.length > 0 && value.every((s) => Number.isInteger(s) && s >= 0)
        ? null
        : 'must be a non-empty list of non-negative integers';
    case 'weights':
      return value === null ||
        (typeof value === 'object' && !Array.isArray(value) && Object.values(value as object).every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0))
        ? null
        : 'must be null or an object of component weights (numbers >= 0), e.g. {"accuracy": 0.5}';
    case 'level':
      return typeof value === 'string' && LEVELS.includes(value) ? null : `must be one of ${LEVELS.join(', ')}`;
    case 'url':
      return value === null || (typeof value === 'string' && /^postgres(ql)?:\/\/./.test(value)) ? null : 'must be null or a postgres:// URL';
    case 'names':
      return Array.isArray(value) && value.length > 0 && value.every((n) => typeof n === 'string' && n !== '') ? null : 'must be a non-empty list of names';
    case 'patterns':
      return value === null || (Array.isArray(value) && value.every((n) => typeof n === 'string' && n !== '')) ? null : 'must be null or a list of column patterns';
  }
}

function invalid(key: string, value: unknown, problem: string): AppError {
  // A database URL may carry a password: shown and kept with it masked.
  const shown = KINDS[key as keyof OrchestratorConfig] === 'url' && typeof value === 'string' ? redactUrl(value) : value;
  return new AppError('INVALID_CONFIG', `${key} = ${JSON.stringify(shown)}: ${problem}`, { field: key, value: shown });
}

/** The configuration as it may be logged or shown: the database URL's password masked. */
export function printableConfig(config: OrchestratorConfig): OrchestratorConfig {
  return config.database_url ? { ...config, database_url: redactUrl(config.database_url) } : config;
}
