import type { BaseContent } from '../types.js';
import type { SchemaAnalysis } from '../schema-analyzer/contract.js';
import type { ValidationIssue } from '../validator/contract.js';

export interface QueryGeneratorInput extends BaseContent {
  schema_analysis: SchemaAnalysis;
  /** The validator's issues, on a regeneration. */
  feedback?: ValidationIssue[];
  /** 0 on the first generation, n on the n-th regeneration. */
  attempt: number;
  num_candidates: number;
  /** The orchestrator's screening: text appended to the question to act as a second instruction, cut off. */
  screening?: { dropped: string[] };
}

export interface Candidate {
  sql: string;
  reasoning: string;
  confidence: number;
}

export interface GeneratedQuery {
  sql: string;
  /** Numbered steps inside `<think>…</think>`. */
  reasoning: string;
  confidence: number;
  alternatives: Candidate[];
  /** generation_time in seconds, like every duration of the system. */
  metadata: { generator: string; tokens_used?: number; generation_time: number };
}
