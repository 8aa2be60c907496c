/**
 * The stage caches: a finished schema analysis, and a validated generation of
 * a repeated question, each with the key that says when two turns ask the
 * same thing. `prepareWorkflow` looks both up; the analysis is stored when the
 * analyzer answers, the generation when its turn completes valid on the first
 * try (a later turn then skips the generator, never the validator).
 */
import type { Preparation, WorkflowInput } from '../../machines/workflow.js';
import type { Mode } from '../agents/types.js';
import { TtlCache } from './cache.js';

type CacheStats = ReturnType<TtlCache<unknown>['stats']>;

export class StageCache {
  private readonly analysis: TtlCache<unknown>;
  private readonly generation: TtlCache<unknown>;

  /** `ttlMs` 0 disables both. */
  constructor(ttlMs: number) {
    this.analysis = new TtlCache(ttlMs);
    this.generation = new TtlCache(ttlMs);
  }

  /** The cached outputs for a turn; a turn with history never reuses a generation (the history may change it). */
  lookup(turn: { query: string; mode: Mode; context: Record<string, unknown>; options: WorkflowInput['options'] }, withHistory: boolean): Preparation['cached'] {
    return {
      schema_analysis: this.analysis.get(analysisKey(turn.query, turn.options)),
      query_generation: withHistory ? undefined : this.generation.get(generationKey(turn.query, turn.mode, turn.context)),
    };
  }

  storeAnalysis(turn: { query: string; options: WorkflowInput['options'] }, analysis: unknown): void {
    this.analysis.set(analysisKey(turn.query, turn.options), analysis);
  }

  storeGeneration(turn: { query: string; mode: Mode; context: Record<string, unknown> }, generation: unknown): void {
    this.generation.set(generationKey(turn.query, turn.mode, turn.context), generation);
  }

  stats(): { schema_analysis: CacheStats; query_generation: CacheStats } {
    return { schema_analysis: this.analysis.stats(), query_generation: this.generation.stats() };
  }
}

export const EMPTY_CACHE_STATS: CacheStats = { hits: 0, misses: 0, hit_ratio: 0, size: 0 };

function analysisKey(query: string, options: WorkflowInput['options']): string {
  return JSON.stringify([normalizeQuery(query), options.hint_tables ?? [], options.depth]);
}

function generationKey(query: string, mode: Mode, context: Record<string, unknown>): string {
  const { historical_queries: _history, ...rest } = context;
  return JSON.stringify([normalizeQuery(query), mode, rest]);
}

function normalizeQuery(query: string): string {
  return query.trim().replace(/\s+/g, ' ').toLowerCase();
}
