import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../../src/index.js';
import { createServer, type HttpService } from '../../../src/http/server.js';
import { okAgents } from '../../orchestrator/test-agents.js';
import { readEvents } from '../sse.js';

const silent = pino({ level: 'silent' });
const KEY = 'dash-key';
const auth = { authorization: `Bearer ${KEY}` };
let service: HttpService;
let url: string;

beforeAll(async () => {
  const orchestrator = createOrchestrator({ logger: silent, agents: okAgents() });
  await orchestrator.initialize();
  service = createServer({ orchestrator, apiKeys: [KEY], heartbeat: 3600 });
  url = await service.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await service.close();
});

const ask = (body: unknown) => fetch(`${url}/v1/query`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });

describe('the page and its assets', () => {
  it('are served without the key (they hold no data), with a content security policy', async () => {
    const page = await fetch(`${url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await page.text()).toMatch(/<script src="\/dashboard\/dashboard.js"/);
    for (const [asset, type] of [['dashboard.js', /javascript/], ['dashboard.css', /css/], ['uplot.js', /javascript/], ['uplot.css', /css/], ['workflow.json', /json/]] as const) {
      const res = await fetch(`${url}/dashboard/${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toMatch(type);
    }
    const layout = (await (await fetch(`${url}/dashboard/workflow.json`)).json()) as any;
    expect(layout.id).toBe('workflow');
  });

  it('answers an unknown asset with NOT_FOUND', async () => {
    const res = await fetch(`${url}/dashboard/secrets.txt`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error_code).toBe('NOT_FOUND');
  });
});

describe('GET /v1/dashboard', () => {
  it('wants the key', async () => {
    expect((await fetch(`${url}/v1/dashboard`)).status).toBe(401);
  });

  it('summarizes counters, recent sessions with generator, confidence and validity, and stage latency', async () => {
    await (await ask({ query: 'Show all active projects', session_id: 'dash-1' })).json();
    const summary = (await (await fetch(`${url}/v1/dashboard`, { headers: auth })).json()) as any;
    expect(summary.workflows.completed).toBeGreaterThanOrEqual(1);
    expect(summary.bulkhead.limit).toBeGreaterThan(0);
    const row = summary.recent_sessions.find((r: any) => r.session_id === 'dash-1');
    expect(row).toMatchObject({ status: 'completed', turn: 1, query: 'Show all active projects', generator: 'query_generator_test', confidence: 0.9, is_valid: true, retries: 0 });
    expect(row.duration_ms).toBeGreaterThanOrEqual(0);
    expect(summary.stage_latency.validation.count).toBeGreaterThanOrEqual(1);
    expect(summary.turn_latency.buckets).toHaveLength(summary.latency_buckets_ms.length + 1);
    expect(summary.series.points.at(-1).completed).toBeGreaterThanOrEqual(1);
  });
});

describe('GET /v1/events', () => {
  it('refuses a stream without a token or the key, and a forged token', async () => {
    expect((await fetch(`${url}/v1/events`)).status).toBe(401);
    const refused = await fetch(`${url}/v1/events?token=1.2.3`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as any)).toMatchObject({ error_code: 'UNAUTHORIZED' });
    expect((await fetch(`${url}/v1/events/token`, { method: 'POST' })).status).toBe(401);
  });

  it('streams every session’s stage events and outcomes, in order, to a token holder', async () => {
    const { token, ttl_s } = (await (await fetch(`${url}/v1/events/token`, { method: 'POST', headers: auth })).json()) as any;
    expect(ttl_s).toBe(300);
    const stream = await fetch(`${url}/v1/events?token=${encodeURIComponent(token)}`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const framesP = readEvents(stream, (f) => f.filter((x) => x.event === 'outcome').length >= 2);
    await Promise.all([ask({ query: 'one', session_id: 'live-1' }), ask({ query: 'two', session_id: 'live-2' })]);
    const frames = await framesP;
    expect(frames[0]!.event).toBe('ready');
    for (const id of ['live-1', 'live-2']) {
      const mine = frames.filter((f) => f.data.session_id === id);
      expect(mine.map((f) => f.data.stage ?? f.data.outcome)).toEqual(['initialization', 'schema_analysis', 'query_generation', 'validation', 'finalization', 'completed']);
      expect(mine.at(-1)).toMatchObject({ event: 'outcome', data: { session_id: id, turn: 1, outcome: 'completed' } });
    }
  });

  it('also takes the bearer key, and the server’s shutdown ends the open streams', async () => {
    const orchestrator = createOrchestrator({ logger: silent, agents: okAgents() });
    const other = createServer({ orchestrator, apiKeys: [KEY] });
    const base = await other.listen({ port: 0, host: '127.0.0.1' });
    const stream = await fetch(`${base}/v1/events`, { headers: auth });
    expect(stream.status).toBe(200);
    const frames = readEvents(stream, () => false);
    await other.close();
    expect((await frames)[0]!.event).toBe('ready');
  });
});
