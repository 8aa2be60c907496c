import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { createServer, keyChecker, type HttpService, type ServerOptions } from '../../src/http/server.js';
import { queryInputSchema } from '../../src/http/schemas.js';
import { okAgents, scripted, type ScriptedAgent } from '../orchestrator/test-agents.js';
import { parsePrometheus } from './prometheus-text.js';

const silent = pino({ level: 'silent' });
const ERROR_KEYS = ['error', 'error_code', 'failed_stage', 'partial_results', 'session_id', 'suggestions'];

interface Running {
  url: string;
  service: HttpService;
  orchestrator: Orchestrator;
  agents: Record<string, ScriptedAgent>;
}

const running: Running[] = [];
async function start(options: Partial<ServerOptions> = {}, agents: Record<string, ScriptedAgent> = okAgents()): Promise<Running> {
  const orchestrator = createOrchestrator({ logger: silent, agents, config: { retry_backoff: 0.001 } });
  await orchestrator.initialize();
  const service = createServer({ orchestrator, ...options });
  const url = await service.listen({ port: 0, host: '127.0.0.1' });
  const r = { url, service, orchestrator, agents };
  running.push(r);
  return r;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

afterAll(async () => {
  await Promise.all(running.map((r) => r.service.close()));
});

describe('POST /v1/query and sessions', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start();
  });

  it('answers the specification output, keeps the session, and DELETE expires it', async () => {
    const r = await post(`${s.url}/v1/query`, { query: 'Show all active projects', session_id: 'happy-1' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.body).toMatchObject({ session_id: 'happy-1', query: 'Show all active projects', workflow_stage: 'completed', validation: { is_valid: true } });
    expect(r.body.sql).toBe('SELECT 1 /* attempt 0 */');

    const snap = await fetch(`${s.url}/v1/sessions/happy-1`);
    expect(snap.status).toBe(200);
    const snapshot = (await snap.json()) as any;
    expect(snapshot.status).toBe('completed');
    expect(snapshot.turns).toHaveLength(1);
    expect(Object.keys(snapshot.turns[0].stages)).toContain('validation');

    const del = await fetch(`${s.url}/v1/sessions/happy-1`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(((await del.json()) as any).status).toBe('expired');
    const again = await post(`${s.url}/v1/query`, { query: 'more', session_id: 'happy-1' });
    expect(again.status).toBe(410);
    expect(again.body.error_code).toBe('SESSION_EXPIRED');
  });

  it('maps a refusal to its catalog status with the error response shape', async () => {
    const agents = { ...okAgents(), query_generator: scripted('query_generator', [{ kind: 'refuse' }]) };
    const t = await start({}, agents);
    const r = await post(`${t.url}/v1/query`, { query: 'delete everything' });
    expect(r.status).toBe(422);
    expect(Object.keys(r.body).sort()).toEqual(ERROR_KEYS);
    expect(r.body).toMatchObject({ error_code: 'WRITE_NOT_ALLOWED', failed_stage: 'query_generation' });
    expect(r.body.partial_results).toHaveProperty('schema_analysis');
  });

  it('404s unknown sessions and unknown routes in the error shape', async () => {
    for (const [method, path] of [
      ['GET', '/v1/sessions/nobody'],
      ['DELETE', '/v1/sessions/nobody'],
      ['GET', '/nope'],
      ['POST', '/v1/queries'],
      ['PUT', '/v1/query'],
    ] as const) {
      const res = await fetch(`${s.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      const body = (await res.json()) as any;
      expect(Object.keys(body).sort()).toEqual(ERROR_KEYS);
      expect(body.error_code).toBe('NOT_FOUND');
    }
  });

  it('runs a batch in input order with bounded concurrency', async () => {
    const generator = scripted('query_generator', () => ({ kind: 'ok', delay: 30 }));
    const t = await start({ batchConcurrency: 2 }, { ...okAgents(), query_generator: generator });
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, generator.inFlight)), 2);
    const items = Array.from({ length: 6 }, (_, i) => ({ query: `question ${i}` }));
    const r = await post(`${t.url}/v1/batch`, { items: [...items, { query: 'refuse me', mode: 'train', context: { expected_sql: 'SELECT 1' } }] });
    clearInterval(watch);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => x.query)).toEqual([...items.map((i) => i.query), 'refuse me']);
    expect(r.body.results.at(-1).training).toBeDefined();
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('serves an OpenAPI 3 document built from the validation schemas', async () => {
    const res = await fetch(`${s.url}/openapi.json`);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toMatch(/^3\./);
    const { $id: _id, ...inputSchema } = queryInputSchema;
    expect(doc.components.schemas.QueryInput).toEqual(JSON.parse(JSON.stringify(inputSchema)));
    expect(doc.components.schemas.BatchInput.properties.items.items).toEqual({ $ref: '#/components/schemas/QueryInput' });
    expect(Object.keys(doc.paths).sort()).toEqual(['/dashboard', '/health', '/metrics', '/openapi.json', '/v1/batch', '/v1/dashboard', '/v1/events', '/v1/events/token', '/v1/query', '/v1/rewards', '/v1/sessions/{id}', '/v1/sessions/{id}/events']);
    const health = await fetch(`${s.url}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as any;
    expect(body).toMatchObject({ status: 'ok', sessions: s.orchestrator.status().sessions, bulkhead: { limit: expect.any(Number), in_flight: 0 } });
  });
});

describe('malformed bodies', () => {
  let s: Running;
  beforeAll(async () => {
    s = await start();
  });

  const cases: Array<[string, unknown, string, string?]> = [
    ['no query', {}, 'query'],
    ['query not a string', { query: 1 }, 'query'],
    ['query null', { query: null }, 'query'],
    ['query empty', { query: '' }, 'query'],
    ['query blank', { query: '  \n ' }, 'query'],
    ['query too long', { query: 'x'.repeat(4001) }, 'query'],
    ['unknown mode', { query: 'q', mode: 'fast' }, 'mode'],
    ['mode not a string', { query: 'q', mode: 1 }, 'mode'],
    ['session_id a number', { query: 'q', session_id: 5 }, 'session_id'],
    ['session_id empty', { query: 'q', session_id: '' }, 'session_id'],
    ['session_id too long', { query: 'q', session_id: 's'.repeat(129) }, 'session_id'],
    ['context a string', { query: 'q', context: 'ctx' }, 'context'],
    ['context an array', { query: 'q', context: [] }, 'context'],
    ['user_preferences a number', { query: 'q', context: { user_preferences: 3 } }, 'context.user_preferences'],
    ['business_rules an array', { query: 'q', context: { business_rules: [] } }, 'context.business_rules'],
    ['historical_queries a string', { query: 'q', context: { historical_queries: 'x' } }, 'context.historical_queries'],
    ['history item a number', { query: 'q', context: { historical_queries: [3] } }, 'context.historical_queries[0]'],
    ['history item without query', { query: 'q', context: { historical_queries: ['a', { sql: 'SELECT 1' }] } }, 'context.historical_queries[1]'],
    ['expected_sql empty', { query: 'q', context: { expected_sql: '' } }, 'context.expected_sql'],
    ['expected_sql a number', { query: 'q', context: { expected_sql: 7 } }, 'context.expected_sql'],
    ['misspelt key', { query: 'q', sessionId: 'abc' }, 'sessionId'],
    ['array body', [1, 2], 'body'],
    ['null body', 'null', 'body'],
    ['truncated JSON', '{"query": ', 'body'],
    ['empty body', '', 'body'],
    ['batch without items', {}, 'items', '/v1/batch'],
    ['batch of none', { items: [] }, 'items', '/v1/batch'],
    ['batch item query a number', { items: [{ query: 1 }] }, 'items[0].query', '/v1/batch'],
    ['batch item blank', { items: [{ query: 'ok' }, { query: ' ' }] }, 'items[1].query', '/v1/batch'],
  ];

  it.each(cases)('%s → 400 INVALID_INPUT naming the field', async (_name, body, field, path = '/v1/query') => {
    const calls = s.agents.schema_analyzer!.calls;
    const r = await post(`${s.url}${path}`, body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error_code: 'INVALID_INPUT', field, failed_stage: 'initialization', partial_results: {} });
    expect(r.body.error).toContain(field === 'body' ? 'body' : field);
    expect(r.body.suggestions.join(' ')).toContain(field);
    expect(s.agents.schema_analyzer!.calls).toBe(calls);
  });

  it('refuses a body that is not JSON by its content type', async () => {
    const res = await fetch(`${s.url}/v1/query`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<query/>' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'INVALID_INPUT', field: 'content-type' });
  });

  it('answers 413 PAYLOAD_TOO_LARGE above the body limit', async () => {
    const t = await start({ bodyLimit: 1024 });
    const r = await post(`${t.url}/v1/query`, { query: 'x'.repeat(2000) });
    expect(r.status).toBe(413);
    expect(Object.keys(r.body).sort()).toEqual(ERROR_KEYS);
    expect(r.body.error_code).toBe('PAYLOAD_TOO_LARGE');
    expect((await post(`${t.url}/v1/query`, { query: 'x'.repeat(900) })).status).toBe(200);
  });
});

describe('authentication', () => {
  it('requires a configured key as a bearer token; /health stays open', async () => {
    const s = await start({ apiKeys: ['key-one', 'key-two'] });
    const noHeader = await post(`${s.url}/v1/query`, { query: 'q' });
    expect(noHeader.status).toBe(401);
    expect(noHeader.headers.get('www-authenticate')).toBe('Bearer');
    expect(Object.keys(noHeader.body).sort()).toEqual(ERROR_KEYS);
    expect(noHeader.body.error_code).toBe('UNAUTHORIZED');
    for (const authorization of ['Bearer key-three', 'Bearer key-one2', 'Basic key-one', 'key-one', 'Bearer ', 'Bearer key-one key-two']) {
      expect((await post(`${s.url}/v1/query`, { query: 'q' }, { authorization })).status, authorization).toBe(401);
    }
    expect((await post(`${s.url}/v1/query`, { query: 'q' }, { authorization: 'Bearer key-two' })).status).toBe(200);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer key-one' } })).status).toBe(200);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    expect((await fetch(`${s.url}/health?probe=1`)).status).toBe(200);
    expect((await fetch(`${s.url}/nope`)).status).toBe(401);
    expect(s.agents.schema_analyzer!.calls).toBe(1);
  });

  it('needs no header when no key is configured', async () => {
    const s = await start();
    expect((await post(`${s.url}/v1/query`, { query: 'q' })).status).toBe(200);
  });

  it('compares every key (a pure function of the header)', () => {
    const check = keyChecker(['a', 'b']);
    expect([check('Bearer a'), check('bearer b'), check('Bearer c'), check(undefined), check('Bearer')]).toEqual([true, true, false, false, false]);
    expect(keyChecker([])(undefined)).toBe(true);
  });
});

describe('GET /v1/sessions/:id/events', () => {
  it('streams the stages in order as they happen, then the outcome and the expiry', async () => {
    const slow = (role: 'schema_analyzer' | 'query_generator' | 'validator') => scripted(role, [{ kind: 'ok', delay: 40 }]);
    const s = await start({}, { ...okAgents(), schema_analyzer: slow('schema_analyzer'), query_generator: slow('query_generator'), validator: slow('validator') });
    const res = await fetch(`${s.url}/v1/sessions/sse-1/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const events: Array<{ event: string; data: any; beforeResponse: boolean }> = [];
    let answered = false;
    let buffer = '';
    const readUntil = async (done: () => boolean) => {
      while (!done()) {
        const chunk = await reader.read();
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data), beforeResponse: !answered });
        }
      }
    };
    await readUntil(() => events.length > 0);
    expect(events[0]).toMatchObject({ event: 'ready', data: { session_id: 'sse-1', status: null } });
    const response = post(`${s.url}/v1/query`, { query: 'q', session_id: 'sse-1' }).then((r) => {
      answered = true;
      return r;
    });
    await readUntil(() => events.some((e) => e.event === 'outcome'));
    expect((await response).status).toBe(200);
    const stages = events.filter((e) => e.event === 'stage');
    expect(stages.map((e) => e.data.stage)).toEqual(['initialization', 'schema_analysis', 'query_generation', 'validation', 'finalization']);
    expect(stages.every((e) => e.data.turn === 1 && e.data.session_id === 'sse-1')).toBe(true);
    expect(stages.slice(0, 3).every((e) => e.beforeResponse)).toBe(true);
    expect(events.find((e) => e.event === 'outcome')!.data).toMatchObject({ outcome: 'completed', turn: 1 });
    await fetch(`${s.url}/v1/sessions/sse-1`, { method: 'DELETE' });
    await readUntil(() => events.some((e) => e.event === 'expired'));
    expect(events.at(-1)).toMatchObject({ event: 'expired', data: { expired: 'cancelled' } });
    expect((await reader.read()).done).toBe(true);
  });

  it('ends at once for a session already expired', async () => {
    const s = await start();
    await post(`${s.url}/v1/query`, { query: 'q', session_id: 'gone' });
    await fetch(`${s.url}/v1/sessions/gone`, { method: 'DELETE' });
    const text = await (await fetch(`${s.url}/v1/sessions/gone/events`)).text();
    expect(text).toContain('event: ready');
    expect(text).toContain('event: expired');
  });
});

describe('GET /metrics', () => {
  it('is valid Prometheus text carrying the specification metrics', async () => {
    const agents = { ...okAgents(), validator: scripted('validator', [{ kind: 'ok' }, { kind: 'error' }]) };
    const s = await start({}, agents);
    await post(`${s.url}/v1/query`, { query: 'first' });
    await post(`${s.url}/v1/query`, { query: 'second', session_id: 'm-2' });
    await fetch(`${s.url}/v1/sessions/m-2`, { method: 'DELETE' });
    const res = await fetch(`${s.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(await res.text());
    const value = (name: string, labels: Record<string, string> = {}) =>
      [...families.values()]
        .flatMap((f) => f.samples)
        .find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;
    expect(families.get('gl_rl_workflows_total')?.type).toBe('counter');
    expect(value('gl_rl_workflows_total', { event: 'started' })).toBe(2);
    expect(value('gl_rl_workflows_total', { event: 'completed' })).toBe(1);
    expect(value('gl_rl_workflows_total', { event: 'failed' })).toBe(1);
    expect(value('gl_rl_workflow_completion_ratio')).toBe(0.5);
    expect(value('gl_rl_workflow_errors_total', { error_code: 'AGENT_FAILED' })).toBe(1);
    expect(families.get('gl_rl_stage_duration_ms')?.type).toBe('summary');
    expect(new Set(families.get('gl_rl_stage_duration_ms')!.samples.map((x) => x.labels.stage))).toContain('validation');
    expect(value('gl_rl_agent_failures_total', { agent: 'validator_test' })).toBeGreaterThanOrEqual(1);
    expect(value('gl_rl_cache_misses_total', { cache: 'schema_analysis' })).toBeGreaterThanOrEqual(1);
    expect(families.get('gl_rl_session_duration_seconds')?.type).toBe('histogram');
    expect(value('gl_rl_session_duration_seconds_count')).toBe(1);
    expect(value('gl_rl_bulkhead_limit')).toBe(4);
    expect(value('gl_rl_http_requests_total', { route: '/v1/query', status: '200' })).toBe(1);
  });

  it('the test parser rejects malformed exposition', () => {
    expect(() => parsePrometheus('x 1\n')).toThrow(/without a declared family/);
    expect(() => parsePrometheus('# TYPE x counter\nx{a="1} 1\n')).toThrow(/bad labels|bad sample/);
    expect(() => parsePrometheus('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\n')).toThrow(/cumulative/);
  });
});

describe('graceful shutdown', () => {
  let s: Running;
  afterEach(async () => {
    await s.service.close();
  });

  it('answers every request in flight, refuses new ones with 503, then stops listening', async () => {
    const generator = scripted('query_generator', [{ kind: 'ok', delay: 150 }]);
    s = await start({}, { ...okAgents(), query_generator: generator });
    const inFlight = Array.from({ length: 8 }, (_, i) => post(`${s.url}/v1/query`, { query: `q${i}` }));
    // In flight: every request has reached the server and started its workflow.
    while (s.orchestrator.metrics().workflows.started < 8) await new Promise((r) => setTimeout(r, 5));
    const closed = s.service.close();
    const late = await post(`${s.url}/v1/query`, { query: 'late' });
    expect(late.status).toBe(503);
    expect(late.body.error_code).toBe('SHUTTING_DOWN');
    const health = await fetch(`${s.url}/health`);
    expect(health.status).toBe(503);
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.every((r) => r.body.workflow_stage === 'completed')).toBe(true);
    await closed;
    expect(s.orchestrator.liveActors()).toBe(0);
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });
});
