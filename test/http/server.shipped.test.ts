import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createOrchestrator } from '../../src/index.js';
import { createServer, type HttpService } from '../../src/http/server.js';

// End to end with the shipped agents: catalog, vocabulary, sample databases, parser.
describe('HTTP service with the shipped agents', () => {
  let service: HttpService;
  let url: string;
  beforeAll(async () => {
    const orchestrator = createOrchestrator({ logger: pino({ level: 'silent' }) });
    await orchestrator.initialize();
    service = createServer({ orchestrator });
    url = await service.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await service?.close();
  });

  const ask = async (query: string) => {
    const res = await fetch(`${url}/v1/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('answers a business question with validated SQL over the GL schema', async () => {
    const r = await ask('list the active projects');
    expect(r.status).toBe(200);
    expect(r.body.validation.is_valid).toBe(true);
    expect(r.body.sql.toUpperCase()).toContain('PAC_MNT_PROJECTS');
    expect(r.body.metadata.agents.query_generator).toBe('embedded');
  });

  it('refuses a write with 422 WRITE_NOT_ALLOWED', async () => {
    const r = await ask('delete all customers');
    expect(r.status).toBe(422);
    expect(r.body.error_code).toBe('WRITE_NOT_ALLOWED');
  });
});
