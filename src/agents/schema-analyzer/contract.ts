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
}

export interface RelevantTable {
  table_name: string;
  relevance_score: number;
  reason: string;
  columns: string[];
  filters: ColumnFilter[];
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
}

export interface SchemaAnalysis {
  relevant_tables: RelevantTable[];
  join_paths: JoinPath[];
  entity_mappings: { query_terms: string[]; mapped_entities: EntityMapping[] };
  schema_context: string;
  warnings: string[];
  suggestions: string[];
}
