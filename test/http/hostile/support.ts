/**
 * A real server on a loopback port for the hostile-client tests, and a raw
 * socket client that can send what fetch() never would (bad framing, pauses
 * in the middle of a body, oversized headers).
 */
import { connect } from 'node:net';
import pino from 'pino';
import { createOrchestrator as createBare } from '../../../src/orchestrator/orchestrator.js';
import { createOrchestrator, type Orchestrator } from '../../../src/index.js';
import { createServer, type HttpService, type ServerOptions } from '../../../src/http/server.js';
import { okAgents } from '../../orchestrator/test-agents.js';

export const silent = pino({ level: 'silent' });
export const ERROR_KEYS = ['error', 'error_code', 'failed_stage', 'partial_results', 'session_id', 'suggestions'];

export interface Running {
  url: string;
  port: number;
  service: HttpService;
  orchestrator: Orchestrator;
}

/** A service over scripted agents (`shipped: true` for the shipped ones). */
export async function startService(options: Partial<ServerOptions> & { shipped?: boolean; config?: Record<string, unknown> } = {}): Promise<Running> {
  const { shipped, config, ...serverOptions } = options;
  const orchestrator = shipped
    ? createOrchestrator({ logger: silent, config: { retry_backoff: 0.001, ...config } })
    : createBare({ logger: silent, agents: okAgents(), config: { retry_backoff: 0.001, ...config } });
  await orchestrator.initialize();
  const service = createServer({ orchestrator, ...serverOptions });
  const url = await service.listen({ port: 0, host: '127.0.0.1' });
  return { url, port: Number(new URL(url).port), service, orchestrator };
}

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: any;
  /** ms from the first byte sent to the connection's end. */
  ms: number;
}

/**
 * Writes `chunks` on a fresh connection (with `pauseMs` between them) and
 * reads until the server closes the connection or `timeoutMs` passes.
 */
export function rawRequest(port: number, chunks: Array<string | Buffer>, options: { pauseMs?: number; timeoutMs?: number } = {}): Promise<RawReply | 'no answer'> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('utf8');
      if (text === '') return resolve('no answer');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const raw = rest.join('\r\n\r\n');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // Not JSON: the test shows the text.
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, ms: performance.now() - started });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5000);
    socket.on('data', (d) => received.push(d));
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (e) => (received.length > 0 ? finish() : reject(e)));
    socket.on('connect', async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
        if (!socket.destroyed) socket.write(chunk);
      }
    });
  });
}

/** Milliseconds GET /health takes to answer. */
export async function healthMs(url: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/health`);
  await res.arrayBuffer();
  return { ms: performance.now() - started, status: res.status };
}
