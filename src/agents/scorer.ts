/**
 * The reward service's front: `createScorer` keeps the registered domains
 * (the bundled GL domain, a DDL file's), each started on first use with its
 * test-suite databases and kept for every later request (test databases are
 * reused, the expected SQL's results cached); `score` checks a request,
 * then scores its items a few at a time (reward-evaluator/completions.ts).
 * `scoreCompletions(items, options)` is the one-call library form.
 */
import { basename, extname } from 'node:path';
import { AppError } from '../errors.js';
import { createDomain, type Domain, type DomainOptions } from './defaults.js';
import { domainState, scoreItem, type CompletionItem, type DomainState, type ItemScore, type ScoringDomain, type VerdictMemo } from './reward-evaluator/completions.js';
import type { RewardComponent } from './reward-evaluator/contract.js';
import { resolveWeights, type RewardWeights } from './reward-evaluator/logic.js';
import { DEFAULT_PRESET, PRESETS, isPreset, type PresetName } from './reward-evaluator/presets.js';

export type { CompletionItem, CompletionScore, ItemScore, ScoringDomain } from './reward-evaluator/completions.js';
export { PRESETS, DEFAULT_PRESET, type PresetName } from './reward-evaluator/presets.js';

/** The bundled GL domain's name. */
export const DEFAULT_DOMAIN = 'gl';
/** Milliseconds a completion's statement may run on one test database. */
export const DEFAULT_TIME_BUDGET_MS = 1000;

export interface ScorerOptions {
  /** Name → a domain's options (started on first use) or a domain already started (closed by its owner). Default: `{ gl: {} }`. */
  domains?: Record<string, DomainOptions | ScoringDomain>;
  /** The domain of items that name none (default: the first registered). */
  defaultDomain?: string;
  /** Milliseconds a statement may run on a test database (default 1000). */
  timeBudgetMs?: number;
  /** Seconds the expected SQL's results stay cached (default 3600; 0 disables). */
  cacheTtl?: number;
  /** Items scored at once (default 8); the completions of an item always run together. */
  concurrency?: number;
}

export interface ScoreOptions {
  preset?: PresetName;
  /** Component weights over the defaults (dense and execution), normalized. */
  weights?: Partial<Record<RewardComponent, number>>;
  signal?: AbortSignal;
}

export interface ScoreReport {
  preset: PresetName;
  items: ItemScore[];
}

export interface Scorer {
  readonly domainNames: readonly string[];
  readonly defaultDomain: string;
  score(items: readonly CompletionItem[], options?: ScoreOptions): Promise<ScoreReport>;
  /** Starts a domain's databases ahead of the first request. */
  warm(name?: string): Promise<void>;
  close(): Promise<void>;
}

/** A DDL file's domain name: its file name without the extension (`erp.sql` → `erp`). */
export function domainNameOf(file: string): string {
  return basename(file, extname(file));
}

const isStarted = (d: DomainOptions | ScoringDomain): d is ScoringDomain =>
  Array.isArray((d as ScoringDomain).databases) && (d as ScoringDomain).catalog !== undefined;

export function createScorer(options: ScorerOptions = {}): Scorer {
  const registered = options.domains ?? { [DEFAULT_DOMAIN]: {} };
  const names = Object.keys(registered);
  if (names.length === 0) throw new AppError('INVALID_CONFIG', 'the scorer needs at least one domain', { field: 'domains' });
  const defaultDomain = options.defaultDomain ?? names[0]!;
  if (!names.includes(defaultDomain)) {
    throw new AppError('INVALID_CONFIG', `default domain ${defaultDomain} is not registered (${names.join(', ')})`, { field: 'default_domain' });
  }
  const timeBudgetMs = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  if (!Number.isFinite(timeBudgetMs) || timeBudgetMs <= 0) {
    throw new AppError('INVALID_CONFIG', `time budget must be > 0 ms, got ${timeBudgetMs}`, { field: 'time_budget_ms' });
  }
  const cacheTtl = options.cacheTtl ?? 3600;
  const opened = new Map<string, Promise<{ domain: ScoringDomain; state: DomainState; owned?: Domain }>>();
  let closed = false;

  const open = (name: string) => {
    if (closed) throw new AppError('SHUTTING_DOWN', 'the scorer is closed');
    let entry = opened.get(name);
    if (!entry) {
      const spec = registered[name]!;
      entry = (async () => {
        const owned = isStarted(spec) ? undefined : await createDomain({ seeds: [1, 2, 3], ...spec });
        const domain = owned ?? (spec as ScoringDomain);
        // A database's first statements are slow (its caches are cold): they must not eat a completion's budget.
        // Best effort: a database that is slow to answer now is judged by each statement's own budget later.
        await Promise.all(domain.databases.map((db) => db.query('SELECT 1', { rowLimit: 1 }).catch(() => undefined)));
        return { domain, state: domainState(domain, cacheTtl), owned };
      })();
      // A domain that failed to start is tried again by the next request.
      entry.catch(() => opened.delete(name));
      opened.set(name, entry);
    }
    return entry;
  };

  return {
    domainNames: names,
    defaultDomain,
    async warm(name = defaultDomain) {
      await open(name);
    },
    async score(items, scoreOptions = {}) {
      const { preset, weights } = checkScoreRequest(items, scoreOptions, names);
      const memo: VerdictMemo = new Map();
      const settings = { preset, weights, timeBudgetMs, signal: scoreOptions.signal };
      const scored = new Array<ItemScore>(items.length);
      let next = 0;
      // A few items at a time: each database serves one statement at once, deeper queues only hold memory.
      const lane = async () => {
        for (let i = next++; i < items.length; i = next++) {
          const item = items[i]!;
          const { domain, state } = await open(item.domain ?? defaultDomain);
          scored[i] = await scoreItem(item, `items[${i}]`, domain, state, settings, memo);
        }
      };
      await Promise.all(Array.from({ length: Math.min(items.length, options.concurrency ?? 8) }, lane));
      return { preset, items: scored };
    },
    async close() {
      closed = true;
      const entries = await Promise.allSettled(opened.values());
      await Promise.all(entries.map((e) => (e.status === 'fulfilled' ? e.value.owned?.close() : undefined)));
    },
  };
}

/**
 * The domains of a command or a server: the bundled GL domain as `gl`, and a
 * DDL file's under its file name, which is then the default.
 */
export function scorerDomains(schemaFile?: string): Pick<ScorerOptions, 'domains' | 'defaultDomain'> {
  if (!schemaFile) return { domains: { [DEFAULT_DOMAIN]: {} }, defaultDomain: DEFAULT_DOMAIN };
  const name = domainNameOf(schemaFile);
  return { domains: { [name]: { schema_file: schemaFile }, ...(name === DEFAULT_DOMAIN ? {} : { [DEFAULT_DOMAIN]: {} }) }, defaultDomain: name };
}

let shared: Scorer | undefined;

/**
 * Scores completions against their expected SQL. Without `scorer`, a scorer
 * over the bundled GL domain, started on the first call and kept for the
 * process (its database threads do not hold the process open).
 */
export function scoreCompletions(items: readonly CompletionItem[], options: ScoreOptions & { scorer?: Scorer } = {}): Promise<ScoreReport> {
  const { scorer, ...rest } = options;
  return (scorer ?? (shared ??= createScorer())).score(items, rest);
}

const bad = (field: string, what: string) => new AppError('INVALID_INPUT', `${field} ${what}`, { field }, { requestFault: true });

/** The request's shape, before any work: every problem is INVALID_INPUT naming its field. */
export function checkScoreRequest(items: readonly CompletionItem[], options: ScoreOptions, domains: readonly string[]): { preset: PresetName; weights: RewardWeights } {
  if (!Array.isArray(items) || items.length === 0) throw bad('items', 'must be a non-empty array');
  items.forEach((item, i) => {
    const at = `items[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw bad(at, 'must be an object');
    if (typeof item.query !== 'string' || item.query.trim() === '') throw bad(`${at}.query`, 'must be a non-empty string');
    if (typeof item.expected_sql !== 'string' || item.expected_sql.trim() === '') throw bad(`${at}.expected_sql`, 'must be a non-empty string');
    if (!Array.isArray(item.completions)) throw bad(`${at}.completions`, 'must be an array of strings');
    (item.completions as unknown[]).forEach((c, k) => {
      if (typeof c !== 'string') throw bad(`${at}.completions[${k}]`, 'must be a string');
    });
    if (item.id !== undefined && typeof item.id !== 'string' && typeof item.id !== 'number') throw bad(`${at}.id`, 'must be a string or a number');
    if (item.domain !== undefined && !domains.includes(item.domain)) {
      throw bad(`${at}.domain`, `is not a registered domain (${domains.join(', ')})`);
    }
  });
  const preset = options.preset ?? DEFAULT_PRESET;
  if (!isPreset(preset)) throw bad('preset', `must be one of ${PRESETS.join(', ')}`);
  if (options.weights !== undefined && preset === 'sparse') throw bad('weights', 'do not apply to the sparse preset (1 match, 0.1 runs, 0 otherwise)');
  let weights: RewardWeights;
  try {
    weights = resolveWeights(options.weights);
  } catch (err) {
    const field = String((err as AppError).details?.field ?? 'weights').replace(/^reward_weights/, 'weights');
    throw bad(field, (err as Error).message.replace(/^Invalid configuration: (reward_weights\S*\s)?/, ''));
  }
  return { preset, weights };
}
