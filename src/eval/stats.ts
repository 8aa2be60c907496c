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
