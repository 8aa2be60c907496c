import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auroc, expectedCalibrationError, round4, type Scored } from '../../src/eval/stats.js';

const s = (confidence: number, correct: boolean): Scored => ({ confidence, correct });

/** The definition: over every (correct, wrong) pair, 1 when the correct one is more confident, ½ on a tie. */
function pairwise(items: Scored[]): number | null {
  const right = items.filter((i) => i.correct);
  const wrong = items.filter((i) => !i.correct);
  if (right.length === 0 || wrong.length === 0) return null;
  let sum = 0;
  for (const r of right) for (const w of wrong) sum += r.confidence > w.confidence ? 1 : r.confidence === w.confidence ? 0.5 : 0;
  return round4(sum / (right.length * wrong.length));
}

describe('auroc', () => {
  it('is 1 when confidence separates right from wrong, 0 when it inverts them, ½ when it cannot tell', () => {
    expect(auroc([s(0.9, true), s(0.8, true), s(0.2, false)])).toBe(1);
    expect(auroc([s(0.1, true), s(0.8, false)])).toBe(0);
    expect(auroc([s(0.5, true), s(0.5, false), s(0.5, true)])).toBe(0.5);
    expect(auroc([s(0.9, true), s(0.3, false), s(0.6, false), s(0.7, true)])).toBe(1);
    expect(auroc([s(0.9, true), s(0.6, false), s(0.5, true)])).toBe(0.5);
  });
  it('is null when all answers are right or all wrong', () => {
    expect(auroc([])).toBeNull();
    expect(auroc([s(0.3, true), s(0.9, true)])).toBeNull();
    expect(auroc([s(0.3, false)])).toBeNull();
  });
  it('equals the pairwise definition', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ confidence: fc.constantFrom(0, 0.25, 0.5, 0.75, 1, 0.33), correct: fc.boolean() }), { maxLength: 40 }), (items) => {
        expect(auroc(items)).toBe(pairwise(items));
      }),
    );
  });
});

describe('expectedCalibrationError', () => {
  it('is 0 for calibrated confidence and the gap otherwise, weighted by bin size', () => {
    // Bin [0.8, 0.9): 4 answers at 0.8, 3 right (0.75 accuracy) → gap 0.05 on 4/6; bin [0.2, 0.3): 2 at 0.2, none right → gap 0.2 on 2/6.
    const items = [s(0.8, true), s(0.8, true), s(0.8, true), s(0.8, false), s(0.2, false), s(0.2, false)];
    expect(expectedCalibrationError(items)).toBe(round4((4 / 6) * 0.05 + (2 / 6) * 0.2));
    expect(expectedCalibrationError([s(1, true), s(0, false)])).toBe(0);
    expect(expectedCalibrationError([s(1, false)])).toBe(1);
    expect(expectedCalibrationError([])).toBeNull();
  });
  it('puts a confidence of 1 in the last bin and stays within [0, 1]', () => {
    expect(expectedCalibrationError([s(1, true), s(0.95, false)])).toBe(round4(Math.abs(1 - 1.95) / 2));
    fc.assert(
      fc.property(fc.array(fc.record({ confidence: fc.double({ min: 0, max: 1, noNaN: true }), correct: fc.boolean() }), { minLength: 1, maxLength: 50 }), (items) => {
        const e = expectedCalibrationError(items)!;
        expect(e).toBeGreaterThanOrEqual(0);
        expect(e).toBeLessThanOrEqual(1);
      }),
    );
  });
});
