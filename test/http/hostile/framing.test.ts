/**
 * Findings 5 and 7 of the hostile-client run: requests Node's own parser
 * refuses get the error shape, and a body that stops arriving is timed out
 * and does not hold a shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_KEYS, rawRequest, startService, type RawReply, type Running } from './support.js';

const body = JSON.stringify({ query: 'Show all active projects' });

describe('requests the HTTP parser refuses', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startService();
  });
  afterAll(() => s.service.close());

  it.each([
    ['bad chunked encoding', ['POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'], 400, 'INVALID_INPUT', 'body'],
    ['two Content-Lengths', [`POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 3\r\n\r\n${body}`], 400, 'INVALID_INPUT', 'headers'],
    ['a 100 KB header', [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`], 431, 'PAYLOAD_TOO_LARGE', 'headers'],
    ['a request line that is not HTTP', ['HELLO THERE\r\n\r\n'], 400, 'INVALID_INPUT', 'request'],
  ])('%s is answered in the error shape', async (_name, chunks, status, code, field) => {
    const reply = (await rawRequest(s.port, chunks)) as RawReply;
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toMatch(/application\/json/);
    expect(Object.keys(reply.body).sort()).toEqual([...ERROR_KEYS, 'field'].sort());
    expect(reply.body).toMatchObject({ error_code: code, field, failed_stage: 'initialization', session_id: null });
  });

  it('an unknown route → 404 NOT_FOUND in the error shape', async () => {
    const reply = (await rawRequest(s.port, ['GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'])) as RawReply;
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ error_code: 'NOT_FOUND' });
    expect(Object.keys(reply.body).sort()).toEqual(ERROR_KEYS);
  });
});

describe('a body that stops arriving', () => {
  it('is answered 408 REQUEST_TIMEOUT after the body timeout, and the connection closes', async () => {
    const s = await startService({ bodyTimeout: 0.4 });
    try {
      const head = `POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      const reply = (await rawRequest(s.port, [head, body.slice(0, 5)], { timeoutMs: 5000 })) as RawReply;
      expect(reply.status).toBe(408);
      expect(reply.body).toMatchObject({ error_code: 'REQUEST_TIMEOUT', field: 'body' });
      expect(reply.ms).toBeLessThan(4000);
    } finally {
      await s.service.close();
    }
  });

  it('does not hold a shutdown: it is answered 503 SHUTTING_DOWN and close() completes', async () => {
    const s = await startService({ bodyTimeout: 120 });
    const head = `POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const pending = rawRequest(s.port, [head, body.slice(0, 5)], { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    const closed = await Promise.race([s.service.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 5000))]);
    expect(closed).toBe('closed');
    const reply = (await pending) as RawReply;
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ error_code: 'SHUTTING_DOWN' });
  });
});
