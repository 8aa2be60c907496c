import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MATCH_FLOOR, MISS_CEILING, PRESETS, SPARSE_RUNS, presetTotal } from '../../../src/agents/reward-evaluator/presets.js';

const facts = fc.record({ dense: fc.double({ min: 0, max: 1, noNaN: true }), matched: fc.boolean(), executed: fc.boolean() });

describe('reward presets', () => {
  it('execution: no completion whose results differ outscores one whose results match, whatever the shaping', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (right, wrong, ran) => {
        const matched = presetTotal('execution', { dense: right, matched: true, executed: true });
        const missed = presetTotal('execution', { dense: wrong, matched: false, executed: ran });
        expect(missed).toBeLessThan(matched);
        expect(matched).toBeGreaterThanOrEqual(MATCH_FLOOR);
        expect(missed).toBeLessThanOrEqual(MISS_CEILING);
      }),
      { numRuns: 2000 },
    );
  });

  it('execution keeps the shaping order within each side of the gate', () => {
    fc.assert(
      fc.property(facts, fc.double({ min: 0, max: 1, noNaN: true }), (f, other) => {
        const a = presetTotal('execution', f);
        const b = presetTotal('execution', { ...f, dense: other });
        if (f.dense > other + 1e-3) expect(a).toBeGreaterThanOrEqual(b);
      }),
    );
  });

  it('sparse is 1 for a match, 0.1 for SQL that runs, 0 otherwise; dense is the dense total', () => {
    fc.assert(
      fc.property(facts, (f) => {
        expect(presetTotal('sparse', f)).toBe(f.matched ? 1 : f.executed ? SPARSE_RUNS : 0);
        expect(presetTotal('dense', f)).toBeCloseTo(f.dense, 4);
        for (const p of PRESETS) {
          const total = presetTotal(p, f);
          expect(total).toBeGreaterThanOrEqual(0);
          expect(total).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
