import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBatch, type BatchLine } from '../../src/eval/batch.js';
import { inOrder, mapConcurrent } from '../../src/eval/pool.js';
import type { ProcessOutcome } from '../../src/orchestrator/result.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapConcurrent', () => {
  it('keeps item order, never exceeds the limit, and runs each item once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(5), { maxLength: 25 }), fc.integer({ min: 1, max: 6 }), async (delays, limit) => {
        let inFlight = 0;
        let peak = 0;
        const calls: number[] = [];
        const delivered: number[] = [];
        const deliver = inOrder<number>((_, index) => delivered.push(index));
        const results = await mapConcurrent(
          delays,
          limit,
          async (delay, index) => {
            calls.push(index);
            peak = Math.max(peak, ++inFlight);
            await sleep(delay);
            inFlight--;
            return index * 10;
          },
          deliver,
        );
        expect(results).toEqual(delays.map((_, i) => i * 10));
        expect(peak).toBeLessThanOrEqual(limit);
        expect([...calls].sort((a, b) => a - b)).toEqual(delays.map((_, i) => i));
        expect(delivered).toEqual(delays.map((_, i) => i));
      }),
      { numRuns: 60 },
    );
  });
});

/** An orchestrator stand-in whose answers finish out of order: later lines are answered first. */
function reversedOrchestrator() {
  const seen: unknown[] = [];
  return {
    seen,
    process: async (input: unknown): Promise<ProcessOutcome> => {
      seen.push(input);
      const query = (input as { query?: unknown }).query;
      if (typeof query !== 'string') {
        return { error: 'Invalid input: query is required', error_code: 'INVALID_INPUT', partial_results: {}, session_id: null, failed_stage: 'initialization', suggestions: [] };
      }
      await sleep(40 - Number(query.replace(/\D/g, '')) * 5);
      return { session_id: 's', query, sql: `SELECT ${query.replace(/\D/g, '')}` } as unknown as ProcessOutcome;
    },
  };
}

describe('runBatch', () => {
  it('answers one line per request in input order, a malformed line in the middle included', async () => {
    const input = ['{"query": "q1"}', '{"query": "q2", "mode": "generate"}', '{"query": "q3"', '', '{"query": "q4", "session_id": "a"}', '"just a string"', '{"mode": "train"}', '{"query": "q5"}'].join('\n');
    const orchestrator = reversedOrchestrator();
    const streamed: BatchLine[] = [];
    const progress: Array<[number, number]> = [];
    const { lines, summary } = await runBatch({ orchestrator, input, concurrency: 4, onLine: (l) => streamed.push(l), onProgress: (d, t) => progress.push([d, t]) });
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 5, 6, 7, 8]);
    expect(streamed).toEqual(lines);
    expect(lines.map((l) => l.query)).toEqual(['q1', 'q2', null, 'q4', null, null, 'q5']);
    expect(lines.map((l) => ('error_code' in l ? l.error_code : (l as unknown as { sql: string }).sql))).toEqual([
      'SELECT 1', 'SELECT 2', 'INVALID_INPUT', 'SELECT 4', 'INVALID_INPUT', 'INVALID_INPUT', 'SELECT 5',
    ]);
    const malformed = lines[2] as BatchLine & { error: string; failed_stage: string };
    expect(malformed.error).toMatch(/line 3: invalid JSON/);
    expect(malformed.failed_stage).toBe('initialization');
    // Malformed lines never reach the orchestrator; well-formed ones reach it as given.
    expect(orchestrator.seen).toEqual([{ query: 'q1' }, { query: 'q2', mode: 'generate' }, { query: 'q4', session_id: 'a' }, { mode: 'train' }, { query: 'q5' }]);
    expect(summary).toEqual({ total: 7, completed: 4, failed: 3, error_codes: { INVALID_INPUT: 3 } });
    expect(progress.at(-1)).toEqual([7, 7]);
  });

  it('an empty input is an empty batch', async () => {
    const { lines, summary } = await runBatch({ orchestrator: reversedOrchestrator(), input: '\n\n' });
    expect(lines).toEqual([]);
    expect(summary.total).toBe(0);
  });
});
