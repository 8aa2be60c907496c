/**
 * Random fault schedules: every agent call may succeed, fail, hang, return
 * malformed output, refuse or fail for a fault of the request, after a random delay, under random limits. The
 * orchestrator's promises must always settle, each turn in exactly one
 * outcome, within the workflow timeout, with no actor or timer left behind.
 */
import fc from 'fast-check';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STAGES } from '../../machines/workflow.js';
import { createOrchestrator } from '../../src/orchestrator/orchestrator.js';
import { ROLES, type Role } from '../../src/agents/types.js';
import { invalidValidation, scripted, type Behaviour } from './test-agents.js';

const silent = pino({ level: 'silent' });

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('ok' as const), delay: fc.integer({ min: 0, max: 4000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('error' as const), delay: fc.integer({ min: 0, max: 2000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'hang' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('malformed' as const), delay: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'refuse' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fault' as const }) },
);

const invalidOnce = fc.boolean();

const schedule = fc.record({
  agents: fc.record(
    Object.fromEntries(ROLES.map((r) => [r, fc.array(fc.array(behaviour, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 2 })])) as Record<
      Role,
      fc.Arbitrary<Behaviour[][]>
    >,
  ),
  validatorSaysInvalid: invalidOnce,
  max_retries: fc.integer({ min: 0, max: 3 }),
  inter_agent_timeout: fc.integer({ min: 1, max: 5 }),
  timeout: fc.integer({ min: 3, max: 30 }),
  mode: fc.constantFrom('generate' as const, 'train' as const),
  cancelAt: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
});

describe('fault schedules (property)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('every turn settles in exactly one outcome, within the timeout, retries bounded, nothing leaked', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, async (s) => {
        const agents = Object.fromEntries(
          ROLES.map((role) => [
            role,
            s.agents[role].map((script, i) =>
              scripted(
                role,
                (n) => {
                  const b = script[Math.min(n, script.length - 1)]!;
                  if (role === 'validator' && b.kind === 'ok' && s.validatorSaysInvalid && n === 0) return { ...b, output: invalidValidation };
                  return b;
                },
                `${role}_${i}`,
              ),
            ),
          ]),
        ) as unknown as Record<Role, ReturnType<typeof scripted>[]>;
        const o = createOrchestrator({
          logger: silent,
          agents,
          config: { max_retries: s.max_retries, inter_agent_timeout: s.inter_agent_timeout, timeout: s.timeout, retry_backoff: 0.25, cache_ttl: 3600 },
        });
        await o.initialize();
        const started = Date.now();
        let settledAt = -1;
        const pending = o
          .process({ query: 'Show all active projects', mode: s.mode, session_id: 'p', context: s.mode === 'train' ? { expected_sql: 'SELECT 1' } : {} })
          .then((r) => {
            settledAt = Date.now();
            return r;
          });
        if (s.cancelAt !== undefined) {
          await vi.advanceTimersByTimeAsync(s.cancelAt);
          o.cancel('p');
        }
        await vi.advanceTimersByTimeAsync(s.timeout * 1000 + 1000);
        expect(settledAt).toBeGreaterThanOrEqual(0);
        const r: any = await pending;
        // within the workflow timeout (simulated clock), plus nothing
        expect(settledAt - started).toBeLessThanOrEqual(s.timeout * 1000);

        const snapshot = o.getSession('p')!;
        const completed = r.workflow_stage === 'completed';
        const failed = typeof r.error_code === 'string';
        expect(completed !== failed).toBe(true);
        if (completed) {
          expect(typeof r.sql).toBe('string');
          expect(r.sql.length).toBeGreaterThan(0);
          expect(typeof r.validation.is_valid).toBe('boolean');
          expect('training' in r).toBe(s.mode === 'train');
          // a cancel after the turn ended expires the idle session
          expect(snapshot.status).toBe(s.cancelAt === undefined ? 'completed' : snapshot.status === 'expired' ? 'expired' : 'completed');
        } else {
          expect(STAGES).toContain(r.failed_stage);
          const finished = Object.keys(r.partial_results);
          const failedIndex = STAGES.indexOf(r.failed_stage);
          for (const stage of finished) expect(STAGES.indexOf(stage as any)).toBeLessThan(failedIndex === -1 ? 99 : failedIndex + 1);
          expect(finished).not.toContain(r.failed_stage === 'query_generation' ? 'validation' : '__none__');
          if (r.error_code === 'CANCELLED' || s.cancelAt === undefined) expect(snapshot.status).toBe(r.error_code === 'CANCELLED' ? 'expired' : 'failed');
          else expect(['failed', 'expired']).toContain(snapshot.status);
          expect(['AGENT_FAILED', 'AGENT_TIMEOUT', 'CIRCUIT_OPEN', 'WORKFLOW_TIMEOUT', 'CANCELLED', 'WRITE_NOT_ALLOWED', 'QUERY_TIMEOUT']).toContain(r.error_code);
        }
        // retries never exceed max_retries for any one request to any one agent
        const turn = snapshot.turns[0]!;
        const regenerations = completed ? r.metadata.regenerations : s.max_retries;
        for (const role of ROLES) {
          const stage = { schema_analyzer: 'schema_analysis', query_generator: 'query_generation', validator: 'validation', reward_evaluator: 'reward_evaluation' }[role] as keyof typeof turn.stages;
          const requests = role === 'query_generator' || role === 'validator' ? regenerations + 1 : 1;
          const bound = requests * s.agents[role].length * (s.max_retries + 1);
          expect(turn.stages[stage]?.attempts ?? 0).toBeLessThanOrEqual(bound);
          for (const agent of agents[role]) expect(agent.calls).toBeLessThanOrEqual(requests * (s.max_retries + 1));
        }
        const retriesLogged = snapshot.recovery.filter((e) => e.kind === 'retry');
        const perAgent = new Map<string, number>();
        for (const e of retriesLogged) perAgent.set(e.agent, (perAgent.get(e.agent) ?? 0) + 1);
        for (const [, n] of perAgent) expect(n).toBeLessThanOrEqual(s.max_retries * (s.max_retries + 1));

        await o.shutdown();
        expect(o.liveActors()).toBe(0);
        for (const role of ROLES) for (const agent of agents[role]) expect(agent.inFlight).toBe(0);
        expect(vi.getTimerCount()).toBe(0);
      }),
      { numRuns: 1000 },
    );
  }, 300_000);
});
