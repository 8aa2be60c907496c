/**
 * The one table of the agent roles: which stage of the workflow each serves,
 * the key of its output in the workflow's results, and the id of the agent
 * request the chart invokes for it. The chart, the result builder, the
 * pipeline and the tests read it from here.
 */
export type WorkflowRole = 'schema_analyzer' | 'query_generator' | 'validator' | 'reward_evaluator';
export type AgentStage = 'schema_analysis' | 'query_generation' | 'validation' | 'reward_evaluation';

export interface RoleEntry {
  stage: AgentStage;
  /** Where the role's output is kept in the workflow's results (and `partial_results`). */
  result: AgentStage;
  /** The id of the invoked agent request, as in `xstate.done.actor.<invoke>`. */
  invoke: string;
}

export const ROLE_TABLE = {
  schema_analyzer: { stage: 'schema_analysis', result: 'schema_analysis', invoke: 'schemaAnalyzer' },
  query_generator: { stage: 'query_generation', result: 'query_generation', invoke: 'queryGenerator' },
  validator: { stage: 'validation', result: 'validation', invoke: 'validator' },
  reward_evaluator: { stage: 'reward_evaluation', result: 'reward_evaluation', invoke: 'rewardEvaluator' },
} as const satisfies Record<WorkflowRole, RoleEntry>;

export const WORKFLOW_ROLES = Object.keys(ROLE_TABLE) as WorkflowRole[];

/** The role whose agent request has this invoke id. */
export function roleOfInvoke(invoke: string): WorkflowRole | undefined {
  return WORKFLOW_ROLES.find((role) => ROLE_TABLE[role].invoke === invoke);
}
