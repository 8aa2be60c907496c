/**
 * Training runs: a dataset through the orchestrator in train mode, each
 * question turned into one record a Python trainer reads as is (layout in
 * docs/training.md). The orchestrator is used like any client: `process`
 * gives the answer and its reward; the session snapshot (`getSession`) gives
 * what the turn's stages produced — the analyzer's schema context for the
 * prompt, the generator's candidates with their reasoning, and the reward
 * evaluator's group scores and GRPO advantages. How many candidates a group
 * has is the orchestrator's `num_candidates`.
 *
 * Good pairs go to the example memory here, in the harness, rather than from
 * an `onTurn` listener: listeners are fire-and-forget (a command could exit
 * before their appends land, and their errors are only logged), and a turn
 * event carries only the returned SQL, while the best pair may be another
 * candidate of the group. Additions are serialized and awaited before the run
 * returns, so the memory file is complete when the report is.
 */
import type { ExampleMemory } from '../agents/query-generator/memory/index.js';
import { buildMessages, type ChatMessage } from '../agents/query-generator/llm/prompt.js';
import type { GeneratedQuery } from '../agents/query-generator/contract.js';
import type { SchemaAnalysis } from '../agents/schema-analyzer/contract.js';
import type { RewardComponent, RewardFeedback, RewardResult } from '../agents/reward-evaluator/contract.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { isErrorResponse, type ProcessResult } from '../orchestrator/result.js';
import type { Dataset, DatasetItem } from './dataset.js';
import { inOrder, mapConcurrent } from './pool.js';
import { fraction, mean, round4 } from './stats.js';

export const COMPONENTS: readonly RewardComponent[] = ['syntax', 'schema', 'business_logic', 'performance', 'reasoning', 'accuracy'];

/** Accuracy at or above "same results" (0.8): the SQL returns what the expected SQL returns on every test database. */
const CORRECT_ACCURACY = 0.8;

export interface TrainingCandidate {
  sql: string;
  reasoning: string;
  reward: number;
  rewards: Record<RewardComponent, number>;
  advantage: number;
  is_valid: boolean;
}

/** One line of `gl-rl train --out` (docs/training.md). */
export interface TrainingRecord {
  line: number;
  query: string;
  expected_sql: string;
  /** Chat messages: the system prompt and the user message with the analyzer's schema context (TRL conversational format). */
  prompt: ChatMessage[];
  /** The chosen candidate as the assistant's answer (SFT). */
  completion: ChatMessage[];
  /** Every candidate as an assistant answer, same order as `rewards` and `advantages` (GRPO). */
  completions: ChatMessage[][];
  rewards: number[];
  advantages: number[];
  candidates: TrainingCandidate[];
  /** Index of the best-rewarded candidate (the first on a tie). */
  chosen: number;
  /** Index 0 is the SQL the orchestrator returned; its reward is `reward`. */
  reward: number;
  /** Components scored for this record (accuracy is left out when it could not be). */
  scored: RewardComponent[];
  feedback: RewardFeedback[];
  session_id: string;
}

export interface TrainingFailure {
  line: number;
  query: string;
  error_code: string;
  error: string;
}

export interface TrainingSummary {
  /** Questions run (dataset lines with gold SQL). */
  total: number;
  records: number;
  failed: number;
  /** `expect` lines, which have no SQL to train on. */
  skipped: number;
  candidates_per_question: number;
  /** Mean reward of the SQL the orchestrator returned. */
  mean_reward: number | null;
  /** Mean reward of the best candidate of each group. */
  mean_best_reward: number | null;
  /** Per-component means of the returned SQL, each over the records where the component was scored. */
  components: Partial<Record<RewardComponent, number>>;
  /** Returned SQL with the expected results, over records whose accuracy was scored. */
  accuracy: number | null;
  /** Some candidate of the group with the expected results (best-of-n). */
  best_of_n_accuracy: number | null;
  memory: { path: string | null; added: number; replaced: number; unchanged: number; rejected: number } | null;
  failures: TrainingFailure[];
}

export interface TrainingOptions {
  orchestrator: Pick<Orchestrator, 'process' | 'getSession'>;
  dataset: Dataset | readonly DatasetItem[];
  concurrency?: number;
  /** Good pairs are added here. */
  memory?: ExampleMemory;
  /** What a good pair is (default reward ≥ 0.9 and accuracy ≥ 0.8). */
  memoryThreshold?: { reward: number; accuracy: number };
  onProgress?: (done: number, total: number) => void;
  /** Each record in dataset order, as soon as it and every question before it are done (streaming to a file). */
  onRecord?: (record: TrainingRecord) => void;
}

export interface TrainingReport {
  summary: TrainingSummary;
  records: TrainingRecord[];
}

type Outcome = { record: TrainingRecord } | { failure: TrainingFailure };

export async function runTraining(options: TrainingOptions): Promise<TrainingReport> {
  const all = Array.isArray(options.dataset) ? (options.dataset as readonly DatasetItem[]) : (options.dataset as Dataset).items;
  const items = all.filter((i) => i.expect === 'sql');
  const threshold = options.memoryThreshold ?? { reward: 0.9, accuracy: CORRECT_ACCURACY };
  const memoryTally = { added: 0, replaced: 0, unchanged: 0, rejected: 0 };
  let memoryQueue: Promise<unknown> = Promise.resolve();
  let done = 0;
  const deliver = inOrder<Outcome>((outcome) => {
    if ('record' in outcome) options.onRecord?.(outcome.record);
  });
  const outcomes = await mapConcurrent(
    items,
    options.concurrency ?? 4,
    async (item): Promise<Outcome> => {
      const outcome = await trainItem(item, options.orchestrator);
      if ('record' in outcome && options.memory) {
        const best = outcome.record.candidates[outcome.record.chosen]!;
        if (best.reward >= threshold.reward && best.rewards.accuracy >= threshold.accuracy && outcome.record.scored.includes('accuracy')) {
          const memory = options.memory;
          memoryQueue = memoryQueue.then(async () => {
            const added = await memory.add([{ query: item.query, sql: best.sql, score: best.reward, source: 'train' }]);
            memoryTally.added += added.added;
            memoryTally.replaced += added.replaced;
            memoryTally.unchanged += added.unchanged;
            memoryTally.rejected += added.rejected.length;
          });
        }
      }
      return outcome;
    },
    (outcome, index) => {
      deliver(outcome, index);
      options.onProgress?.(++done, items.length);
    },
  );
  await memoryQueue;
  const records = outcomes.flatMap((o) => ('record' in o ? [o.record] : []));
  const failures = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
  return {
    records,
    summary: {
      ...summarize(records),
      total: items.length,
      records: records.length,
      failed: failures.length,
      skipped: all.length - items.length,
      memory: options.memory ? { path: options.memory.path ?? null, ...memoryTally } : null,
      failures,
    },
  };
}

async function trainItem(item: DatasetItem, orchestrator: TrainingOptions['orchestrator']): Promise<Outcome> {
  const expected_sql = item.sql!;
  const outcome = await orchestrator.process({ query: item.query, mode: 'train', context: { expected_sql } });
  if (isErrorResponse(outcome)) return { failure: { line: item.line, query: item.query, error_code: outcome.error_code, error: outcome.error } };
  const stages = orchestrator.getSession(outcome.session_id)?.turns.at(-1)?.stages ?? {};
  const analysis = (stages.schema_analysis?.output ?? { relevant_tables: [] }) as SchemaAnalysis;
  const generation = stages.query_generation?.output as GeneratedQuery | undefined;
  const reward = stages.reward_evaluation?.output as RewardResult | undefined;
  const candidates = groupOf(outcome, generation, reward);
  const prompt = buildMessages(
    { query: item.query, context: {}, mode: 'train', schema_analysis: analysis, attempt: 0, num_candidates: candidates.length },
    [],
  );
  const completions = candidates.map((c) => [{ role: 'assistant' as const, content: completionText(c) }]);
  const chosen = candidates.reduce((best, c, i) => (c.reward > candidates[best]!.reward ? i : best), 0);
  const feedback = (reward?.feedback ?? outcome.training?.feedback ?? []) as RewardFeedback[];
  const notScored = new Set(feedback.filter((f) => f.level === 'not_scored').map((f) => f.component));
  return {
    record: {
      line: item.line,
      query: item.query,
      expected_sql,
      prompt,
      completion: completions[chosen]!,
      completions,
      rewards: candidates.map((c) => c.reward),
      advantages: candidates.map((c) => c.advantage),
      candidates,
      chosen,
      reward: candidates[0]!.reward,
      scored: COMPONENTS.filter((c) => !notScored.has(c)),
      feedback,
      session_id: outcome.session_id,
    },
  };
}

/**
 * The scored group, index 0 being the returned SQL: from the reward
 * evaluator's group output when the generator offered alternatives, else the
 * returned SQL alone (advantage 0: a group of one carries no preference).
 */
function groupOf(result: ProcessResult, generation: GeneratedQuery | undefined, reward: RewardResult | undefined): TrainingCandidate[] {
  const reasonings = [generation?.reasoning ?? result.reasoning, ...(generation?.alternatives ?? []).map((a) => a.reasoning ?? '')];
  if (reward?.candidates && reward.advantages) {
    return reward.candidates.map((c, i) => ({
      sql: c.sql,
      reasoning: reasonings[i] ?? '',
      reward: c.total_reward,
      rewards: c.rewards,
      advantage: round4(reward.advantages![i] ?? 0),
      is_valid: c.is_valid,
    }));
  }
  const training = result.training;
  return [{
    sql: result.sql,
    reasoning: result.reasoning,
    reward: training?.total_reward ?? 0,
    rewards: Object.fromEntries(COMPONENTS.map((c) => [c, training?.rewards[c] ?? 0])) as Record<RewardComponent, number>,
    advantage: 0,
    is_valid: result.validation.is_valid,
  }];
}

/** The answer in the format the system prompt asks of a model: reasoning in <think> tags, then the SQL in a fence. */
export function completionText(candidate: { sql: string; reasoning: string }): string {
  const reasoning = candidate.reasoning.trim();
  const think = reasoning === '' ? '' : reasoning.includes('<think>') ? `${reasoning}\n` : `<think>\n${reasoning}\n</think>\n`;
  return `${think}\`\`\`sql\n${candidate.sql.trim()}\n\`\`\``;
}

function summarize(records: readonly TrainingRecord[]): Omit<TrainingSummary, 'total' | 'records' | 'failed' | 'skipped' | 'memory' | 'failures'> {
  const components: Partial<Record<RewardComponent, number>> = {};
  for (const component of COMPONENTS) {
    const scored = records.filter((r) => r.scored.includes(component));
    const value = mean(scored.map((r) => r.candidates[0]!.rewards[component]));
    if (value !== null) components[component] = value;
  }
  const withAccuracy = records.filter((r) => r.scored.includes('accuracy'));
  return {
    candidates_per_question: records.length === 0 ? 0 : round4(mean(records.map((r) => r.candidates.length))!),
    mean_reward: mean(records.map((r) => r.reward)),
    mean_best_reward: mean(records.map((r) => r.rewards[r.chosen]!)),
    components,
    accuracy: fraction(withAccuracy, (r) => r.candidates[0]!.rewards.accuracy >= CORRECT_ACCURACY),
    best_of_n_accuracy: fraction(withAccuracy, (r) => r.candidates.some((c) => c.rewards.accuracy >= CORRECT_ACCURACY)),
  };
}
