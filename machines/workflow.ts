/**
 * One turn of a session: the orchestrator's workflow from a question to a
 * validated (and, in train mode, rewarded) SQL answer.
 *
 *   initialization → schema_analysis → query_generation → validation
 *     → reward_evaluation (train mode only) → finalization → completed
 *
 * plus the terminal `failed` (an agent role could not answer, or refused; the
 * request asks for a write; the SQL is not one read-only statement) and
 * `expired` (the workflow `timeout` elapsed, or the session was cancelled).
 * Before any generator is asked, `query_generation.screening` refuses a
 * request to change data or schema (WRITE_NOT_ALLOWED), whichever generator
 * is configured; after validation, the `generatedSqlUnsafe` guard keeps SQL
 * that is not one read-only statement from leaving: it is regenerated while
 * the budget lasts, then the turn fails with UNSAFE_SQL.
 * Each agent request is an invoked `agentCall` child that owns its retries,
 * backoff and fallbacks and always ends with an ok/error output; the chart
 * only routes on that output. Validation errors send the turn back to
 * query_generation with the validator's issues as feedback, at most
 * `max_retries` times.
 */
import { and, assign, fromPromise, setup } from 'xstate';
import { agentCallMachine, type AgentCallOutput, type Fallback } from './agent-call.js';

export const STAGES = [
  'initialization',
  'schema_analysis',
  'query_generation',
  'validation',
  'reward_evaluation',
  'finalization',
] as const;
export type Stage = (typeof STAGES)[number];

export type WorkflowRole = 'schema_analyzer' | 'query_generator' | 'validator' | 'reward_evaluator';
export type WorkflowMode = 'generate' | 'train';

export interface WorkflowInput {
  session_id: string;
  turn: number;
  correlation_id: string;
  query: string;
  context: Record<string, unknown>;
  mode: WorkflowMode;
  agents: Record<WorkflowRole, string[]>;
  limits: {
    max_retries: number;
    /** Seconds for the whole workflow. */
    timeout: number;
    /** Seconds for one agent request. */
    inter_agent_timeout: number;
    /** Seconds before the first retry of an agent request. */
    backoff_base: number;
  };
  options: { depth: number; num_candidates: number; strict_mode: boolean; hint_tables?: string[] };
}

/** The orchestrator's screening of the request (see src/orchestrator/screening.ts). */
export interface RequestScreening {
  /** The refusal of a request to change data or schema, or null for a read question. */
  refusal: { error_code: string; message: string; suggestions: string[] } | null;
  /** The question the agents receive: the request without appended instructions. */
  question: string;
  /** Text appended to the question that tried to act as a second instruction, cut off. */
  dropped: string[];
}

/** What `prepareWorkflow` finds before the agents run: earlier turns, cached stage outputs, the screening. */
export interface Preparation {
  historical_queries: Array<{ query: string; sql?: string }>;
  cached: { schema_analysis?: unknown; query_generation?: unknown };
  screening: RequestScreening;
}

export interface WorkflowFailure {
  error_code: string;
  message: string;
  stage: Stage;
  suggestions: string[];
}

export type WorkflowOutcome = 'completed' | 'failed' | 'expired';

export interface WorkflowResults {
  schema_analysis?: unknown;
  entities?: unknown;
  query_generation?: unknown;
  validation?: unknown;
  reward_evaluation?: unknown;
}

export interface WorkflowOutput {
  outcome: WorkflowOutcome;
  stage: Stage;
  results: WorkflowResults;
  /** Stages that finished, in order. */
  completed_stages: Stage[];
  failure: WorkflowFailure | null;
  regenerations: number;
  retries: number;
  fallbacks: Fallback[];
  agents: Partial<Record<WorkflowRole, string>>;
  cache: { schema_analysis: 'hit' | 'miss'; query_generation: 'hit' | 'miss' };
}

export interface WorkflowContext extends WorkflowInput {
  stage: Stage;
  completed_stages: Stage[];
  preparation: Preparation;
  results: WorkflowResults;
  feedback: unknown[] | undefined;
  regenerations: number;
  retries: number;
  fallbacks: Fallback[];
  agentsUsed: Partial<Record<WorkflowRole, string>>;
  cache: WorkflowOutput['cache'];
  failure: WorkflowFailure | null;
  outcome: WorkflowOutcome | null;
}

export type WorkflowEvent = { type: 'session.cancelled'; reason?: string };

type DoneEvent<T> = { output: T };

/** The issue a regeneration after unsafe SQL carries (the validator's issue shape). */
export const UNSAFE_SQL_ISSUE = {
  layer: 'security',
  severity: 'error',
  message: 'The SQL must be exactly one read-only SELECT statement: no data-modifying statement, SELECT INTO, row locks or side-effecting function.',
};
const callOutput = (event: unknown) => (event as DoneEvent<AgentCallOutput>).output;

export const workflowMachine = setup({
  types: {
    input: {} as WorkflowInput,
    context: {} as WorkflowContext,
    events: {} as WorkflowEvent,
    output: {} as WorkflowOutput,
  },
  actors: {
    agentCall: agentCallMachine,
    // Provided by the orchestrator: the session's earlier turns and the caches.
    prepareWorkflow: fromPromise<Preparation, { session_id: string; query: string; context: Record<string, unknown>; mode: WorkflowMode }>(
      async () => {
        throw new Error('prepareWorkflow is provided by the orchestrator');
      },
    ),
    // Provided by the orchestrator: literals, numbers, dates and value-domain terms of the question.
    entityExtractor: fromPromise<unknown, { query: string }>(async () => {
      throw new Error('entityExtractor is provided by the orchestrator');
    }),
  },
  guards: {
    callSucceeded: ({ event }) => callOutput(event).ok,
    writeRequested: ({ context }) => context.preparation.screening.refusal !== null,
    // Provided by the orchestrator with the PostgreSQL parser; unproved SQL is unsafe.
    generatedSqlUnsafe: () => true,
    regenerationBudgetLeft: ({ context }) => context.regenerations < context.limits.max_retries,
    analysisCached: ({ context }) => context.preparation.cached.schema_analysis !== undefined,
    generationCached: ({ context }) => context.regenerations === 0 && context.preparation.cached.query_generation !== undefined,
    invalidWithBudget: ({ context, event }) => {
      const out = callOutput(event);
      return out.ok && (out.output as { is_valid?: unknown }).is_valid === false && context.regenerations < context.limits.max_retries;
    },
    isTrainMode: ({ context }) => context.mode === 'train',
  },
  actions: {
    enterStage: assign((_, params: { stage: Stage }) => ({ stage: params.stage })),
    // A stage finishes once per turn in the output, however often regeneration re-ran it.
    completeStage: assign(({ context }, params: { stage: Stage }) => ({
      completed_stages: context.completed_stages.includes(params.stage) ? context.completed_stages : [...context.completed_stages, params.stage],
    })),
    storePreparation: assign({ preparation: ({ event }) => (event as unknown as DoneEvent<Preparation>).output }),
    useCachedAnalysis: assign(({ context }) => ({
      results: { ...context.results, schema_analysis: context.preparation.cached.schema_analysis },
      cache: { ...context.cache, schema_analysis: 'hit' as const },
    })),
    useCachedGeneration: assign(({ context }) => ({
      results: { ...context.results, query_generation: context.preparation.cached.query_generation },
      cache: { ...context.cache, query_generation: 'hit' as const },
    })),
    storeAgentResult: assign(({ context, event }, params: { role: WorkflowRole; key: keyof WorkflowResults }) => {
      const out = callOutput(event);
      return {
        results: { ...context.results, [params.key]: out.ok ? out.output : undefined },
        agentsUsed: { ...context.agentsUsed, [params.role]: out.agent ?? undefined },
        retries: context.retries + out.retries,
        fallbacks: [...context.fallbacks, ...out.fallbacks],
      };
    }),
    storeEntities: assign(({ context, event }) => ({
      results: { ...context.results, entities: (event as unknown as DoneEvent<unknown>).output },
    })),
    // After unsafe SQL the validator may not have said why (a custom one may even have passed it): the generator is told.
    prepareRegeneration: assign(({ context, event }, params: { unsafe: boolean }) => {
      const out = callOutput(event);
      const issues = out.ok ? ((out.output as { issues?: unknown[] }).issues ?? []) : [];
      return { feedback: params.unsafe ? [...issues, UNSAFE_SQL_ISSUE] : issues, regenerations: context.regenerations + 1 };
    }),
    recordCallFailure: assign(({ context, event }) => {
      const out = callOutput(event);
      return out.ok
        ? {}
        : {
            failure: { error_code: out.error_code, message: out.message, stage: context.stage, suggestions: out.suggestions },
            retries: context.retries + out.retries,
            fallbacks: [...context.fallbacks, ...out.fallbacks],
          };
    }),
    refuseWriteRequest: assign(({ context }) => {
      const refusal = context.preparation.screening.refusal!;
      return { failure: { error_code: refusal.error_code, message: refusal.message, stage: context.stage, suggestions: refusal.suggestions } };
    }),
    recordUnsafeSql: assign(({ context }) => ({
      failure: {
        error_code: 'UNSAFE_SQL',
        message: `the generated SQL is not one read-only statement and ${context.regenerations === 0 ? 'no regeneration is allowed' : `${context.regenerations} regeneration(s) did not fix it`}`,
        stage: context.stage,
        suggestions: [
          'Rephrase the question as a request to read data.',
          'If a custom generator is configured, make it return a single SELECT statement.',
        ],
      },
    })),
    recordCrash: assign(({ context, event }) => ({
      failure: {
        error_code: 'AGENT_FAILED',
        message: String((event as { error?: { message?: string } }).error?.message ?? 'internal error'),
        stage: context.stage,
        suggestions: [],
      },
    })),
    recordTimeout: assign(({ context }) => ({
      failure: {
        error_code: 'WORKFLOW_TIMEOUT',
        message: `the workflow did not finish within ${context.limits.timeout}s`,
        stage: context.stage,
        suggestions: ['Retry the request, or raise the `timeout` setting.'],
      },
    })),
    recordCancel: assign(({ context, event }) => ({
      failure: {
        error_code: 'CANCELLED',
        message: (event as { reason?: string }).reason ?? 'the session was cancelled',
        stage: context.stage,
        suggestions: [],
      },
    })),
    settle: assign((_, params: { outcome: WorkflowOutcome }) => ({ outcome: params.outcome })),
    // Effects provided by the orchestrator (logs, stage timings, metrics, caches).
    stageEntered: (_, _params: { stage: Stage }) => {},
    stageExited: (_, _params: { stage: Stage }) => {},
    analysisProduced: () => {},
    generationProduced: () => {},
  },
  delays: {
    workflowTimeout: ({ context }) => context.limits.timeout * 1000,
  },
}).createMachine({
  id: 'workflow',
  context: ({ input }) => ({
    ...input,
    stage: 'initialization',
    completed_stages: [],
    preparation: { historical_queries: [], cached: {}, screening: { refusal: null, question: input.query, dropped: [] } },
    results: {},
    feedback: undefined,
    regenerations: 0,
    retries: 0,
    fallbacks: [],
    agentsUsed: {},
    cache: { schema_analysis: 'miss', query_generation: 'miss' },
    failure: null,
    outcome: null,
  }),
  initial: 'initialization',
  after: {
    workflowTimeout: { target: '.expired', actions: 'recordTimeout' },
  },
  on: {
    'session.cancelled': { target: '.expired', actions: 'recordCancel' },
  },
  states: {
    initialization: {
      entry: [{ type: 'enterStage', params: { stage: 'initialization' } }, { type: 'stageEntered', params: { stage: 'initialization' } }],
      exit: { type: 'stageExited', params: { stage: 'initialization' } },
      invoke: {
        id: 'prepareWorkflow',
        src: 'prepareWorkflow',
        input: ({ context }) => ({ session_id: context.session_id, query: context.query, context: context.context, mode: context.mode }),
        onDone: {
          target: 'schema_analysis',
          actions: ['storePreparation', { type: 'completeStage', params: { stage: 'initialization' } }],
        },
        onError: { target: 'failed', actions: 'recordCrash' },
      },
    },

    // Schema analysis and entity extraction run as parallel regions; the stage ends when both have.
    schema_analysis: {
      type: 'parallel',
      entry: [{ type: 'enterStage', params: { stage: 'schema_analysis' } }, { type: 'stageEntered', params: { stage: 'schema_analysis' } }],
      exit: { type: 'stageExited', params: { stage: 'schema_analysis' } },
      states: {
        analysis: {
          initial: 'checking_cache',
          states: {
            checking_cache: {
              always: [{ guard: 'analysisCached', target: 'done', actions: 'useCachedAnalysis' }, { target: 'analyzing' }],
            },
            analyzing: {
              invoke: {
                id: 'schemaAnalyzer',
                src: 'agentCall',
                input: ({ context }) => agentCallInput(context, 'schema_analyzer'),
                onDone: [
                  {
                    guard: 'callSucceeded',
                    target: 'done',
                    actions: [{ type: 'storeAgentResult', params: { role: 'schema_analyzer', key: 'schema_analysis' } }, 'analysisProduced'],
                  },
                  { target: '#workflow.failed', actions: 'recordCallFailure' },
                ],
                onError: { target: '#workflow.failed', actions: 'recordCrash' },
              },
            },
            done: { type: 'final' },
          },
        },
        entity_extraction: {
          initial: 'extracting',
          states: {
            extracting: {
              invoke: {
                id: 'entityExtractor',
                src: 'entityExtractor',
                input: ({ context }) => ({ query: context.query }),
                onDone: { target: 'done', actions: 'storeEntities' },
                // Entities only enrich the analysis: without them the turn goes on.
                onError: { target: 'done' },
              },
            },
            done: { type: 'final' },
          },
        },
      },
      onDone: {
        target: 'query_generation',
        actions: { type: 'completeStage', params: { stage: 'schema_analysis' } },
      },
    },

    query_generation: {
      initial: 'screening',
      entry: [{ type: 'enterStage', params: { stage: 'query_generation' } }, { type: 'stageEntered', params: { stage: 'query_generation' } }],
      exit: { type: 'stageExited', params: { stage: 'query_generation' } },
      states: {
        // The orchestrator's read-only policy, before any generator (or the cache) answers.
        screening: {
          always: [
            { guard: 'writeRequested', target: '#workflow.failed', actions: 'refuseWriteRequest' },
            { guard: 'generationCached', target: 'generated', actions: 'useCachedGeneration' },
            { target: 'generating' },
          ],
        },
        generating: {
          invoke: {
            id: 'queryGenerator',
            src: 'agentCall',
            input: ({ context }) => agentCallInput(context, 'query_generator'),
            onDone: [
              {
                guard: 'callSucceeded',
                target: 'generated',
                actions: [{ type: 'storeAgentResult', params: { role: 'query_generator', key: 'query_generation' } }, 'generationProduced'],
              },
              { target: '#workflow.failed', actions: 'recordCallFailure' },
            ],
            onError: { target: '#workflow.failed', actions: 'recordCrash' },
          },
        },
        generated: { type: 'final' },
      },
      onDone: {
        target: 'validation',
        actions: { type: 'completeStage', params: { stage: 'query_generation' } },
      },
    },

    validation: {
      entry: [{ type: 'enterStage', params: { stage: 'validation' } }, { type: 'stageEntered', params: { stage: 'validation' } }],
      exit: { type: 'stageExited', params: { stage: 'validation' } },
      invoke: {
        id: 'validator',
        src: 'agentCall',
        input: ({ context }) => agentCallInput(context, 'validator'),
        onDone: [
          {
            guard: and(['callSucceeded', 'generatedSqlUnsafe', 'regenerationBudgetLeft']),
            target: 'query_generation',
            actions: [{ type: 'storeAgentResult', params: { role: 'validator', key: 'validation' } }, { type: 'prepareRegeneration', params: { unsafe: true } }],
          },
          {
            guard: and(['callSucceeded', 'generatedSqlUnsafe']),
            target: 'failed',
            actions: [
              { type: 'storeAgentResult', params: { role: 'validator', key: 'validation' } },
              { type: 'completeStage', params: { stage: 'validation' } },
              'recordUnsafeSql',
            ],
          },
          {
            guard: 'invalidWithBudget',
            target: 'query_generation',
            actions: [{ type: 'storeAgentResult', params: { role: 'validator', key: 'validation' } }, { type: 'prepareRegeneration', params: { unsafe: false } }],
          },
          {
            guard: and(['callSucceeded', 'isTrainMode']),
            target: 'reward_evaluation',
            actions: [
              { type: 'storeAgentResult', params: { role: 'validator', key: 'validation' } },
              { type: 'completeStage', params: { stage: 'validation' } },
            ],
          },
          {
            guard: 'callSucceeded',
            target: 'finalization',
            actions: [
              { type: 'storeAgentResult', params: { role: 'validator', key: 'validation' } },
              { type: 'completeStage', params: { stage: 'validation' } },
            ],
          },
          { target: 'failed', actions: 'recordCallFailure' },
        ],
        onError: { target: 'failed', actions: 'recordCrash' },
      },
    },

    reward_evaluation: {
      entry: [{ type: 'enterStage', params: { stage: 'reward_evaluation' } }, { type: 'stageEntered', params: { stage: 'reward_evaluation' } }],
      exit: { type: 'stageExited', params: { stage: 'reward_evaluation' } },
      invoke: {
        id: 'rewardEvaluator',
        src: 'agentCall',
        input: ({ context }) => agentCallInput(context, 'reward_evaluator'),
        onDone: [
          {
            guard: 'callSucceeded',
            target: 'finalization',
            actions: [
              { type: 'storeAgentResult', params: { role: 'reward_evaluator', key: 'reward_evaluation' } },
              { type: 'completeStage', params: { stage: 'reward_evaluation' } },
            ],
          },
          { target: 'failed', actions: 'recordCallFailure' },
        ],
        onError: { target: 'failed', actions: 'recordCrash' },
      },
    },

    finalization: {
      entry: [{ type: 'enterStage', params: { stage: 'finalization' } }, { type: 'stageEntered', params: { stage: 'finalization' } }],
      exit: { type: 'stageExited', params: { stage: 'finalization' } },
      always: {
        target: 'completed',
        actions: { type: 'completeStage', params: { stage: 'finalization' } },
      },
    },

    completed: { type: 'final', entry: { type: 'settle', params: { outcome: 'completed' } } },
    failed: { type: 'final', entry: { type: 'settle', params: { outcome: 'failed' } } },
    expired: { type: 'final', entry: { type: 'settle', params: { outcome: 'expired' } } },
  },
  output: ({ context }) => ({
    outcome: context.outcome ?? 'failed',
    stage: context.stage,
    results: context.results,
    completed_stages: context.completed_stages,
    failure: context.failure,
    regenerations: context.regenerations,
    retries: context.retries,
    fallbacks: context.fallbacks,
    agents: context.agentsUsed,
    cache: context.cache,
  }),
});

/** The content each role receives (see the contract's "Agents" section). */
export function agentContent(context: WorkflowContext, role: WorkflowRole): Record<string, unknown> {
  const base = {
    // The screened question: text appended to act as a second instruction never reaches an agent.
    query: context.preparation.screening.question,
    context: { ...context.context, historical_queries: context.preparation.historical_queries },
    mode: context.mode,
  };
  const generation = context.results.query_generation as { sql?: string; reasoning?: string; alternatives?: unknown[] } | undefined;
  switch (role) {
    case 'schema_analyzer':
      return {
        ...base,
        hint_tables: context.options.hint_tables,
        depth: context.options.depth,
        business_context: context.context.business_rules,
      };
    case 'query_generator':
      return {
        ...base,
        schema_analysis: withEntities(context.results.schema_analysis, context.results.entities),
        feedback: context.feedback,
        attempt: context.regenerations,
        screening: { dropped: context.preparation.screening.dropped },
        num_candidates: context.options.num_candidates,
      };
    case 'validator':
      return {
        ...base,
        sql: generation?.sql,
        schema_analysis: context.results.schema_analysis,
        strict_mode: context.options.strict_mode,
      };
    case 'reward_evaluator':
      return {
        ...base,
        sql: generation?.sql,
        reasoning: generation?.reasoning ?? '',
        validation: context.results.validation,
        expected_sql: context.context.expected_sql,
        candidates: generation?.alternatives,
      };
  }
}

/** Entity extraction fills the analysis' entity mappings when the analyzer left them out. */
function withEntities(analysis: unknown, entities: unknown): unknown {
  if (analysis === null || typeof analysis !== 'object' || entities === undefined) return analysis;
  const a = analysis as { entity_mappings?: { mapped_entities?: unknown[] } };
  if (a.entity_mappings?.mapped_entities?.length) return analysis;
  return { ...a, entity_mappings: entities };
}

function agentCallInput(context: WorkflowContext, role: WorkflowRole) {
  return {
    role,
    agents: context.agents[role],
    content: agentContent(context, role),
    correlation_id: context.correlation_id,
    session_id: context.session_id,
    max_retries: context.limits.max_retries,
    inter_agent_timeout: context.limits.inter_agent_timeout,
    backoff_base: context.limits.backoff_base,
  };
}
