export type * from './contract.js';
export { createRewardEvaluator, planTotalCost, type RewardDatabase, type RewardEvaluatorDeps } from './agent.js';
export { sqlFacts, type SqlFacts } from './facts.js';
export {
  DEFAULT_WEIGHTS,
  EXCELLENCE_BONUS,
  EXCELLENCE_THRESHOLD,
  FAILURE_PENALTY,
  REWARD_COMPONENTS,
  grpoAdvantages,
  resolveWeights,
  scoreCandidate,
  type RewardWeights,
  type ScoreInput,
} from './logic.js';
