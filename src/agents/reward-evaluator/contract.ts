import type { BaseContent } from '../types.js';
import type { ValidationResult } from '../validator/contract.js';

export type RewardComponent = 'syntax' | 'schema' | 'business_logic' | 'performance' | 'reasoning' | 'accuracy';

export interface RewardInput extends BaseContent {
  sql: string;
  reasoning: string;
  validation: ValidationResult;
  expected_sql?: string;
  /** Other candidates of the same question: scored as a group for GRPO advantages. */
  candidates?: Array<{ sql: string; reasoning?: string }>;
}

export interface RewardFeedback {
  component: RewardComponent;
  score: number;
  level: string;
  message: string;
  suggestions: string[];
}

export interface RewardResult {
  total_reward: number;
  rewards: Record<RewardComponent, number>;
  feedback: RewardFeedback[];
  /** GRPO group-relative advantages, one per candidate, when candidates were scored. */
  advantages?: number[];
  candidate_rewards?: number[];
  metadata: { evaluation_time: number; cache_hit: boolean };
}
