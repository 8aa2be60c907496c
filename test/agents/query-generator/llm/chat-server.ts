/**
 * A local HTTP server speaking the chat-completions protocol with scripted
 * replies, for testing the LLM generator over a real socket. Each test sets
 * `handler`; every request is recorded with its parsed body and headers, and
 * whether the client closed the connection before the reply was sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** Resolves when the client closed the connection before a reply was finished. */
  aborted: Promise<void>;
}

export type Handler = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface ChatServer {
  base_url: string;
  requests: RecordedRequest[];
  handler: Handler;
  close(): Promise<void>;
}

export async function startChatServer(): Promise<ChatServer> {
  const state: ChatServer = {
    base_url: '',
    requests: [],
    handler: (_req, res) => reply(res, completion(['```sql\nSELECT 1\n```'])),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Recorded as text: the test asserts on it.
      }
      const aborted = new Promise<void>((resolve) => {
        res.on('close', () => {
          if (!res.writableFinished) resolve();
        });
      });
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, aborted };
      state.requests.push(recorded);
      void state.handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.base_url = `http://127.0.0.1:${port}/v1`;
  return state;
}

export function reply(res: ServerResponse, body: unknown, status = 200): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export interface ScriptedChoice {
  content: string;
  logprobs?: Array<{ token: string; logprob: number }>;
  finish_reason?: string;
  reasoning_content?: string;
}

/** A chat.completion body with one choice per content. */
export function completion(choices: Array<string | ScriptedChoice>, totalTokens = 123): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model: 'test-model',
    choices: choices.map((c, index) => {
      const choice = typeof c === 'string' ? { content: c } : c;
      return {
        index,
        message: {
          role: 'assistant',
          content: choice.content,
          ...(choice.reasoning_content ? { reasoning_content: choice.reasoning_content } : {}),
        },
        finish_reason: choice.finish_reason ?? 'stop',
        logprobs: choice.logprobs ? { content: choice.logprobs.map((t) => ({ ...t, bytes: null, top_logprobs: [] })) } : null,
      };
    }),
    usage: { prompt_tokens: 100, completion_tokens: totalTokens - 100, total_tokens: totalTokens },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
