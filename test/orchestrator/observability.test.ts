import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMachine, fromPromise } from 'xstate';
import { createOrchestrator } from '../../src/orchestrator/orchestrator.js';
import { okAgents, okOutputs, scripted } from './test-agents.js';

function capture() {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

describe('logs, metrics, caches, messages', () => {
  it('logs stage transitions at info, agent messages at debug, retries at warn, failures at error — each with session_id and correlation_id', async () => {
    const { lines, logger } = capture();
    const agents = okAgents();
    agents.validator = scripted('validator', [{ kind: 'error' }, { kind: 'ok' }]);
    const o = createOrchestrator({ logger, agents, config: { retry_backoff: 0.001 } });
    const r = await o.process({ query: 'q', session_id: 'log-1' });
    expect(r).toHaveProperty('sql');
    const turnLines = lines.filter((l) => l.session_id === 'log-1');
    expect(turnLines.every((l) => typeof l.correlation_id === 'string')).toBe(true);
    expect(turnLines.filter((l) => l.level === 30 && l.stage).map((l) => l.stage)).toEqual([
      'initialization', 'schema_analysis', 'query_generation', 'validation', 'finalization', 'completed',
    ]);
    expect(turnLines.some((l) => l.level === 20 && l.msg === 'agent message')).toBe(true);
    expect(turnLines.some((l) => l.level === 40 && l.msg === 'retrying agent')).toBe(true);
    await o.shutdown();
  });

  it('reports completion rate, stage latency, agent failure rates, cache hit ratios and session durations', async () => {
    const agents = okAgents();
    agents.schema_analyzer = scripted('schema_analyzer', [{ kind: 'ok' }]);
    const o = createOrchestrator({ logger: pino({ level: 'silent' }), agents, config: { retry_backoff: 0.001 } });
    await o.process({ query: 'same question' });
    await o.process({ query: 'same question' });
    await o.process({ query: '' });
    const m = o.metrics();
    expect(m.workflows).toMatchObject({ started: 2, completed: 2, completion_rate: 1 });
    expect(m.stages.validation!.count).toBe(2);
    expect(m.stages.validation!.p95).toBeGreaterThanOrEqual(m.stages.validation!.p50);
    expect(m.cache.schema_analysis).toMatchObject({ hits: 1, misses: 1, hit_ratio: 0.5 });
    expect(m.cache.query_generation.hits).toBe(1);
    expect(agents.schema_analyzer.calls).toBe(1);
    expect(m.agents.query_generator_test).toMatchObject({ calls: 1, failures: 0, failure_rate: 0 });
    expect(m.sessions.by_status.completed).toBe(2);
    expect(m.sessions.estimated_bytes_per_session).toBeGreaterThan(0);
    // The cheap status agrees with the full metrics.
    expect(o.status()).toEqual({ sessions: m.sessions.total, bulkhead: m.bulkhead });
    expect(o.status().sessions).toBe(2);
    await o.shutdown();
  });

  it('keeps every request and response as an AgentMessage in the session log', async () => {
    const o = createOrchestrator({ logger: pino({ level: 'silent' }), agents: okAgents() });
    const r = await o.process({ query: 'q', mode: 'train', context: { expected_sql: 'SELECT 1' } });
    const messages = o.getSession(r.session_id!)!.messages;
    expect(messages.map((m) => `${m.message_type}:${m.sender}->${m.receiver}`)).toEqual([
      'request:orchestrator->schema_analyzer_test', 'response:schema_analyzer_test->orchestrator',
      'request:orchestrator->query_generator_test', 'response:query_generator_test->orchestrator',
      'request:orchestrator->validator_test', 'response:validator_test->orchestrator',
      'request:orchestrator->reward_evaluator_test', 'response:reward_evaluator_test->orchestrator',
      // the finished turn, fire-and-forget to its listeners
      'info:orchestrator->turn_listeners',
    ]);
    for (const m of messages) {
      expect(Object.keys(m).sort()).toEqual(['content', 'correlation_id', 'id', 'message_type', 'receiver', 'sender', 'timestamp']);
      expect(m.correlation_id).toBe(messages[0]!.correlation_id);
    }
    expect(JSON.parse(JSON.stringify(o.getSession(r.session_id!)))).toEqual(o.getSession(r.session_id!));
    await o.shutdown();
  });

  it('accepts agents written as XState actor logic', async () => {
    const generator = fromPromise(async ({ input }: { input: any }) => okOutputs.query_generator(input));
    const validator = createMachine({
      id: 'machine-validator',
      initial: 'checking',
      states: { checking: { always: 'done' }, done: { type: 'final' } },
      output: () => okOutputs.validator({}),
    });
    const o = createOrchestrator({ logger: pino({ level: 'silent' }), agents: { ...okAgents(), query_generator: generator, validator } });
    const r: any = await o.process({ query: 'q' });
    expect(r.workflow_stage).toBe('completed');
    expect(r.metadata.agents.validator).toBe('machine-validator');
    await o.shutdown();
  });

  it('feeds every actor’s events to an inspect observer', async () => {
    const seen = new Set<string>();
    const o = createOrchestrator({
      logger: pino({ level: 'silent' }),
      agents: okAgents(),
      inspect: (e) => {
        if (e.type === '@xstate.actor') seen.add(String((e.actorRef as any).logic?.id ?? (e.actorRef as any).src));
      },
    });
    await o.process({ query: 'q' });
    expect([...seen]).toEqual(expect.arrayContaining(['session', 'workflow', 'callAgent', 'circuitBreaker']));
    await o.shutdown();
  });

  it('broadcasts shutdown to subscribers and notifies turn listeners without waiting for them', async () => {
    const o = createOrchestrator({ logger: pino({ level: 'silent' }), agents: okAgents() });
    const turns: string[] = [];
    o.onTurn((e) => {
      turns.push(e.outcome);
      throw new Error('listener errors never reach the caller');
    });
    const r: any = await o.process({ query: 'q' });
    expect(r.workflow_stage).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(turns).toEqual(['completed']);
    await o.shutdown();
    expect(o.liveActors()).toBe(0);
  });
});

describe('pipeline', () => {
  it('chains one agent per role, each hop seeing what the earlier hops produced', async () => {
    const agents = okAgents();
    const o = createOrchestrator({ logger: pino({ level: 'silent' }), agents });
    const out = await o.pipeline(['schema_analyzer', 'query_generator', 'validator'], { query: 'q' });
    expect(out.schema_analysis).toMatchObject({ relevant_tables: [{ table_name: 'T' }] });
    expect(out.sql).toBe('SELECT 1 /* attempt 0 */');
    expect(out.validation).toMatchObject({ is_valid: true });
    expect(agents.validator.contents[0].sql).toBe('SELECT 1 /* attempt 0 */');
    expect(agents.query_generator.contents[0].schema_analysis).toMatchObject({ relevant_tables: [{ table_name: 'T' }] });
    await o.shutdown();
  });

  it('rejects on a refusing hop with its code', async () => {
    const agents = okAgents();
    agents.query_generator = scripted('query_generator', [{ kind: 'refuse' }]);
    const o = createOrchestrator({ logger: pino({ level: 'silent' }), agents });
    await expect(o.pipeline(['schema_analyzer', 'query_generator'], { query: 'drop it' })).rejects.toMatchObject({ code: 'WRITE_NOT_ALLOWED' });
    await o.shutdown();
  });
});
