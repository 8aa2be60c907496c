/**
 * Errors Node's HTTP parser finds before Fastify sees a request (bad
 * chunked framing, two Content-Lengths, headers over the size limit, a
 * request that does not arrive in time) answered in the service's error
 * shape, like every other response; and the answer to a request whose body
 * is still arriving when the service shuts down.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../errors.js';
import { httpError, statusOf, type HttpErrorResponse } from './errors.js';

interface ParserError extends Error {
  code?: string;
}

/** What a parser error code means for the client: status, catalog code, the part of the request at fault, and why. */
export function describeClientError(code: string | undefined, timeoutS: number): { status: number; code: ErrorCode; field: string; detail: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', field: 'body', detail: `the request did not arrive within ${timeoutS} s` };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'PAYLOAD_TOO_LARGE', field: 'headers', detail: 'the request headers exceed the size limit' };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, code: 'INVALID_INPUT', field: 'headers', detail: 'Content-Length is invalid, repeated, or sent with Transfer-Encoding' };
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 400, code: 'INVALID_INPUT', field: 'body', detail: 'the chunked body is malformed' };
    default:
      return { status: 400, code: 'INVALID_INPUT', field: 'request', detail: `the request is not valid HTTP/1.1 (${code ?? 'parse error'})` };
  }
}

function rawResponse(status: number, body: HttpErrorResponse): string {
  const json = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Fastify's `clientErrorHandler`: the error response on the raw socket, then the connection closes. */
export function clientErrorHandler(timeoutS: number): (error: ParserError, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // A response already under way cannot be replaced by another.
    const started = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage?.headersSent === true;
    if (socket.writable && !started) {
      const problem = describeClientError(error.code, timeoutS);
      socket.end(rawResponse(problem.status, httpError(problem.code, problem.detail, problem.field)));
      socket.destroySoon();
    } else {
      socket.destroy();
    }
  };
}

/** Answers a request that has not finished arriving, then closes its connection: the rest of its body is not read. */
export function endWithError(response: ServerResponse, body: HttpErrorResponse): void {
  if (response.headersSent || response.writableEnded) return;
  const json = JSON.stringify(body);
  response.writeHead(statusOf(body.error_code), { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), connection: 'close' });
  response.end(json, () => response.socket?.destroy());
}
