import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/orchestrator/orchestrator.js';
import { okAgents, scripted } from './test-agents.js';

const silent = pino({ level: 'silent' });

describe('what a session retains', () => {
  it('keeps its turns within max_session_bytes, dropping the oldest with their messages; the latest stays', async () => {
    const o = createOrchestrator({ logger: silent, agents: okAgents(), config: { max_session_bytes: 40_000 } });
    const notes = 'n'.repeat(12_000);
    for (let i = 0; i < 12; i++) await o.process({ query: `question ${i}`, session_id: 's', context: { notes } });
    const snapshot = o.getSession('s')!;
    expect(snapshot.turns.length).toBeGreaterThanOrEqual(1);
    expect(snapshot.turns.length).toBeLessThan(12);
    expect(snapshot.turns.at(-1)!.query).toBe('question 11');
    const kept = new Set(snapshot.turns.map((t) => t.correlation_id));
    expect(snapshot.messages.every((m) => kept.has(m.correlation_id))).toBe(true);
    // Each turn's messages carry its 12 KB context: 40 KB holds about three turns.
    expect(snapshot.turns.length).toBeLessThanOrEqual(3);
    await o.shutdown();
  });

  it('a turn alone over the budget is still kept', async () => {
    const o = createOrchestrator({ logger: silent, agents: okAgents(), config: { max_session_bytes: 100 } });
    await o.process({ query: 'first', session_id: 'one' });
    await o.process({ query: 'second', session_id: 'one' });
    expect(o.getSession('one')!.turns.map((t) => t.query)).toEqual(['second']);
    await o.shutdown();
  });
});

describe('the cap on live sessions', () => {
  it('a new session beyond max_live_sessions ends the least recently used idle one', async () => {
    const o = createOrchestrator({ logger: silent, agents: okAgents(), config: { max_live_sessions: 3 } });
    for (const id of ['a', 'b', 'c']) await o.process({ query: 'q', session_id: id });
    await o.process({ query: 'again', session_id: 'a' }); // a is now the most recently used
    await o.process({ query: 'q', session_id: 'd' });
    expect(o.getSession('b')).toMatchObject({ status: 'expired', expired_reason: 'idle' });
    expect(['a', 'c', 'd'].map((id) => o.getSession(id)!.status)).toEqual(['completed', 'completed', 'completed']);
    expect(await o.process({ query: 'more', session_id: 'b' })).toMatchObject({ error_code: 'SESSION_EXPIRED' });
    const live = Object.entries(o.metrics().sessions.by_status).filter(([s]) => s !== 'expired').reduce((n, [, c]) => n + c, 0);
    expect(live).toBeLessThanOrEqual(3);
    await o.shutdown();
  });

  it('when every live session is running a turn, a new one is refused with TOO_MANY_SESSIONS', async () => {
    const agents = { ...okAgents(), query_generator: scripted('query_generator', [{ kind: 'ok', delay: 200 }]) };
    const o = createOrchestrator({ logger: silent, agents, config: { max_live_sessions: 2 } });
    const running = [o.process({ query: 'q', session_id: 'x' }), o.process({ query: 'q', session_id: 'y' })];
    await new Promise((r) => setTimeout(r, 50));
    expect(await o.process({ query: 'q', session_id: 'z' })).toMatchObject({ error_code: 'TOO_MANY_SESSIONS', session_id: 'z' });
    for (const r of await Promise.all(running)) expect(r).toMatchObject({ workflow_stage: 'completed' });
    expect(await o.process({ query: 'q', session_id: 'z' })).toMatchObject({ workflow_stage: 'completed' });
    await o.shutdown();
  });

  it('memory follows the configuration: 300 clients with distinct sessions and 60 KB contexts', async () => {
    const o = createOrchestrator({ logger: silent, agents: okAgents(), config: { max_live_sessions: 50, max_retained_sessions: 100 } });
    const notes = 'n'.repeat(60_000);
    for (let i = 0; i < 300; i++) {
      expect(await o.process({ query: 'q', session_id: `client-${i}`, context: { notes: `${i}${notes}` } })).toMatchObject({ workflow_stage: 'completed' });
    }
    expect(o.status().sessions).toBeLessThanOrEqual(100);
    await o.shutdown();
  });
});
