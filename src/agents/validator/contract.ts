import type { BaseContent } from '../types.js';
import type { SchemaAnalysis } from '../schema-analyzer/contract.js';

export type Layer = 'syntax' | 'schema' | 'business_logic' | 'performance' | 'security';
export type Severity = 'error' | 'warning' | 'info';

export interface ValidationIssue {
  layer: Layer;
  severity: Severity;
  message: string;
  /** 0-based character offset in the SQL. */
  position?: number;
  /** A concrete fix, where one is known (a Postgres rewrite, a column name). */
  suggestion?: string;
}

export interface ValidatorInput extends BaseContent {
  sql: string;
  schema_analysis?: SchemaAnalysis;
  strict_mode: boolean;
}

export interface ValidationDetails {
  syntax_valid: boolean;
  syntax_errors: string[];
  syntax_warnings: string[];
  schema_compliant: boolean;
  schema_errors: string[];
  tables_used: string[];
  columns_referenced: string[];
  business_logic_valid: boolean;
  business_violations: string[];
  business_warnings: string[];
  performance_acceptable: boolean;
  complexity_score: number;
  performance_issues: string[];
  optimization_suggestions: string[];
  security_passed: boolean;
  security_risks: string[];
  injection_detected: boolean;
}

export interface ValidationResult {
  is_valid: boolean;
  confidence: number;
  details: ValidationDetails;
  issues: ValidationIssue[];
  suggestions: string[];
  validated_sql: string;
  metadata: {
    /** Milliseconds. */
    /** Seconds, like every duration of the system. */
    validation_time: number;
    layers_executed: Layer[];
    /** `explain` when the database planned the query, `ast` when performance was judged from the tree alone. */
    performance_basis?: 'explain' | 'ast';
    /** The planner's estimate for the whole query, when it planned it. */
    plan?: { total_cost: number; estimated_rows: number };
  };
}

/** The orchestrator's `validation` block of the specification, derived from a `ValidationResult`. */
export interface SpecValidation {
  is_valid: boolean;
  details: {
    syntax_valid: boolean;
    schema_compliant: boolean;
    business_logic_valid: boolean;
    performance_acceptable: boolean;
    issues: ValidationIssue[];
    suggestions: string[];
  };
}
