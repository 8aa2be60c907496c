/** The dashboard's paths in the service's OpenAPI document. */
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } });
const object = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

export function dashboardPaths(): Record<string, unknown> {
  return {
    '/dashboard': {
      get: {
        summary: 'The live dashboard (HTML; its assets are under /dashboard/); never needs a key, it asks for one in the page',
        security: [],
        responses: { 200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/v1/dashboard': {
      get: {
        summary: "The dashboard's summary, in constant time: counters, agents and breakers, caches, bulkhead, recent sessions, outcomes over time, latency histograms per stage",
        responses: { 200: object('The summary'), 401: errorResponse('UNAUTHORIZED') },
      },
    },
    '/v1/events/token': {
      post: {
        summary: 'A short-lived token (5 minutes) for GET /v1/events?token=, for clients such as EventSource that cannot send the key as a header',
        responses: { 200: object('{ token, expires_at, ttl_s }'), 401: errorResponse('UNAUTHORIZED') },
      },
    },
    '/v1/events': {
      get: {
        summary: "Server-Sent Events of every session: `stage`, `outcome` and `expired` as on /v1/sessions/{id}/events, and `recovery` (retry, fallback, failure, timeout, circuit_open); the key as a bearer header or a token from POST /v1/events/token",
        security: [],
        parameters: [{ name: 'token', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 401: errorResponse('UNAUTHORIZED') },
      },
    },
  };
}
