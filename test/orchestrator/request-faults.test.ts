import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { createOrchestrator, type Orchestrator } from '../../src/orchestrator/orchestrator.js';
import { okAgents, okOutputs } from './test-agents.js';

const silent = pino({ level: 'silent' });
let o: Orchestrator | undefined;
afterEach(async () => {
  await o?.shutdown();
  o = undefined;
});

describe('a failure caused by the request\'s own content', () => {
  it('fails that request with its code, is not retried, and counts against no circuit breaker', async () => {
    let calls = 0;
    const agents = {
      ...okAgents(),
      reward_evaluator: Object.defineProperty(async (content: any) => {
        calls++;
        if (content.context?.expected_sql === 'slow') {
          throw new AppError('QUERY_TIMEOUT', 'expected_sql ran past its budget', { field: 'context.expected_sql' }, { requestFault: true });
        }
        return okOutputs.reward_evaluator(content);
      }, 'name', { value: 'rewards' }),
    };
    o = createOrchestrator({ logger: silent, agents, config: { max_retries: 2, circuit_failure_threshold: 1, cache_ttl: 0 } });
    await o.initialize();
    for (let i = 0; i < 3; i++) {
      const r = await o.process({ query: 'q', mode: 'train', context: { expected_sql: 'slow' } });
      expect(r).toMatchObject({ error_code: 'QUERY_TIMEOUT', failed_stage: 'reward_evaluation' });
      expect((r as any).error).toContain('expected_sql');
    }
    expect(calls).toBe(3);
    expect(o.metrics().agents.rewards!.circuit).toBe('closed');
    const fine = await o.process({ query: 'q', mode: 'train', context: { expected_sql: 'SELECT 1' } });
    expect(fine).toMatchObject({ workflow_stage: 'completed' });
  });

  it('while the agent\'s own errors on well-formed work still open its circuit', async () => {
    const agents = {
      ...okAgents(),
      reward_evaluator: Object.defineProperty(async () => {
        throw new AppError('EXECUTION_FAILED', 'the database worker stopped');
      }, 'name', { value: 'rewards' }),
    };
    o = createOrchestrator({ logger: silent, agents, config: { max_retries: 0, circuit_failure_threshold: 1, cache_ttl: 0 } });
    await o.initialize();
    await o.process({ query: 'q', mode: 'train' });
    expect(o.metrics().agents.rewards!.circuit).toBe('open');
    expect(await o.process({ query: 'q', mode: 'train' })).toMatchObject({ error_code: 'CIRCUIT_OPEN' });
  });
});
