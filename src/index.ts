/**
 * gl-rl-model: the public API. `createOrchestrator` (or `new OrchestratorAgent`)
 * gives the specification's orchestrator with the shipped agents for every
 * role not named in `agents`.
 */
import { createDomain, defaultAgents, type DomainOptions } from './agents/defaults.js';
import type { OrchestratorConfig } from './orchestrator/config.js';
import type { Role } from './agents/types.js';
import { Orchestrator } from './orchestrator/orchestrator.js';
import type { OrchestratorOptions } from './orchestrator/types.js';

/** The shipped domain's options from resolved settings. */
export function domainOptions(config: OrchestratorConfig, warn?: (message: string) => void): DomainOptions {
  return {
    schema_file: config.schema_file,
    vocabulary_file: config.vocabulary_file,
    seeds: config.seeds,
    cache_ttl: config.cache_ttl,
    reward_weights: config.reward_weights,
    database_url: config.database_url,
    schemas: config.schemas,
    require_read_only_role: config.require_read_only_role,
    sensitive_columns: config.sensitive_columns,
    statement_timeout: config.statement_timeout,
    query_timeout: config.query_timeout,
    ...(warn ? { warn } : {}),
  };
}

export type PublicOrchestratorOptions = Omit<OrchestratorOptions, 'defaults'>;

function withDefaults(options: PublicOrchestratorOptions): OrchestratorOptions {
  return {
    ...options,
    defaults: {
      agents: defaultAgents as Record<Role, (typeof defaultAgents)[Role]>,
      services: (config, logger) => createDomain(domainOptions(config, (message) => logger.warn(message))),
    },
  };
}

export function createOrchestrator(options: PublicOrchestratorOptions = {}): Orchestrator {
  return new Orchestrator(withDefaults(options));
}

/** The specification's `OrchestratorAgent()`: the same object as `createOrchestrator` returns. */
export class OrchestratorAgent extends Orchestrator {
  constructor(options: PublicOrchestratorOptions = {}) {
    super(withDefaults(options));
  }
}

export { Orchestrator } from './orchestrator/orchestrator.js';
export type {
  MetricsSnapshot,
  OrchestratorOptions,
  RecoveryEntry,
  SessionSnapshot,
  SessionStatus,
  StageRecord,
  TurnSnapshot,
} from './orchestrator/types.js';
export { DEFAULT_CONFIG, resolveConfig, type OrchestratorConfig } from './orchestrator/config.js';
export type { ProcessInput } from './orchestrator/input.js';
export type { AgentMessage, MessageType } from './orchestrator/messages.js';
export type { AgentSpec, AgentsOption } from './orchestrator/registry.js';
export type { ErrorResponse, ProcessOutcome, ProcessResult, SpecValidation } from './orchestrator/result.js';
export { isErrorResponse } from './orchestrator/result.js';
export { createDomain, defaultAgents, type Domain, type DomainOptions } from './agents/defaults.js';
export {
  DEFAULT_DOMAIN,
  DEFAULT_PRESET,
  PRESETS,
  createScorer,
  scoreCompletions,
  scorerDomains,
  type CompletionItem,
  type CompletionScore,
  type ItemScore,
  type PresetName,
  type ScoreOptions,
  type ScoreReport,
  type Scorer,
  type ScorerOptions,
  type ScoringDomain,
} from './agents/scorer.js';
export { createLlmGenerator, llmOptionsFromEnv, type LlmGeneratorOptions } from './agents/query-generator/llm/index.js';
export { ExampleMemory } from './agents/query-generator/memory/index.js';
export type * from './agents/types.js';
export type { SchemaAnalysis, SchemaAnalyzerInput } from './agents/schema-analyzer/contract.js';
export type { GeneratedQuery, QueryGeneratorInput } from './agents/query-generator/contract.js';
export type { ValidationResult, ValidationIssue, ValidatorInput } from './agents/validator/contract.js';
export type { RewardInput, RewardResult } from './agents/reward-evaluator/contract.js';
export { AppError, ERROR_CATALOG, isAppError, type ErrorCode } from './errors.js';
export * as machines from '../machines/index.js';
export { machineToJson, machineToMermaid } from './diagrams.js';
