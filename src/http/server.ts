/**
 * The HTTP service: Fastify over one orchestrator. Bodies are validated by
 * the JSON schemas of schemas.ts, then by the orchestrator's own input check;
 * every failure has the specification's error response shape. API keys, when
 * configured, are compared in constant time over their SHA-256 digests.
 * `close()` is the graceful shutdown: refuse new requests (503), answer the
 * ones whose body is still arriving with 503 and close their connections, let
 * the requests in flight finish, drain the orchestrator, end the event
 * streams, close the listener. A body that stops arriving is timed out; the
 * errors Node's HTTP parser raises itself (bad framing, oversized headers)
 * are answered in the same error shape as the rest (see client-errors.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isAppError } from '../errors.js';
import { mapConcurrent } from '../eval/pool.js';
import { checkInput } from '../orchestrator/input.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import type { SessionEvent } from '../orchestrator/types.js';
import { isErrorResponse, type ProcessOutcome } from '../orchestrator/result.js';
import { checkRequestSql } from '../orchestrator/limits.js';
import { clientErrorHandler, endWithError } from './client-errors.js';
import { describeSchemaError, fieldOf, httpError, statusOf, type HttpErrorResponse, type SchemaError } from './errors.js';
import { openApiDocument } from './openapi.js';
import { registerDashboard } from './dashboard/routes.js';
import { createMetricsExporter } from './prometheus.js';
import { registerRewardRoutes, type RewardRouteOptions } from './rewards.js';
import { SHARED_SCHEMAS, sessionParamsSchema } from './schemas.js';

export interface ServerOptions {
  orchestrator: Orchestrator;
  /** Keys accepted as `Authorization: Bearer <key>`; none means no authentication. */
  apiKeys?: string[];
  /** Largest accepted body in bytes (default 1 MiB); larger gets 413. */
  bodyLimit?: number;
  /** Seconds a request (its headers and body) may take to arrive (default 30); a slower one gets 408 REQUEST_TIMEOUT and its connection is closed. */
  bodyTimeout?: number;
  /** Items of one batch run at once (default 4); the orchestrator's bulkhead bounds agents further. */
  batchConcurrency?: number;
  /** Request logs go here (the orchestrator's pino logger, shared); default: none. */
  logger?: Logger;
  /** Seconds between SSE keep-alive comments (default 15). */
  heartbeat?: number;
  /** Reported by /health and /openapi.json. */
  version?: string;
  /** POST /v1/rewards: the scorer and its domains (default: the bundled GL domain, started on first use). */
  scorer?: RewardRouteOptions['scorer'];
}

export interface HttpService {
  app: FastifyInstance;
  /** Starts listening; resolves with the base URL. */
  listen(options: { port: number; host: string }): Promise<string>;
  /** Graceful shutdown; no request in flight is lost. Idempotent. */
  close(): Promise<void>;
}

const EVENTS_ROUTE = '/v1/sessions/:id/events';
const DEFAULT_BODY_LIMIT = 1024 * 1024;
const DEFAULT_BODY_TIMEOUT = 30;

export function createServer(options: ServerOptions): HttpService {
  const { orchestrator } = options;
  const bodyTimeoutMs = Math.max(1, Math.round((options.bodyTimeout ?? DEFAULT_BODY_TIMEOUT) * 1000));
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Node times the whole request out (headers, then body) on a timer it checks every interval: a
    // short interval makes the timeout exact to a fraction of it.
    requestTimeout: bodyTimeoutMs,
    http: { headersTimeout: bodyTimeoutMs, connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.round(bodyTimeoutMs / 4))) },
    clientErrorHandler: clientErrorHandler(bodyTimeoutMs / 1000),
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Input is validated as sent: no coercion of `123` into "123", no silent removal of unknown keys.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    return503OnClosing: false,
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  const metrics = createMetricsExporter(orchestrator);
  const inFlight = new InFlight();
  const streams = new Set<ServerResponse>();
  const checkKey = keyChecker(options.apiKeys ?? []);
  const started = Date.now();
  let closing: Promise<void> | undefined;

  const send = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
  const sendError = (reply: FastifyReply, body: HttpErrorResponse) => send(reply, statusOf(body.error_code), body);

  app.addHook('onRequest', async (request, reply) => {
    const open = request.routeOptions.url === '/health';
    if (closing && !open) {
      reply.header('connection', 'close');
      return sendError(reply, httpError('SHUTTING_DOWN', 'no new requests are accepted'));
    }
    if (!open && !request.routeOptions.config?.keyless && !checkKey(request.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, httpError('UNAUTHORIZED', 'a valid API key is required'));
    }
    if (request.routeOptions.url !== EVENTS_ROUTE && !request.routeOptions.config?.stream) inFlight.track(reply.raw);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'not_found';
    metrics.observeRequest({ method: request.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const first = error.validation[0] as SchemaError;
      const prefix = error.validationContext === 'params' ? 'path ' : '';
      return sendError(reply, httpError('INVALID_INPUT', prefix + describeSchemaError(first), fieldOf(first)));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, httpError('PAYLOAD_TOO_LARGE', `the body exceeds ${options.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes`));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, httpError('INVALID_INPUT', `content-type must be application/json, got ${request.headers['content-type'] ?? 'none'}`, 'content-type'));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, httpError('INVALID_INPUT', 'the body is empty; send a JSON object', 'body'));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, httpError('INVALID_INPUT', `the body is not valid JSON (${error.message})`, 'body'));
    }
    request.log.error({ err: error }, 'request failed');
    return send(reply, 500, { ...httpError('AGENT_FAILED', 'internal error'), error: 'Internal error' });
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, httpError('NOT_FOUND', `${request.method} ${request.url.split('?')[0]} is not a route`)));

  app.post('/v1/query', { schema: { body: { $ref: 'QueryInput#' } } }, async (request, reply) => {
    const problem = await inputProblem(request.body);
    if (problem) return sendError(reply, problem);
    const outcome = await orchestrator.process(request.body);
    return send(reply, statusOfOutcome(outcome), outcome);
  });

  app.post('/v1/batch', { schema: { body: { $ref: 'BatchInput#' } } }, async (request, reply) => {
    const { items } = request.body as { items: unknown[] };
    for (const [i, item] of items.entries()) {
      const problem = await inputProblem(item, `items[${i}].`);
      if (problem) return sendError(reply, problem);
    }
    const results = await mapConcurrent(items, options.batchConcurrency ?? 4, (item) => orchestrator.process(item));
    return send(reply, 200, { results });
  });

  registerRewardRoutes(app as unknown as FastifyInstance, { scorer: options.scorer });

  const sessionRoute = { schema: { params: sessionParamsSchema } };
  const notFound = (reply: FastifyReply, id: string) => sendError(reply, httpError('NOT_FOUND', `session ${id} is unknown`, undefined, id));

  app.get('/v1/sessions/:id', sessionRoute, async (request, reply) => {
    const { id } = request.params as { id: string };
    const snapshot = orchestrator.getSession(id);
    return snapshot ? send(reply, 200, snapshot) : notFound(reply, id);
  });

  app.delete('/v1/sessions/:id', sessionRoute, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!orchestrator.getSession(id)) return notFound(reply, id);
    orchestrator.cancel(id);
    return send(reply, 200, orchestrator.getSession(id));
  });

  app.get(EVENTS_ROUTE, sessionRoute, (request, reply) => {
    const { id } = request.params as { id: string };
    streamSessionEvents(orchestrator, id, request, reply, streams, (options.heartbeat ?? 15) * 1000);
  });

  app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.render()));

  app.get('/health', async (_request, reply) => {
    const { sessions, bulkhead } = orchestrator.status();
    const body = {
      status: closing ? 'shutting_down' : 'ok',
      version: options.version ?? null,
      uptime_s: Math.round((Date.now() - started) / 1000),
      sessions,
      in_flight: inFlight.size,
      bulkhead,
    };
    return send(reply, closing ? 503 : 200, body);
  });

  registerDashboard(app as unknown as FastifyInstance, { orchestrator, checkKey, streams, heartbeatMs: (options.heartbeat ?? 15) * 1000, ...(options.version ? { version: options.version } : {}) });

  const document = openApiDocument(options.version ?? '0.0.0', (options.apiKeys ?? []).length > 0);
  app.get('/openapi.json', async (_request, reply) => send(reply, 200, document));

  return {
    app: app as unknown as FastifyInstance,
    async listen({ port, host }) {
      await app.listen({ port, host });
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    },
    close() {
      closing ??= (async () => {
        // A request still sending its body would hold the drain until it timed out.
        for (const response of inFlight.receiving()) endWithError(response, httpError('SHUTTING_DOWN', 'the service is shutting down before the request arrived'));
        await inFlight.drained();
        await orchestrator.shutdown();
        for (const stream of streams) stream.end();
        await app.close();
      })();
      return closing;
    },
  };
}

/**
 * The orchestrator's own input checks, run after the schema so the HTTP
 * answer names the same field as the library would (the SQL budget's verdict
 * is remembered, so the orchestrator does not measure the same text again).
 */
async function inputProblem(input: unknown, prefix = ''): Promise<HttpErrorResponse | undefined> {
  try {
    await checkRequestSql(checkInput(input));
    return undefined;
  } catch (error) {
    if (!isAppError(error)) throw error;
    const field = `${prefix}${String(error.details.field ?? 'body')}`;
    const detail = error.message.replace(/^Invalid input: /, '');
    return httpError('INVALID_INPUT', prefix ? `${prefix}${detail}` : detail, field, sessionOf(input));
  }
}

function sessionOf(input: unknown): string | null {
  const id = (input as { session_id?: unknown } | null)?.session_id;
  return typeof id === 'string' ? id : null;
}

function statusOfOutcome(outcome: ProcessOutcome): number {
  return isErrorResponse(outcome) ? statusOf(outcome.error_code) : 200;
}

/** Constant-time check of a bearer token against the configured keys: every key is compared, over equal-length digests. */
export function keyChecker(keys: readonly string[]): (authorization: string | undefined) => boolean {
  if (keys.length === 0) return () => true;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = keys.map(digest);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const given = digest(match?.[1] ?? '');
    let ok = false;
    for (const key of expected) ok = timingSafeEqual(given, key) || ok;
    return ok && match !== null;
  };
}

/** Requests being answered (event streams excepted), so shutdown can wait for them. */
class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  private readonly responses = new Set<ServerResponse>();

  track(response: ServerResponse): void {
    this.count++;
    this.responses.add(response);
    response.once('close', () => {
      this.count--;
      this.responses.delete(response);
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Responses whose request is still arriving (its body not complete). */
  *receiving(): Iterable<ServerResponse> {
    for (const response of this.responses) if (!response.req.complete && !response.headersSent) yield response;
  }

  drained(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Server-Sent Events for one session: `ready` on connection, `stage` as each
 * stage is entered, `outcome` when a turn ends, `expired` (then the stream
 * ends). The id may be one no turn has used yet, so a client can subscribe
 * before its first POST /v1/query with that session_id.
 */
function streamSessionEvents(
  orchestrator: Orchestrator,
  id: string,
  request: FastifyRequest,
  reply: FastifyReply,
  streams: Set<ServerResponse>,
  heartbeatMs: number,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  streams.add(res);
  let seq = 0;
  const write = (event: string, data: unknown) => res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const snapshot = orchestrator.getSession(id);
  write('ready', { session_id: id, status: snapshot?.status ?? null });
  const end = () => {
    unsubscribe();
    clearInterval(heartbeat);
    streams.delete(res);
    if (!res.writableEnded) res.end();
  };
  const unsubscribe = orchestrator.onStage(id, (event: SessionEvent) => {
    if ('stage' in event) write('stage', event);
    else if ('outcome' in event) write('outcome', event);
    else {
      write('expired', event);
      end();
    }
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
  heartbeat.unref();
  request.raw.once('close', end);
  res.once('close', end);
  if (snapshot?.status === 'expired') {
    write('expired', { session_id: id, expired: snapshot.expired_reason ?? 'idle', at: snapshot.updated_at });
    end();
  }
}
