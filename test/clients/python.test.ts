/**
 * POST /v1/rewards on a real server (createServer on a loopback port, the
 * real GL domain), and the Python client in clients/python/ driving it from
 * a real python3 process: plain and conversational completions, grouping,
 * batching, retries on 5xx, loud failure on the rest.
 */
import { spawnSync, spawn } from 'node:child_process';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScorer, type Scorer } from '../../src/agents/scorer.js';
import { createServer, type HttpService } from '../../src/http/server.js';
import { createOrchestrator } from '../../src/index.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { okAgents } from '../orchestrator/test-agents.js';

const GOLD = 'SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Budget > 100000';
const python = spawnSync('python3', ['--version']).status === 0;

let service: HttpService;
let scorer: Scorer;
let url: string;
let flaky: Server;
let flakyUrl: string;
let flakyFailures = 0;

beforeAll(async () => {
  const orchestrator = createOrchestrator({ logger: pino({ level: 'silent' }), agents: okAgents() });
  await orchestrator.initialize();
  scorer = createScorer();
  await scorer.warm();
  service = createServer({ orchestrator, scorer });
  url = await service.listen({ port: 0, host: '127.0.0.1' });
  // A proxy that fails twice with 503 before passing requests on: the client must retry.
  flaky = createHttpServer((req, res) => {
    if (flakyFailures < 2) {
      flakyFailures++;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy","error_code":"SHUTTING_DOWN"}');
      return;
    }
    const target = new URL(req.url ?? '/', url);
    const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
  const address = flaky.address();
  flakyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => flaky?.close(resolve));
  await service?.close();
  await scorer?.close();
});

async function post(body: unknown) {
  const res = await fetch(`${url}/v1/rewards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('POST /v1/rewards', () => {
  it('scores items in input order with the contract shape', async () => {
    const r = await post({
      items: [
        { id: 7, query: 'big projects', expected_sql: GOLD, completions: [`\`\`\`sql\n${GOLD}\n\`\`\``, 'SELECT Project_Code FROM PAC_MNT_PROJECTS'] },
        { query: 'bad gold', expected_sql: 'DELETE FROM PAC_MNT_PROJECTS', completions: [GOLD] },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.preset).toBe('execution');
    const [first, second] = r.body.items;
    expect(first).toMatchObject({ id: 7, query: 'big projects' });
    expect(first.results).toHaveLength(2);
    for (const result of first.results) expect(Object.keys(result)).toEqual(expect.arrayContaining(['sql', 'total_reward', 'rewards', 'is_valid', 'executed', 'feedback']));
    expect(first.results[0].total_reward).toBeGreaterThan(first.results[1].total_reward);
    expect(first.advantages).toHaveLength(2);
    expect(second).toMatchObject({ error_code: 'UNSAFE_SQL', results: [], field: 'items[1].expected_sql' });
  });

  it('validates the body by its schema and the scorer, naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ items: [] }, 'items'],
      [{ items: [{ query: 'q', completions: ['x'] }] }, 'items[0].expected_sql'],
      [{ items: [{ query: 'q', completions: [1], expected_sql: GOLD }] }, 'items[0].completions[0]'],
      [{ items: [{ query: 'q', completions: [], expected_sql: GOLD }], preset: 'best' }, 'preset'],
      [{ items: [{ query: 'q', completions: [], expected_sql: GOLD }], weights: { speed: 1 } }, 'weights.speed'],
      [{ items: [{ query: 'q', completions: [], expected_sql: GOLD, domain: 'nowhere' }] }, 'items[0].domain'],
      [{ items: [{ query: 'q', completions: [], expected_sql: GOLD }], extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect(r.status, field).toBe(400);
      expect(r.body, field).toMatchObject({ error_code: 'INVALID_INPUT', field });
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as any;
    expect(doc.paths['/v1/rewards'].post.requestBody).toBeDefined();
    expect(doc.components.schemas.RewardsInput).toBeDefined();
  });
});

describe.skipIf(!python)('the Python client (clients/python/gl_rl_reward.py)', () => {
  it('scores plain and conversational completions, retries 5xx, fails loudly otherwise', async () => {
    const script = join(PACKAGE_ROOT, 'test/clients/python-check.py');
    const child = spawn('python3', [script, join(PACKAGE_ROOT, 'clients/python'), url, flakyUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.plain_and_chat).toEqual([1, 0.1, 0, 1]);
    expect(out.groups).toEqual([3, 1]);
    expect(out.after_retries).toEqual([1]);
    expect(flakyFailures).toBe(2);
    expect(out.bad_preset).toBe(400);
    expect(out.bad_gold).toMatch(/not scored.*read-only/);
    expect(out.down).toMatch(/unavailable after 2 attempts/);
  }, 60_000);
});

if (!python) console.warn('python3 is not installed: the Python client test is skipped');
