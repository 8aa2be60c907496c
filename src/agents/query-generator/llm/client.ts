/**
 * One call to an OpenAI-compatible `POST /chat/completions` (vLLM, Ollama,
 * llama.cpp's server, OpenAI). Every way it can go wrong becomes a typed
 * error: the per-request timeout is AGENT_TIMEOUT; an HTTP error status (with
 * the server's own message), an unreachable server, a body that is not JSON
 * or has no choices are AGENT_FAILED. The caller's signal aborts the request
 * itself, so a cancelled call closes the connection.
 */
import { AppError } from '../../../errors.js';
import type { TokenLogprob } from './confidence.js';
import type { ChatMessage } from './prompt.js';
import type { ResolvedLlmOptions } from './options.js';

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  max_tokens: number;
  n?: number;
  logprobs?: boolean;
}

export interface ChatChoice {
  content: string;
  /** The server's separate reasoning channel, when it has one. */
  reasoning: string;
  finish_reason: string | undefined;
  logprobs: TokenLogprob[];
}

export interface ChatResponse {
  choices: ChatChoice[];
  total_tokens?: number;
}

/** Longest excerpt of an error body quoted in a message. */
const EXCERPT = 300;

export async function requestChatCompletion(
  options: Pick<ResolvedLlmOptions, 'base_url' | 'api_key' | 'timeout_ms' | 'fetch'>,
  request: ChatRequest,
  signal: AbortSignal,
): Promise<ChatResponse> {
  const url = `${options.base_url}/chat/completions`;
  const timeout = AbortSignal.timeout(options.timeout_ms);
  const combined = AbortSignal.any([signal, timeout]);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.api_key) headers.authorization = `Bearer ${options.api_key}`;
  let status: number;
  let body: string;
  try {
    const response = await options.fetch(url, { method: 'POST', headers, body: JSON.stringify(request), signal: combined });
    status = response.status;
    body = await response.text();
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) {
      throw new AppError('AGENT_TIMEOUT', `no answer from ${url} within ${options.timeout_ms} ms`, { url, timeout_ms: options.timeout_ms });
    }
    throw new AppError('AGENT_FAILED', `cannot reach ${url}: ${describeNetworkError(err)}`, { url }, { cause: err });
  }
  if (status < 200 || status >= 300) {
    throw new AppError('AGENT_FAILED', `${url} answered HTTP ${status}: ${serverMessage(body)}${statusHint(status)}`, { url, status });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new AppError('AGENT_FAILED', `${url} answered with invalid JSON: ${excerpt(body)}`, { url, status });
  }
  return readResponse(json, url);
}

function readResponse(json: unknown, url: string): ChatResponse {
  const choices = (json as { choices?: unknown })?.choices;
  if (!Array.isArray(choices) || choices.length === 0) {
    throw new AppError('AGENT_FAILED', `${url} answered without choices: ${excerpt(JSON.stringify(json))}`, { url });
  }
  const totalTokens = (json as { usage?: { total_tokens?: unknown } }).usage?.total_tokens;
  return {
    choices: choices.map(readChoice),
    ...(typeof totalTokens === 'number' && Number.isFinite(totalTokens) ? { total_tokens: totalTokens } : {}),
  };
}

function readChoice(choice: any): ChatChoice {
  const message = choice?.message ?? {};
  const reasoning = message.reasoning_content ?? message.reasoning;
  return {
    content: textOf(message.content ?? choice?.text),
    reasoning: typeof reasoning === 'string' ? reasoning : '',
    finish_reason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : undefined,
    logprobs: readLogprobs(choice?.logprobs),
  };
}

/** `content` is a string, or (in newer servers) a list of typed parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'string' ? part : typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/** The chat format (`content: [{token, logprob}]`) or the older completions format (`tokens` + `token_logprobs`). */
function readLogprobs(logprobs: any): TokenLogprob[] {
  if (Array.isArray(logprobs?.content)) {
    return logprobs.content
      .filter((t: any) => typeof t?.token === 'string' && typeof t?.logprob === 'number')
      .map((t: any) => ({ token: t.token, logprob: t.logprob }));
  }
  if (Array.isArray(logprobs?.token_logprobs) && Array.isArray(logprobs?.tokens)) {
    return logprobs.tokens.flatMap((token: unknown, i: number) => {
      const logprob = logprobs.token_logprobs[i];
      return typeof token === 'string' && typeof logprob === 'number' ? [{ token, logprob }] : [];
    });
  }
  return [];
}

/** The message servers put in error bodies: OpenAI/vLLM `{error: {message}}`, Ollama `{error: "…"}`, others `{message}` or `{detail}`. */
function serverMessage(body: string): string {
  try {
    const json = JSON.parse(body);
    const candidates = [json?.error?.message, json?.error, json?.message, json?.detail];
    const found = candidates.find((c) => typeof c === 'string' && c.trim() !== '');
    if (found) return excerpt(found);
  } catch {
    // Not JSON: the text itself is the message.
  }
  return body.trim() === '' ? '(empty body)' : excerpt(body);
}

function statusHint(status: number): string {
  if (status === 401 || status === 403) return ' (check the API key, GL_RL_LLM_API_KEY)';
  if (status === 404) return ' (check the base URL, which usually ends in /v1, and the model name)';
  return '';
}

function describeNetworkError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e.cause?.code, e.cause?.message ?? e.message].filter((x) => x).join(' ') || String(err);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat;
}
