import { describe, expect, it } from 'vitest';
import { createLlmGenerator, llmOptionsFromEnv, resolveLlmOptions } from '../../../../src/agents/query-generator/llm/index.js';
import { AppError } from '../../../../src/errors.js';

function configError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_CONFIG');
    return err as AppError;
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('llmOptionsFromEnv', () => {
  it('is undefined when no LLM is configured', () => {
    expect(llmOptionsFromEnv({})).toBeUndefined();
  });

  it('reads the URL, model, key and tuning variables', () => {
    expect(
      llmOptionsFromEnv({
        GL_RL_LLM_BASE_URL: 'http://localhost:11434/v1/',
        GL_RL_LLM_MODEL: 'qwen2.5-coder:7b',
        GL_RL_LLM_API_KEY: 'ollama',
        GL_RL_LLM_TEMPERATURE: '0.7',
        GL_RL_LLM_MAX_TOKENS: '1024',
        GL_RL_LLM_CANDIDATES: '4',
        GL_RL_LLM_TIMEOUT: '2.5',
        GL_RL_LLM_LOGPROBS: 'false',
      }),
    ).toEqual({
      base_url: 'http://localhost:11434/v1/',
      model: 'qwen2.5-coder:7b',
      api_key: 'ollama',
      temperature: 0.7,
      max_tokens: 1024,
      num_candidates: 4,
      timeout_ms: 2500,
      logprobs: false,
    });
  });

  it.each([
    [{ GL_RL_LLM_BASE_URL: 'localhost:8000', GL_RL_LLM_MODEL: 'm' }, 'GL_RL_LLM_BASE_URL'],
    [{ GL_RL_LLM_BASE_URL: 'ftp://host/v1', GL_RL_LLM_MODEL: 'm' }, 'GL_RL_LLM_BASE_URL'],
    [{ GL_RL_LLM_BASE_URL: 'http://h/v1' }, 'GL_RL_LLM_MODEL'],
    [{ GL_RL_LLM_MODEL: 'm' }, 'GL_RL_LLM_BASE_URL'],
    [{ GL_RL_LLM_BASE_URL: 'http://h/v1', GL_RL_LLM_MODEL: 'm', GL_RL_LLM_TEMPERATURE: '2.5' }, 'GL_RL_LLM_TEMPERATURE'],
    [{ GL_RL_LLM_BASE_URL: 'http://h/v1', GL_RL_LLM_MODEL: 'm', GL_RL_LLM_TEMPERATURE: 'hot' }, 'GL_RL_LLM_TEMPERATURE'],
    [{ GL_RL_LLM_BASE_URL: 'http://h/v1', GL_RL_LLM_MODEL: 'm', GL_RL_LLM_MAX_TOKENS: '0' }, 'GL_RL_LLM_MAX_TOKENS'],
    [{ GL_RL_LLM_BASE_URL: 'http://h/v1', GL_RL_LLM_MODEL: 'm', GL_RL_LLM_CANDIDATES: '1.5' }, 'GL_RL_LLM_CANDIDATES'],
    [{ GL_RL_LLM_BASE_URL: 'http://h/v1', GL_RL_LLM_MODEL: 'm', GL_RL_LLM_TIMEOUT: '-1' }, 'GL_RL_LLM_TIMEOUT'],
    [{ GL_RL_LLM_BASE_URL: 'http://h/v1', GL_RL_LLM_MODEL: 'm', GL_RL_LLM_LOGPROBS: 'maybe' }, 'GL_RL_LLM_LOGPROBS'],
  ])('rejects %o naming %s', (env, field) => {
    const err = configError(() => llmOptionsFromEnv(env));
    expect(err.details.field).toBe(field);
    expect(err.message).toContain(field);
  });
});

describe('resolveLlmOptions', () => {
  it('fills the defaults and trims the trailing slash', () => {
    const resolved = resolveLlmOptions({ base_url: 'https://api.openai.com/v1/', model: 'gpt-4o-mini' });
    expect(resolved).toMatchObject({ base_url: 'https://api.openai.com/v1', temperature: 0, max_tokens: 512, timeout_ms: 60_000, logprobs: true, examples: 3 });
    expect(resolved.num_candidates).toBeUndefined();
  });

  it.each([
    [{ temperature: -0.1 }, 'temperature'],
    [{ temperature: Number.NaN }, 'temperature'],
    [{ max_tokens: 10.5 }, 'max_tokens'],
    [{ num_candidates: 0 }, 'num_candidates'],
    [{ num_candidates: 17 }, 'num_candidates'],
    [{ timeout_ms: 0 }, 'timeout_ms'],
    [{ examples: -1 }, 'examples'],
    [{ model: '  ' }, 'model'],
    [{ base_url: 'http://h/v1?x=1' }, 'base_url'],
  ])('rejects %o', (bad, field) => {
    const err = configError(() => createLlmGenerator({ base_url: 'http://h/v1', model: 'm', ...bad }));
    expect(err.details.field).toBe(field);
  });
});
