import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, DEFAULT_CONFIG, envName, resolveConfig } from '../../src/orchestrator/config.js';
import { createOrchestrator } from '../../src/orchestrator/orchestrator.js';
import { okAgents } from './test-agents.js';

describe('configuration', () => {
  it('defaults are exactly the specification’s', () => {
    expect(resolveConfig({ env: {} })).toMatchObject({ timeout: 30, max_retries: 3, cache_ttl: 3600, max_concurrent_agents: 4, inter_agent_timeout: 10 });
  });

  it('file < environment < options object', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-rl-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ timeout: 5, max_retries: 1, cache_ttl: 10 }));
    const config = resolveConfig({ env: { GL_RL_CONFIG: file, GL_RL_MAX_RETRIES: '2', GL_RL_STRICT_MODE: 'true', GL_RL_SEEDS: '4,5' }, config: { cache_ttl: 20 } });
    expect(config).toMatchObject({ timeout: 5, max_retries: 2, cache_ttl: 20, strict_mode: true, seeds: [4, 5] });
  });

  it.each([
    [{ timeout: 0 }, 'timeout'],
    [{ timeout: -1 }, 'timeout'],
    [{ inter_agent_timeout: 'fast' }, 'inter_agent_timeout'],
    [{ max_retries: 1.5 }, 'max_retries'],
    [{ max_retries: -1 }, 'max_retries'],
    [{ cache_ttl: -5 }, 'cache_ttl'],
    [{ max_concurrent_agents: 0 }, 'max_concurrent_agents'],
    [{ max_concurrent_agents: Number.NaN }, 'max_concurrent_agents'],
    [{ strict_mode: 'yes' }, 'strict_mode'],
    [{ seeds: [] }, 'seeds'],
    [{ log_level: 'loud' }, 'log_level'],
    [{ timout: 3 }, 'timout'],
  ])('rejects %j with INVALID_CONFIG naming %s', (config, key) => {
    try {
      resolveConfig({ env: {}, config });
      throw new Error('expected INVALID_CONFIG');
    } catch (err: any) {
      expect(err.code).toBe('INVALID_CONFIG');
      expect(err.details.field).toBe(key);
      expect(err.message).toContain(key);
    }
  });

  it('rejects a bad environment value naming the key', () => {
    expect(() => resolveConfig({ env: { GL_RL_TIMEOUT: 'soon' } })).toThrow(/timeout = "soon"/);
  });

  it('rejects an unreadable or malformed config file', () => {
    expect(() => resolveConfig({ env: { GL_RL_CONFIG: '/nonexistent/config.json' } })).toThrow(/cannot be read/);
    const dir = mkdtempSync(join(tmpdir(), 'gl-rl-config-'));
    writeFileSync(join(dir, 'bad.json'), '[1,2]');
    expect(() => resolveConfig({ env: { GL_RL_CONFIG: join(dir, 'bad.json') } })).toThrow(/not a JSON object/);
  });

  it('every key has an environment variable and a default', () => {
    for (const key of CONFIG_KEYS) {
      expect(envName(key)).toMatch(/^GL_RL_[A-Z_]+$/);
      expect(key in DEFAULT_CONFIG).toBe(true);
    }
  });

  it('initialize() fails with INVALID_CONFIG; process() then answers with it instead of throwing', async () => {
    const o = createOrchestrator({ logger: pino({ level: 'silent' }), agents: okAgents(), config: { max_retries: -2 } });
    await expect(o.initialize()).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await o.process({ query: 'q' })).toMatchObject({ error_code: 'INVALID_CONFIG' });
    await o.shutdown();
  });

  it('an unknown agent role or a non-agent is INVALID_CONFIG', async () => {
    const a = createOrchestrator({ logger: pino({ level: 'silent' }), agents: { ...okAgents(), planner: okAgents().validator } as any });
    await expect(a.initialize()).rejects.toThrow(/agents.planner/);
    const b = createOrchestrator({ logger: pino({ level: 'silent' }), agents: { ...okAgents(), validator: 42 } as any });
    await expect(b.initialize()).rejects.toThrow(/agents.validator\[0\]/);
  });
});

describe('reward weights', () => {
  it('accepts component weights from the object or as JSON from the environment', () => {
    expect(resolveConfig({ env: { GL_RL_REWARD_WEIGHTS: '{"accuracy":0.5}' } }).reward_weights).toEqual({ accuracy: 0.5 });
    expect(resolveConfig({ env: {}, config: { reward_weights: { syntax: 1 } } }).reward_weights).toEqual({ syntax: 1 });
  });

  it.each([[[1, 2]], [{ accuracy: -1 }], [{ accuracy: 'high' }], ['heavy']])('rejects %j naming reward_weights', (reward_weights) => {
    expect(() => resolveConfig({ env: {}, config: { reward_weights } })).toThrow(/reward_weights/);
  });
});
