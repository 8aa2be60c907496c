/**
 * `POST /v1/rewards`: the reward service of a GRPO run over HTTP. The body is
 * validated by the JSON schema below (Fastify's ajv, no coercion), then by
 * the scorer's own request check, which names the same fields; the answer is
 * `{ preset, items }` with items and results in input order. An item whose
 * expected SQL is unsafe or fails carries its own error; the request still
 * succeeds.
 */
import type { FastifyInstance } from 'fastify';
import { isAppError } from '../errors.js';
import { createScorer, DEFAULT_PRESET, PRESETS, type Scorer } from '../agents/scorer.js';
import { REWARD_COMPONENTS } from '../agents/reward-evaluator/logic.js';
import { httpError, statusOf } from './errors.js';

export const REWARDS_ROUTE = '/v1/rewards';
export const MAX_REWARD_ITEMS = 1024;
export const MAX_COMPLETIONS = 256;
/** Long enough for a reasoning model's think block and its SQL. */
export const MAX_COMPLETION_LENGTH = 100_000;

const NOT_BLANK = '\\S';

export const rewardsInputSchema = {
  $id: 'RewardsInput',
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_REWARD_ITEMS,
      items: {
        type: 'object',
        required: ['query', 'completions', 'expected_sql'],
        additionalProperties: false,
        properties: {
          id: { anyOf: [{ type: 'string' }, { type: 'number' }], description: 'Echoed in the answer.' },
          query: { type: 'string', minLength: 1, pattern: NOT_BLANK, description: 'The question the completions answer.' },
          completions: {
            type: 'array',
            maxItems: MAX_COMPLETIONS,
            items: { type: 'string', maxLength: MAX_COMPLETION_LENGTH },
            description: "The model's raw texts (think tags, fences, prose around the SQL, or bare SQL): one GRPO group.",
          },
          expected_sql: { type: 'string', minLength: 1, pattern: NOT_BLANK, description: 'Gold SQL; it passes the same read-only gate as the completions.' },
          domain: { type: 'string', minLength: 1, description: 'A registered domain (default: the service\'s).' },
        },
      },
    },
    preset: { type: 'string', enum: [...PRESETS], default: DEFAULT_PRESET },
    weights: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(REWARD_COMPONENTS.map((c) => [c, { type: 'number', minimum: 0 }])),
      description: 'Component weights over the defaults, normalized (dense and execution).',
    },
  },
} as const;

const componentsSchema = { type: 'object', properties: Object.fromEntries(REWARD_COMPONENTS.map((c) => [c, { type: 'number' }])) };

export const rewardsResultSchema = {
  $id: 'RewardsResult',
  type: 'object',
  required: ['preset', 'items'],
  properties: {
    preset: { type: 'string', enum: [...PRESETS] },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['query', 'results', 'advantages'],
        properties: {
          id: { anyOf: [{ type: 'string' }, { type: 'number' }] },
          query: { type: 'string' },
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['sql', 'total_reward', 'rewards', 'is_valid', 'executed', 'feedback'],
              properties: {
                sql: { type: 'string' },
                total_reward: { type: 'number', minimum: 0, maximum: 1 },
                rewards: componentsSchema,
                is_valid: { type: 'boolean' },
                executed: { type: 'boolean' },
                error_code: { type: 'string' },
                feedback: { type: 'array', items: { type: 'object', additionalProperties: true } },
              },
            },
          },
          advantages: { type: 'array', items: { type: 'number' } },
          error_code: { type: 'string', description: 'The item could not be scored (its expected_sql is unsafe or fails).' },
          error: { type: 'string' },
          field: { type: 'string' },
        },
      },
    },
  },
} as const;

export interface RewardRouteOptions {
  /** The scorer to use; default: one over the bundled GL domain, started on the first request and closed with the server. */
  scorer?: Scorer;
}

export function registerRewardRoutes(app: FastifyInstance, options: RewardRouteOptions = {}): void {
  let scorer = options.scorer;
  const owned = scorer === undefined;
  app.addSchema(rewardsInputSchema);
  app.addHook('onClose', async () => {
    if (owned && scorer) await scorer.close();
  });

  app.post(REWARDS_ROUTE, { schema: { body: { $ref: 'RewardsInput#' } } }, async (request, reply) => {
    const body = request.body as { items: never[]; preset?: (typeof PRESETS)[number]; weights?: Record<string, number> };
    scorer ??= createScorer();
    const controller = new AbortController();
    // A client that hangs up (a trainer's timeout) stops the work it no longer waits for.
    const abort = () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
    };
    reply.raw.once('close', abort);
    try {
      const report = await scorer.score(body.items, { preset: body.preset, weights: body.weights, signal: controller.signal });
      return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(report);
    } catch (error) {
      if (!isAppError(error)) throw error;
      const field = typeof error.details.field === 'string' ? error.details.field : undefined;
      const detail = error.message.replace(/^[^:]+: /, '');
      const body = httpError(error.code, detail, field);
      return reply.code(statusOf(error.code)).header('content-type', 'application/json; charset=utf-8').send(body);
    } finally {
      reply.raw.off('close', abort);
    }
  });
}
