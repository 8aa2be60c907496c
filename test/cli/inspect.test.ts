import { createServer } from 'node:net';
import pino from 'pino';
import { createWebSocketReceiver } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import { openInspector } from '../../src/cli/shared.js';
import { createOrchestrator } from '../../src/index.js';
import { okAgents } from '../orchestrator/test-agents.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('--inspect', () => {
  it('local: the actors of a live orchestrator reach an inspector receiver', async () => {
    const port = await freePort();
    const inspector = await openInspector(`local:${port}`);
    const received: string[] = [];
    createWebSocketReceiver({ server: `ws://127.0.0.1:${port}` }).subscribe((event) => received.push(JSON.stringify(event)));
    const orchestrator = createOrchestrator({ logger: pino({ level: 'silent' }), agents: okAgents(), inspect: inspector.inspect });
    try {
      const result = await orchestrator.process({ query: 'q', session_id: 'watched' });
      expect(result).toHaveProperty('workflow_stage', 'completed');
      for (let i = 0; i < 200 && !received.some((e) => e.includes('query_generation')); i++) await new Promise((r) => setTimeout(r, 25));
      expect(received.some((e) => e.includes('"@xstate.actor"'))).toBe(true);
      expect(received.some((e) => e.includes('query_generation'))).toBe(true);
    } finally {
      await orchestrator.shutdown();
      inspector.stop();
    }
  });

  it('refuses a target it does not know as a usage error', async () => {
    await expect(openInspector('ftp://x')).rejects.toMatchObject({ name: 'UsageError' });
  });
});
