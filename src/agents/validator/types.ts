/**
 * What the validator is given and what each layer hands back. The layers are
 * pure functions of a shared `ValidationContext` (context.ts); the
 * dependencies are a plain object so the validator runs with a catalog only
 * (tests, the CLI without a database) or with the embedded database's planner.
 */
import type { Catalog } from '../../schema/types.js';
import type { Layer, ValidationDetails, ValidationIssue } from './contract.js';

/** Bounds a numeric column's values can take, from a rule in rules.json. */
export interface NumericRule {
  description: string;
  /** Column-name words that put a numeric column under the rule (`cost` matches `Actual_Cost`). */
  name_words?: string[];
  /** Words in a column's DDL comment that do the same (`-- percent`). */
  comment_words?: string[];
  /** `TABLE.Column` or `Column` names that fall under the rule whatever their words. */
  columns?: string[];
  min?: number;
  max?: number;
}

export interface DateRangeRule {
  /** Column names of a period's start and end (in any table that has both): start ≤ end. */
  start: string;
  end: string;
}

export interface PerformanceRules {
  /** A result estimated above this many rows, with no WHERE and no LIMIT, is worth a warning. */
  large_result_rows: number;
  /** A plan estimated above this many rows is an error (an accidental cross product). */
  extreme_rows: number;
  /** A plan cost above this is an error. */
  extreme_cost: number;
  /** A complexity score above this is worth a warning. */
  max_complexity: number;
}

export interface BusinessRules {
  version: 1;
  numeric: Record<string, NumericRule>;
  date_ranges: DateRangeRule[];
  /** Date literals outside [min, max] are implausible. ISO dates. */
  date_bounds: { min: string; max: string };
  performance: PerformanceRules;
}

export interface SecurityConfig {
  /** `TABLE.Column` (or `Column`, in any table) that queries may not read. */
  sensitiveColumns?: string[];
  /** Tables that queries may not read. */
  restrictedTables?: string[];
}

/** The planner's view of a statement: `EXPLAIN (FORMAT JSON)` output. */
export type ExplainFn = (sql: string, signal?: AbortSignal) => Promise<unknown>;

export interface ValidatorDeps {
  catalog: Catalog;
  /** Defaults to data/gl/rules.json. */
  rules?: BusinessRules;
  /** Without it, the performance layer judges the query's structure only and says so. */
  explain?: ExplainFn;
  security?: SecurityConfig;
}

export interface ValidateOptions {
  strict?: boolean;
  signal?: AbortSignal;
}

/** One layer's findings: its issues and its part of the details block. */
export interface LayerReport {
  layer: Layer;
  issues: ValidationIssue[];
  details: Partial<ValidationDetails>;
  /** Suggestions that belong to no single issue (optimizations). */
  suggestions?: string[];
}
