/**
 * Options of the LLM generator, checked once at creation so that a bad URL
 * or temperature fails start-up with INVALID_CONFIG naming the key, instead
 * of failing every question later.
 */
import { AppError } from '../../../errors.js';
import type { ExampleMemory } from '../memory/index.js';

export interface LlmGeneratorOptions {
  /** The server's OpenAI-compatible root, `/v1` included: `http://localhost:8000/v1`. */
  base_url: string;
  model: string;
  api_key?: string;
  /** 0 (the default) for a deterministic first candidate; raise it with `num_candidates` > 1 to get distinct samples. */
  temperature?: number;
  max_tokens?: number;
  /** Overrides the workflow's `num_candidates` (set 1 for servers that reject `n`, such as llama.cpp's). */
  num_candidates?: number;
  /** Per request, milliseconds; the call's own signal aborts it sooner. Default 60 s. */
  timeout_ms?: number;
  /** Ask for token logprobs (on by default; turn off for servers or models that reject the parameter). */
  logprobs?: boolean;
  /** Retrieved few-shot examples come from here. */
  memory?: ExampleMemory;
  /** How many examples to retrieve per question (default 3). */
  examples?: number;
  fetch?: typeof fetch;
}

export interface ResolvedLlmOptions {
  base_url: string;
  model: string;
  api_key?: string;
  temperature: number;
  max_tokens: number;
  num_candidates?: number;
  timeout_ms: number;
  logprobs: boolean;
  memory?: ExampleMemory;
  examples: number;
  fetch: typeof fetch;
}

export const LLM_DEFAULTS = { temperature: 0, max_tokens: 512, timeout_ms: 60_000, examples: 3 } as const;

/** At most this many choices per request: more costs tokens without adding distinct SQL. */
export const MAX_CANDIDATES = 16;

/** Checks and completes the options; `label` names a key in errors (an environment variable, a config key). */
export function resolveLlmOptions(options: LlmGeneratorOptions, label: (key: string) => string = (key) => key): ResolvedLlmOptions {
  const invalid = (key: string, value: unknown, expected: string): never => invalidValue(label(key), value, expected);
  const base_url = checkBaseUrl(options.base_url, label('base_url'));
  if (typeof options.model !== 'string' || options.model.trim() === '') invalid('model', options.model, 'a non-empty model name');
  const temperature = options.temperature ?? LLM_DEFAULTS.temperature;
  if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2)) invalid('temperature', temperature, 'a number in [0, 2]');
  const max_tokens = options.max_tokens ?? LLM_DEFAULTS.max_tokens;
  if (!Number.isInteger(max_tokens) || max_tokens < 1) invalid('max_tokens', max_tokens, 'an integer ≥ 1');
  const n = options.num_candidates;
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > MAX_CANDIDATES)) {
    invalid('num_candidates', n, `an integer in [1, ${MAX_CANDIDATES}]`);
  }
  const timeout_ms = options.timeout_ms ?? LLM_DEFAULTS.timeout_ms;
  if (typeof timeout_ms !== 'number' || !(timeout_ms > 0) || !Number.isFinite(timeout_ms)) invalid('timeout_ms', timeout_ms, 'a number of milliseconds > 0');
  const examples = options.examples ?? LLM_DEFAULTS.examples;
  if (!Number.isInteger(examples) || examples < 0) invalid('examples', examples, 'an integer ≥ 0');
  if (options.api_key !== undefined && typeof options.api_key !== 'string') invalid('api_key', '(hidden)', 'a string');
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') invalid('fetch', typeof fetchFn, 'a fetch function');
  return {
    base_url,
    model: options.model.trim(),
    ...(options.api_key ? { api_key: options.api_key } : {}),
    temperature,
    max_tokens,
    ...(n === undefined ? {} : { num_candidates: n }),
    timeout_ms,
    logprobs: options.logprobs ?? true,
    ...(options.memory ? { memory: options.memory } : {}),
    examples,
    fetch: fetchFn,
  };
}

/**
 * The generator's options from the environment, or undefined when no LLM is
 * configured (`GL_RL_LLM_BASE_URL` unset). `GL_RL_LLM_TIMEOUT` is in seconds,
 * like every duration in the configuration.
 */
export function llmOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LlmGeneratorOptions | undefined {
  const base_url = nonEmpty(env.GL_RL_LLM_BASE_URL);
  const model = nonEmpty(env.GL_RL_LLM_MODEL);
  if (base_url === undefined) {
    if (model !== undefined) invalidValue('GL_RL_LLM_BASE_URL', '', 'set when GL_RL_LLM_MODEL is (the server URL, e.g. http://localhost:8000/v1)');
    return undefined;
  }
  if (model === undefined) invalidValue('GL_RL_LLM_MODEL', '', 'the model name the server serves');
  const options: LlmGeneratorOptions = { base_url, model };
  const api_key = nonEmpty(env.GL_RL_LLM_API_KEY);
  if (api_key !== undefined) options.api_key = api_key;
  const temperature = envNumber(env, 'GL_RL_LLM_TEMPERATURE');
  if (temperature !== undefined) options.temperature = temperature;
  const max_tokens = envNumber(env, 'GL_RL_LLM_MAX_TOKENS');
  if (max_tokens !== undefined) options.max_tokens = max_tokens;
  const candidates = envNumber(env, 'GL_RL_LLM_CANDIDATES');
  if (candidates !== undefined) options.num_candidates = candidates;
  const timeout = envNumber(env, 'GL_RL_LLM_TIMEOUT');
  if (timeout !== undefined) {
    if (!(timeout > 0)) invalidValue('GL_RL_LLM_TIMEOUT', env.GL_RL_LLM_TIMEOUT, 'a number of seconds > 0');
    options.timeout_ms = timeout * 1000;
  }
  const logprobs = nonEmpty(env.GL_RL_LLM_LOGPROBS);
  if (logprobs !== undefined) {
    if (!['true', 'false', '1', '0'].includes(logprobs)) invalidValue('GL_RL_LLM_LOGPROBS', logprobs, 'true or false');
    options.logprobs = logprobs === 'true' || logprobs === '1';
  }
  resolveLlmOptions(options, (key) => ENV_NAMES[key] ?? key);
  return options;
}

const ENV_NAMES: Record<string, string> = {
  base_url: 'GL_RL_LLM_BASE_URL', model: 'GL_RL_LLM_MODEL', api_key: 'GL_RL_LLM_API_KEY',
  temperature: 'GL_RL_LLM_TEMPERATURE', max_tokens: 'GL_RL_LLM_MAX_TOKENS', num_candidates: 'GL_RL_LLM_CANDIDATES',
};

function checkBaseUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') invalidValue(field, value, 'an http(s) URL such as http://localhost:8000/v1');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    invalidValue(field, value, 'an http(s) URL such as http://localhost:8000/v1');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalidValue(field, value, 'an http(s) URL');
  if (url.search !== '' || url.hash !== '') invalidValue(field, value, 'a URL without query string or fragment');
  return url.href.replace(/\/+$/, '');
}

function envNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) invalidValue(name, raw, 'a number');
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function invalidValue(field: string, value: unknown, expected: string): never {
  throw new AppError('INVALID_CONFIG', `${field} = ${JSON.stringify(value) ?? String(value)}: expected ${expected}`, { field, expected });
}
