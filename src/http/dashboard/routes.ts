/**
 * The live dashboard's routes: the page and its assets under /dashboard/
 * (public: they hold no data), the summary it refreshes (GET /v1/dashboard,
 * constant time: the orchestrator's counters and the feed's bounded folds),
 * and the stream of every session's events (GET /v1/events). With API keys
 * configured the summary wants the key like any route, and the stream, which a
 * browser's EventSource opens without headers, wants a token from
 * POST /v1/events/token in its `token` query parameter.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { workflowMachine } from '../../../machines/workflow.js';
import type { Orchestrator } from '../../orchestrator/orchestrator.js';
import { httpError, statusOf, type HttpErrorResponse } from '../errors.js';
import { DashboardFeed } from './feed.js';
import { EventHub } from './hub.js';
import { layoutMachine } from './layout.js';
import { StreamTokens } from './tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the bearer key: the route is public, or authenticates itself. */
    keyless?: boolean;
    /** A long-lived stream: graceful shutdown does not wait for it to end. */
    stream?: boolean;
  }
}

export interface DashboardOptions {
  orchestrator: Orchestrator;
  /** The server's bearer-key check (true for any request when no keys are configured). */
  checkKey: (authorization: string | undefined) => boolean;
  /** Open event streams, ended by the server's shutdown. */
  streams: Set<ServerResponse>;
  heartbeatMs: number;
  version?: string;
  /** Milliseconds between writes of the events buffered for the streams (default 100). */
  flushMs?: number;
}

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');
const require = createRequire(import.meta.url);

interface Asset {
  type: string;
  body: Buffer | string;
}

/** Read once at start: a handful of small files, served from memory. */
function loadAssets(): Map<string, Asset> {
  const file = (path: string, type: string): Asset => ({ type, body: readFileSync(path) });
  return new Map([
    ['index.html', file(join(PUBLIC_DIR, 'index.html'), 'text/html; charset=utf-8')],
    ['dashboard.js', file(join(PUBLIC_DIR, 'dashboard.js'), 'text/javascript; charset=utf-8')],
    ['dashboard.css', file(join(PUBLIC_DIR, 'dashboard.css'), 'text/css; charset=utf-8')],
    ['uplot.js', file(require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8')],
    ['uplot.css', file(require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8')],
    ['workflow.json', { type: 'application/json; charset=utf-8', body: JSON.stringify(layoutMachine(workflowMachine)) }],
  ]);
}

const SUMMARY_REUSE_MS = 1000;
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export function registerDashboard(app: FastifyInstance, options: DashboardOptions): void {
  const { orchestrator } = options;
  const assets = loadAssets();
  const feed = new DashboardFeed(orchestrator);
  const hub = new EventHub(orchestrator, { heartbeatMs: options.heartbeatMs, ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}) });
  const tokens = new StreamTokens();
  const started = Date.now();
  const sendError = (reply: FastifyReply, body: HttpErrorResponse) => reply.code(statusOf(body.error_code)).header('content-type', 'application/json; charset=utf-8').send(body);
  const serve = (reply: FastifyReply, name: string) => {
    const asset = assets.get(name);
    if (!asset) return sendError(reply, httpError('NOT_FOUND', `/dashboard/${name} is not a dashboard asset`));
    reply.header('content-type', asset.type).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
    if (name === 'index.html') reply.header('content-security-policy', CSP);
    return reply.send(asset.body);
  };

  app.get('/dashboard', { config: { keyless: true } }, async (_request, reply) => serve(reply, 'index.html'));
  app.get('/dashboard/:asset', { config: { keyless: true } }, async (request, reply) => serve(reply, (request.params as { asset: string }).asset));

  // Every open page polls the summary: one body serves them all for SUMMARY_REUSE_MS, so twenty pages cost what one does.
  let summary: { body: string; at: number } | undefined;
  app.get('/v1/dashboard', async (_request, reply) => {
    const now = Date.now();
    if (!summary || now - summary.at >= SUMMARY_REUSE_MS) {
      const body = { at: new Date(now).toISOString(), version: options.version ?? null, uptime_s: Math.round((now - started) / 1000), streams: hub.size, ...orchestrator.summary(), ...feed.snapshot() };
      summary = { body: JSON.stringify(body), at: now };
    }
    return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').send(summary.body);
  });

  app.post('/v1/events/token', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(tokens.issue()));

  app.get('/v1/events', { config: { keyless: true, stream: true } }, (request, reply) => {
    const { token } = request.query as { token?: string };
    if (!options.checkKey(request.headers.authorization) && !tokens.verify(token)) {
      return sendError(reply, httpError('UNAUTHORIZED', 'a valid stream token is required: POST /v1/events/token with the API key, then pass it as ?token=', 'token'));
    }
    reply.hijack();
    options.streams.add(reply.raw);
    hub.add(reply.raw, () => options.streams.delete(reply.raw));
  });

  app.addHook('onClose', async () => {
    feed.close();
    hub.close();
  });
}
