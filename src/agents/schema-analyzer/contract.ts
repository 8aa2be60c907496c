import type { BaseContent } from '../types.js';

export interface SchemaAnalyzerInput extends BaseContent {
  hint_tables?: string[];
  /** Maximum foreign-key hops for join paths (default 3). */
  depth: number;
  business_context?: Record<string, unknown>;
}

export interface ColumnFilter {
  column: string;
  operator: string;
  value: unknown;
  /** Why: the vocabulary term or value-domain match that produced it. */
  source: string;
  /** The condition is on this aggregate of `column`, grouped by `per` (a HAVING condition). */
  aggregate?: string;
  per?: string;
}

export interface RelevantTable {
  table_name: string;
  relevance_score: number;
  reason: string;
  columns: string[];
  filters: ColumnFilter[];
  /** Derived measures the question asks for on this table (vocabulary), as SQL over its columns. */
  measures?: MeasureUse[];
}

export interface MeasureUse {
  term: string;
  sql: string;
  description: string;
  /** The expression already aggregates (grouped by `per` when given). */
  aggregate?: boolean;
  per?: string;
}

export interface JoinPath {
  from_table: string;
  to_table: string;
  /** Each hop: `A.x = B.y`, in order from `from_table`. */
  join_columns: string[];
  join_type: 'INNER' | 'LEFT';
  path_score: number;
}

export interface EntityMapping {
  term: string;
  kind: 'table' | 'column' | 'value' | 'filter' | 'measure' | 'literal';
  target: string;
  score: number;
  /** The literal or domain value behind a `literal`, `value` or `filter` mapping. */
  value?: unknown;
}

export interface SchemaAnalysis {
  relevant_tables: RelevantTable[];
  join_paths: JoinPath[];
  entity_mappings: { query_terms: string[]; mapped_entities: EntityMapping[] };
  schema_context: string;
  warnings: string[];
  suggestions: string[];
}
