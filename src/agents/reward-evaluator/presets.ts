/**
 * Reward presets for scoring a policy's completions (docs/rewards.md,
 * "Presets"). Every preset sees the same facts — the six-component dense
 * score, whether the results match the expected SQL's on every test database,
 * whether the SQL ran — and turns them into the one number a trainer uses.
 *
 * - `dense`: the weighted six components as the Reward Evaluator has always
 *   scored them. Rich shaping, but it barely separates wrong from right.
 * - `execution`: correctness first, the components for shaping within each
 *   side of the gate: a matching completion lands in [0.5, 1], any other in
 *   [0, 0.45], so no wrong answer can outscore a right one.
 * - `sparse`: Arctic-Text2SQL-R1's reward (Yao et al., 2025): 1 for matching
 *   results, 0.1 for SQL that runs, 0 otherwise.
 */
export const PRESETS = ['dense', 'execution', 'sparse'] as const;
export type PresetName = (typeof PRESETS)[number];

/** The default for scoring completions: a reward that pays for right answers. */
export const DEFAULT_PRESET: PresetName = 'execution';

/** Where the two sides of the execution gate sit: matches in [MATCH_FLOOR, 1], the rest in [0, MISS_CEILING]. */
export const MATCH_FLOOR = 0.5;
export const MISS_CEILING = 0.45;

/** Sparse reward of SQL that runs without matching (Arctic-Text2SQL-R1's "valid SQL" reward). */
export const SPARSE_RUNS = 0.1;

export interface PresetFacts {
  /** The six-component total in [0, 1] (src/agents/reward-evaluator/logic.ts). */
  dense: number;
  /** Same results as the expected SQL on every test database (or the same statement). */
  matched: boolean;
  /** The SQL ran on the test databases without an error or a timeout. */
  executed: boolean;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

export function presetTotal(preset: PresetName, facts: PresetFacts): number {
  const dense = Math.min(1, Math.max(0, facts.dense));
  switch (preset) {
    case 'dense':
      return round(dense);
    case 'execution':
      return round(facts.matched ? MATCH_FLOOR + (1 - MATCH_FLOOR) * dense : MISS_CEILING * dense);
    case 'sparse':
      return facts.matched ? 1 : facts.executed ? SPARSE_RUNS : 0;
  }
}

export function isPreset(value: unknown): value is PresetName {
  return typeof value === 'string' && (PRESETS as readonly string[]).includes(value);
}
