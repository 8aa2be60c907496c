/**
 * JSON schemas of the HTTP API: Fastify validates request bodies with them,
 * and the OpenAPI document is built from the same objects, so the two cannot
 * drift. They mirror `checkInput` (src/orchestrator/input.ts), which still runs
 * after them; the one deliberate difference is that unknown top-level keys
 * are refused here, so a misspelt `sessionId` is not silently ignored.
 */
import { ERROR_CATALOG } from '../errors.js';
import { MAX_QUERY_LENGTH, MAX_SESSION_ID_LENGTH } from '../orchestrator/input.js';
import { MAX_CLIENT_SQL_LENGTH, MAX_CONTEXT_BYTES, MAX_CONTEXT_DEPTH, MAX_HISTORY_ITEMS } from '../orchestrator/limits.js';

/** A string with at least one non-space character. */
const NOT_BLANK = '\\S';

export const MAX_BATCH_ITEMS = 100;

export const queryInputSchema = {
  $id: 'QueryInput',
  type: 'object',
  required: ['query'],
  additionalProperties: false,
  properties: {
    query: { type: 'string', minLength: 1, maxLength: MAX_QUERY_LENGTH, pattern: NOT_BLANK, description: 'The business question.' },
    session_id: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_SESSION_ID_LENGTH,
      pattern: NOT_BLANK,
      description: 'Conversation id; an unknown id starts a new session with that id.',
    },
    mode: { type: 'string', enum: ['generate', 'train'], default: 'generate' },
    context: {
      type: 'object',
      description: `Known keys are checked; unknown keys are passed on to the agents. At most ${MAX_CONTEXT_DEPTH} levels deep and ${MAX_CONTEXT_BYTES} characters as JSON.`,
      additionalProperties: true,
      properties: {
        user_preferences: { type: 'object', additionalProperties: true },
        business_rules: { type: 'object', additionalProperties: true },
        historical_queries: {
          type: 'array',
          maxItems: MAX_HISTORY_ITEMS,
          items: {
            anyOf: [
              { type: 'string' },
              {
                type: 'object',
                required: ['query'],
                additionalProperties: true,
                properties: { query: { type: 'string' }, sql: { type: 'string', maxLength: MAX_CLIENT_SQL_LENGTH } },
              },
            ],
          },
        },
        expected_sql: { type: 'string', minLength: 1, maxLength: MAX_CLIENT_SQL_LENGTH, pattern: NOT_BLANK, description: 'Gold SQL (train mode); within the SQL parse budget.' },
      },
    },
  },
} as const;

export const batchInputSchema = {
  $id: 'BatchInput',
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', minItems: 1, maxItems: MAX_BATCH_ITEMS, items: { $ref: 'QueryInput#' } },
  },
} as const;

export const sessionParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: MAX_SESSION_ID_LENGTH } },
} as const;

export const errorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['error', 'error_code', 'partial_results', 'session_id', 'failed_stage', 'suggestions'],
  properties: {
    error: { type: 'string' },
    error_code: { type: 'string', enum: Object.keys(ERROR_CATALOG) },
    partial_results: { type: 'object', additionalProperties: true, description: "Outputs of the stages that finished, keyed by stage." },
    session_id: { type: ['string', 'null'] },
    failed_stage: { type: 'string', enum: ['initialization', 'schema_analysis', 'query_generation', 'validation', 'reward_evaluation', 'finalization'] },
    suggestions: { type: 'array', items: { type: 'string' } },
    field: { type: 'string', description: 'HTTP only: the request field at fault (INVALID_INPUT).' },
  },
} as const;

const validationSchema = {
  type: 'object',
  required: ['is_valid', 'details'],
  properties: {
    is_valid: { type: 'boolean' },
    details: {
      type: 'object',
      properties: {
        syntax_valid: { type: 'boolean' },
        schema_compliant: { type: 'boolean' },
        business_logic_valid: { type: 'boolean' },
        performance_acceptable: { type: 'boolean' },
        issues: { type: 'array', items: {} },
        suggestions: { type: 'array', items: {} },
      },
    },
  },
} as const;

export const queryResultSchema = {
  $id: 'QueryResult',
  type: 'object',
  required: ['session_id', 'query', 'sql', 'reasoning', 'confidence', 'validation', 'timestamp', 'workflow_stage'],
  properties: {
    session_id: { type: 'string' },
    query: { type: 'string' },
    sql: { type: 'string' },
    reasoning: { type: 'string' },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    validation: validationSchema,
    timestamp: { type: 'string', format: 'date-time' },
    workflow_stage: { type: 'string', enum: ['completed'] },
    training: {
      type: 'object',
      properties: { rewards: { type: 'object', additionalProperties: { type: 'number' } }, total_reward: { type: 'number' }, feedback: { type: 'array', items: {} } },
    },
    metadata: { type: 'object', additionalProperties: true, description: 'Turn, agents, fallbacks, retries, regenerations, stage timings, cache, generator.' },
  },
} as const;

export const sessionSnapshotSchema = {
  $id: 'SessionSnapshot',
  type: 'object',
  required: ['session_id', 'status', 'created_at', 'updated_at', 'turns', 'messages', 'recovery'],
  properties: {
    session_id: { type: 'string' },
    status: { type: 'string', enum: ['created', 'active', 'completed', 'failed', 'expired'] },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    expired_reason: { type: 'string', enum: ['idle', 'cancelled'] },
    turns: { type: 'array', items: { type: 'object', additionalProperties: true } },
    messages: { type: 'array', items: { type: 'object', additionalProperties: true } },
    recovery: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

/** Every schema with an `$id`, registered with Fastify and listed under the document's components. */
export const SHARED_SCHEMAS = [queryInputSchema, batchInputSchema, errorResponseSchema, queryResultSchema, sessionSnapshotSchema] as const;
