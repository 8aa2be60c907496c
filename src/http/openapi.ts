/** The OpenAPI 3.1 document of the service, built from the schemas Fastify validates with. */
import { ERROR_CATALOG } from '../errors.js';
import { dashboardPaths } from './dashboard/openapi.js';
import { rewardsInputSchema, rewardsResultSchema } from './rewards.js';
import { SHARED_SCHEMAS } from './schemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Fastify's `Name#` references become component references; `$id`s are dropped. */
function componentOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(componentOf);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$id') continue;
    out[key] = key === '$ref' && typeof v === 'string' && v.endsWith('#') ? `#/components/schemas/${v.slice(0, -1)}` : componentOf(v);
  }
  return out;
}

function errors(...codes: Array<keyof typeof ERROR_CATALOG>) {
  return Object.fromEntries(
    codes.map((code) => [String(ERROR_CATALOG[code].status), { description: code, content: { 'application/json': { schema: ref('ErrorResponse') } } }]),
  );
}

const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const sessionId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const workflowErrors = ['INVALID_INPUT', 'WRITE_NOT_ALLOWED', 'AGENT_FAILED', 'AGENT_TIMEOUT', 'CIRCUIT_OPEN', 'WORKFLOW_TIMEOUT', 'CANCELLED', 'SESSION_EXPIRED', 'SHUTTING_DOWN', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE'] as const;

export function openApiDocument(version: string, authenticated: boolean): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'gl-rl-model',
      version,
      description: 'Business questions to safe, validated PostgreSQL over an ERP schema. Every error has the shape ErrorResponse.',
    },
    ...(authenticated ? { security: [{ bearer: [] }] } : {}),
    components: {
      schemas: Object.fromEntries([...SHARED_SCHEMAS, rewardsInputSchema, rewardsResultSchema].map((s) => [s.$id, componentOf(s)])),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'One of the API keys the service was started with.' } },
    },
    paths: {
      '/v1/query': {
        post: {
          summary: 'Run one turn of the workflow',
          requestBody: { required: true, ...json(ref('QueryInput')) },
          responses: { 200: { description: 'The result', ...json(ref('QueryResult')) }, ...errors(...workflowErrors) },
        },
      },
      '/v1/batch': {
        post: {
          summary: 'Run several inputs, results in input order (each a result or an error response)',
          requestBody: { required: true, ...json(ref('BatchInput')) },
          responses: {
            200: {
              description: 'One outcome per item',
              ...json({ type: 'object', properties: { results: { type: 'array', items: { oneOf: [ref('QueryResult'), ref('ErrorResponse')] } } } }),
            },
            ...errors('INVALID_INPUT', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'SHUTTING_DOWN'),
          },
        },
      },
      '/v1/rewards': {
        post: {
          summary: 'Score completions against their expected SQL (GRPO rewards and group advantages); items and results in input order',
          requestBody: { required: true, ...json(ref('RewardsInput')) },
          responses: { 200: { description: 'One score per completion', ...json(ref('RewardsResult')) }, ...errors('INVALID_INPUT', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'SHUTTING_DOWN') },
        },
      },
      '/v1/sessions/{id}': {
        get: { summary: 'Session snapshot', parameters: [sessionId], responses: { 200: { description: 'Snapshot', ...json(ref('SessionSnapshot')) }, ...errors('NOT_FOUND', 'UNAUTHORIZED') } },
        delete: {
          summary: 'Cancel the session: a running turn ends with CANCELLED, the session expires',
          parameters: [sessionId],
          responses: { 200: { description: 'The expired snapshot', ...json(ref('SessionSnapshot')) }, ...errors('NOT_FOUND', 'UNAUTHORIZED') },
        },
      },
      '/v1/sessions/{id}/events': {
        get: {
          summary: 'Server-Sent Events: `stage` as each stage is entered, `outcome` per turn, `expired` at the end',
          parameters: [sessionId],
          responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors('UNAUTHORIZED') },
        },
      },
      '/metrics': { get: { summary: 'Prometheus text exposition', responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/health': {
        get: {
          summary: 'Liveness and readiness (503 while shutting down); never needs a key',
          security: [],
          responses: { 200: { description: 'Serving', ...json({ type: 'object' }) }, 503: { description: 'Shutting down', ...json({ type: 'object' }) } },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } } },
      ...dashboardPaths(),
    },
  };
}
