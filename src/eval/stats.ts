/** Figures of the run reports, rounded to 4 decimals; null when there is nothing to average. */

export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : round4(values.reduce((a, b) => a + b, 0) / values.length);
}

/** The share of `items` that pass `ok`, in [0, 1]. */
export function fraction<T>(items: readonly T[], ok: (item: T) => boolean): number | null {
  return items.length === 0 ? null : round4(items.filter(ok).length / items.length);
}

export interface Scored {
  /** The system's confidence in [0, 1]. */
  confidence: number;
  correct: boolean;
}

/**
 * The area under the ROC curve of confidence as a detector of correct
 * answers: the chance that a correct answer, drawn at random, has a higher
 * confidence than a wrong one (ties count half; the Mann–Whitney U over the
 * pairs, computed from ranks). 1 separates them perfectly, 0.5 is chance.
 * Null when every answer is right, or every one wrong: there is nothing to separate.
 */
export function auroc(items: readonly Scored[]): number | null {
  const positives = items.filter((i) => i.correct).length;
  const negatives = items.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...items].sort((a, b) => a.confidence - b.confidence);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j].confidence === sorted[i].confidence) j++;
    // Tied confidences share the mean of their ranks (1-based).
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k].correct) rankSum += rank;
    i = j;
  }
  return round4((rankSum - (positives * (positives + 1)) / 2) / (positives * negatives));
}

/**
 * Expected calibration error over `bins` equal-width confidence bins: the
 * mean, weighted by each bin's share of the answers, of |accuracy − mean
 * confidence| in the bin. 0 when a confidence of 0.8 is right 80% of the time.
 * A confidence of exactly 1 falls in the last bin. Null for no items.
 */
export function expectedCalibrationError(items: readonly Scored[], bins = 10): number | null {
  if (items.length === 0) return null;
  const count = new Array<number>(bins).fill(0);
  const confidence = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  for (const item of items) {
    const c = Math.min(1, Math.max(0, item.confidence));
    const b = Math.min(bins - 1, Math.floor(c * bins));
    count[b]++;
    confidence[b] += c;
    if (item.correct) correct[b]++;
  }
  let error = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) error += Math.abs(correct[b] - confidence[b]) / items.length;
  return round4(error);
}
