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

/** One member of a scored group: index 0 is the input's `sql`, then `candidates` in order. */
export interface CandidateReward {
  sql: string;
  total_reward: number;
  rewards: Record<RewardComponent, number>;
  is_valid: boolean;
  /** One line per component below 1, for a trainer's logs. */
  feedback: RewardFeedback[];
}

export interface RewardResult {
  total_reward: number;
  /** Every component; `accuracy` is 0 and its weight 0 when it was not scored (no expected_sql). */
  rewards: Record<RewardComponent, number>;
  feedback: RewardFeedback[];
  /** GRPO group-relative advantages, one per group member ([sql, ...candidates]), when candidates were scored. */
  advantages?: number[];
  candidate_rewards?: number[];
  /** Per-member detail of the group, same order as `advantages`. */
  candidates?: CandidateReward[];
  /** The weights actually applied (renormalized over the components scored). */
  weights?: Record<RewardComponent, number>;
  /** 1.1 excellence bonus, 0.9 failure penalty, or 1. */
  multiplier?: number;
  /** evaluation_time in seconds; cache_hit: the expected SQL's results came from the cache. */
  metadata: { evaluation_time: number; cache_hit: boolean };
}
