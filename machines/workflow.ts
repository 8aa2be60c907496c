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
 * Each agent stage holds the same two states for its agent request, stamped
 * by `agentCallStates` (agent-call.ts): `calling` invokes the agent's promise
 * and routes its answer, refusal, error or timeout by guarded transitions
 * (retry after `backing_off`, fallback to the next agent, circuit skips);
 * no child machine per request. Validation errors send the turn back to
 * query_generation with the validator's issues as feedback, at most
 * `max_retries` times.
 */
import { and, assign, fromPromise, setup } from 'xstate';
import { agentCallStates, backoffMs, CIRCUIT_OPEN_MARK, FRESH_CALL, type AgentReply, type CallAgentInput, type CallState, type Fallback } from './agent-call.js';
import { ROLE_TABLE, type WorkflowRole } from './roles.js';

export const STAGES = [
  'initialization',
  'schema_analysis',
  'query_generation',
  'validation',
  'reward_evaluation',
  'finalization',
] as const;
export type Stage = (typeof STAGES)[number];

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
  /** The current stage's agent request. */
  call: CallState;
}

export type WorkflowEvent = { type: 'session.cancelled'; reason?: string };

type DoneEvent<T> = { output: T };
const replyOf = (event: unknown) => (event as DoneEvent<AgentReply>).output;
/** The output of an agent's answer (guards after `replyIsRefusal` see only answers). */
const answerOf = (event: unknown) => {
  const reply = replyOf(event);
  return (reply.kind === 'output' ? reply.output : undefined) as Record<string, unknown> | undefined;
};
const errorOf = (event: unknown) => (event as { error?: unknown }).error as { message?: unknown; code?: unknown; detail?: unknown; requestFault?: unknown; reason?: unknown } | undefined;

/** The issue a regeneration after unsafe SQL carries (the validator's issue shape). */
export const UNSAFE_SQL_ISSUE = {
  layer: 'security',
  severity: 'error',
  message: 'The SQL must be exactly one read-only SELECT statement: no data-modifying statement, SELECT INTO, row locks or side-effecting function.',
};

type RoleParams = { role: WorkflowRole };
const currentAgent = (context: WorkflowContext, role: WorkflowRole) => context.agents[role][context.call.index]!;

export const workflowMachine = setup({
  types: {
    input: {} as WorkflowInput,
    context: {} as WorkflowContext,
    events: {} as WorkflowEvent,
    output: {} as WorkflowOutput,
  },
  actors: {
    // Provided by the orchestrator: runs one agent once, bounded by the bulkhead, aborting on `signal`;
    // rejects at once, marked CIRCUIT_OPEN_MARK, when the agent's circuit is open.
    callAgent: fromPromise<AgentReply, CallAgentInput>(async () => {
      throw new Error('callAgent is provided by the orchestrator');
    }),
    // Provided by the orchestrator: the session's earlier turns, the caches, the request's screening.
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
    analysisCached: ({ event }) => (event as unknown as DoneEvent<Preparation>).output.cached.schema_analysis !== undefined,
    writeRequested: ({ context }) => context.preparation.screening.refusal !== null,
    generationCached: ({ context }) => context.regenerations === 0 && context.preparation.cached.query_generation !== undefined,
    // Provided by the orchestrator with the PostgreSQL parser; unproved SQL is unsafe.
    generatedSqlUnsafe: () => true,
    regenerationBudgetLeft: ({ context }) => context.regenerations < context.limits.max_retries,
    invalidWithBudget: ({ context, event }) => answerOf(event)?.is_valid === false && context.regenerations < context.limits.max_retries,
    isTrainMode: ({ context }) => context.mode === 'train',
    // The agent request's own routing (agent-call.ts).
    replyIsRefusal: ({ event }) => replyOf(event).kind === 'refusal',
    // An AppError marked `requestFault` (src/errors.ts): the request is at fault, not the agent.
    requestFault: ({ event }) => {
      const error = errorOf(event);
      return error?.requestFault === true && typeof error.code === 'string';
    },
    circuitWasOpen: ({ event }) => errorOf(event)?.reason === CIRCUIT_OPEN_MARK,
    retryBudgetLeft: ({ context }) => context.call.attempt <= context.limits.max_retries,
    nextAgentLeft: ({ context }, params: RoleParams) => context.call.index + 1 < context.agents[params.role].length,
  },
  actions: {
    enterStage: assign((_, params: { stage: Stage }) => ({ stage: params.stage, call: FRESH_CALL })),
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
    storeAnswer: assign(({ context, event }, params: RoleParams) => ({
      results: { ...context.results, [ROLE_TABLE[params.role].result]: answerOf(event) },
      agentsUsed: { ...context.agentsUsed, [params.role]: currentAgent(context, params.role) },
    })),
    storeEntities: assign(({ context, event }) => ({
      results: { ...context.results, entities: (event as unknown as DoneEvent<unknown>).output },
    })),
    // After unsafe SQL the validator may not have said why (a custom one may even have passed it): the generator is told.
    prepareRegeneration: assign(({ context, event }, params: { unsafe: boolean }) => {
      const issues = (answerOf(event)?.issues as unknown[] | undefined) ?? [];
      return { feedback: params.unsafe ? [...issues, UNSAFE_SQL_ISSUE] : issues, regenerations: context.regenerations + 1 };
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
    recordRefusal: assign(({ context, event }) => {
      const reply = replyOf(event);
      const refusal = reply.kind === 'refusal' ? reply.refusal : { error_code: 'AGENT_FAILED', message: 'refused' };
      return { failure: { error_code: refusal.error_code, message: refusal.message, stage: context.stage, suggestions: refusal.suggestions ?? [] } };
    }),
    // The detail, not the message: the error response wraps it in the code's template once.
    recordRequestFault: assign(({ context, event }) => {
      const error = errorOf(event)!;
      const message = typeof error.detail === 'string' ? error.detail : String(error.message ?? 'request fault');
      return { failure: { error_code: String(error.code), message, stage: context.stage, suggestions: [] } };
    }),
    recordCallError: assign(({ context, event }) => {
      const error = errorOf(event);
      const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'agent error';
      return { call: { ...context.call, reason: 'error' as const, message } };
    }),
    recordCallTimeout: assign(({ context }) => ({
      call: { ...context.call, reason: 'timeout' as const, message: `no response within ${context.limits.inter_agent_timeout}s` },
    })),
    skipOpenCircuit: assign(({ context }, params: RoleParams) => {
      const { index } = context.call;
      const from = context.agents[params.role][index]!;
      return {
        fallbacks: [...context.fallbacks, { role: params.role, from, to: context.agents[params.role][index + 1] ?? null, reason: 'circuit_open' as const }],
        call: { index: index + 1, attempt: 1, reason: 'circuit_open' as const, message: `circuit open for ${from}`, skipped: context.call.skipped + 1 },
      };
    }),
    failOver: assign(({ context }, params: RoleParams) => {
      const { index } = context.call;
      const fallback = { role: params.role, from: context.agents[params.role][index]!, to: context.agents[params.role][index + 1] ?? null, reason: context.call.reason ?? 'error' };
      return { fallbacks: [...context.fallbacks, fallback], call: { ...context.call, index: index + 1, attempt: 1 } };
    }),
    countRetry: assign(({ context }) => ({ call: { ...context.call, attempt: context.call.attempt + 1 }, retries: context.retries + 1 })),
    recordExhausted: assign(({ context }, params: RoleParams) => {
      const { call } = context;
      const error_code = call.skipped === context.agents[params.role].length ? 'CIRCUIT_OPEN' : call.reason === 'timeout' ? 'AGENT_TIMEOUT' : 'AGENT_FAILED';
      return { failure: { error_code, message: `${params.role}: ${call.message}`, stage: context.stage, suggestions: [] } };
    }),
    recordCrash: assign(({ context, event }) => ({
      failure: {
        error_code: 'AGENT_FAILED',
        message: String(errorOf(event)?.message ?? 'internal error'),
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
    // Effects provided by the orchestrator (logs, stage timings, metrics, caches, message log, circuit breakers).
    stageEntered: (_, _params: { stage: Stage }) => {},
    stageExited: (_, _params: { stage: Stage }) => {},
    analysisProduced: () => {},
    agentResponded: (_, _params: RoleParams) => {},
    agentRefused: (_, _params: RoleParams) => {},
    agentFailed: (_, _params: RoleParams) => {},
    requestFaulted: (_, _params: RoleParams) => {},
    retryScheduled: (_, _params: RoleParams) => {},
    failedOver: (_, _params: RoleParams) => {},
  },
  delays: {
    workflowTimeout: ({ context }) => context.limits.timeout * 1000,
    interAgentTimeout: ({ context }) => context.limits.inter_agent_timeout * 1000,
    backoff: ({ context }) => backoffMs(context.limits.backoff_base, context.call.attempt),
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
    call: FRESH_CALL,
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
        onDone: [
          // A cached analysis: the analysis region starts done, with no agent request.
          {
            guard: 'analysisCached',
            target: 'schema_analysis.analysis.done',
            actions: ['storePreparation', 'useCachedAnalysis', { type: 'completeStage', params: { stage: 'initialization' } }],
          },
          { target: 'schema_analysis', actions: ['storePreparation', { type: 'completeStage', params: { stage: 'initialization' } }] },
        ],
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
          initial: 'calling',
          states: {
            ...agentCallStates('schema_analyzer', callInput('schema_analyzer'), [
              { target: '#workflow.schema_analysis.analysis.done', actions: ['analysisProduced'] },
            ]),
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
                input: ({ context }) => ({ query: context.preparation.screening.question }),
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
            {
              guard: 'generationCached',
              target: '#workflow.validation',
              actions: ['useCachedGeneration', { type: 'completeStage', params: { stage: 'query_generation' } }],
            },
            { target: 'calling' },
          ],
        },
        ...agentCallStates('query_generator', callInput('query_generator'), [
          { target: '#workflow.validation', actions: [{ type: 'completeStage', params: { stage: 'query_generation' } }] },
        ]),
      },
    },

    validation: {
      initial: 'calling',
      entry: [{ type: 'enterStage', params: { stage: 'validation' } }, { type: 'stageEntered', params: { stage: 'validation' } }],
      exit: { type: 'stageExited', params: { stage: 'validation' } },
      states: agentCallStates('validator', callInput('validator'), [
        {
          guard: and(['generatedSqlUnsafe', 'regenerationBudgetLeft']),
          target: '#workflow.query_generation',
          actions: [{ type: 'prepareRegeneration', params: { unsafe: true } }],
        },
        {
          guard: 'generatedSqlUnsafe',
          target: '#workflow.failed',
          actions: [{ type: 'completeStage', params: { stage: 'validation' } }, 'recordUnsafeSql'],
        },
        { guard: 'invalidWithBudget', target: '#workflow.query_generation', actions: [{ type: 'prepareRegeneration', params: { unsafe: false } }] },
        { guard: 'isTrainMode', target: '#workflow.reward_evaluation', actions: [{ type: 'completeStage', params: { stage: 'validation' } }] },
        { target: '#workflow.finalization', actions: [{ type: 'completeStage', params: { stage: 'validation' } }] },
      ]),
    },

    reward_evaluation: {
      initial: 'calling',
      entry: [{ type: 'enterStage', params: { stage: 'reward_evaluation' } }, { type: 'stageEntered', params: { stage: 'reward_evaluation' } }],
      exit: { type: 'stageExited', params: { stage: 'reward_evaluation' } },
      states: agentCallStates('reward_evaluator', callInput('reward_evaluator'), [
        { target: '#workflow.finalization', actions: [{ type: 'completeStage', params: { stage: 'reward_evaluation' } }] },
      ]),
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

/** The request of one role's current agent, built from the chart's context. */
function callInput(role: WorkflowRole) {
  return ({ context }: { context: WorkflowContext }): CallAgentInput => ({
    role,
    agent: currentAgent(context, role),
    content: agentContent(context, role),
    attempt: context.call.attempt,
    correlation_id: context.correlation_id,
    session_id: context.session_id,
  });
}

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
