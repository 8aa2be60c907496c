/**
 * How well each reward preset separates right completions from wrong ones.
 * For every gold question of the datasets: the gold SQL, the embedded
 * generator's candidates, and the broken variants of mutations.ts, each
 * written as a model's answer (the generator's reasoning in <think>, the SQL
 * in a fence), labelled correct or wrong by test-suite execution match
 * against the gold, then scored as one group by every preset. Reported:
 * AUROC over all completions, the highest reward of a wrong completion
 * against the lowest of a correct one, and the fraction of (correct, wrong)
 * pairs within a question that the reward orders correctly (what GRPO's
 * group-relative advantages see).
 */
import type { Domain } from '../agents/defaults.js';
import type { GeneratedQuery } from '../agents/query-generator/contract.js';
import type { Scorer } from '../agents/scorer.js';
import { PRESETS, type PresetName } from '../agents/reward-evaluator/presets.js';
import { executionMatch } from '../db/match.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { isErrorResponse } from '../orchestrator/result.js';
import { loadParser } from '../sql/parser.js';
import type { DatasetItem } from './dataset.js';
import { mutate, type MutationKind } from './mutations.js';
import { mapConcurrent } from './pool.js';
import { auroc as rocArea, round4 } from './stats.js';
import { completionText } from './train.js';

export type CompletionSource = 'gold' | 'generator' | MutationKind;

export interface LabelledCompletion {
  source: CompletionSource;
  sql: string;
  text: string;
  correct: boolean;
}

export interface LabelledQuestion {
  query: string;
  expected_sql: string;
  completions: LabelledCompletion[];
}

export interface Separation {
  auroc: number | null;
  /** Fraction of (correct, wrong) pairs of the same question with the correct one rewarded strictly higher. */
  pairwise: number | null;
  pairs: number;
  max_wrong: number | null;
  min_correct: number | null;
  mean_correct: number | null;
  mean_wrong: number | null;
}

export interface SeparationReport {
  questions: number;
  completions: number;
  correct: number;
  wrong: number;
  /** Completions per source, and how many of each were wrong by execution. */
  sources: Record<string, { total: number; wrong: number }>;
  presets: Record<PresetName, Separation>;
}

/** The labelled completions of the gold questions: gold, generator candidates, mutants; duplicates of one SQL kept once. */
export async function labelQuestions(
  items: readonly DatasetItem[],
  orchestrator: Orchestrator,
  domain: Pick<Domain, 'databases'>,
  concurrency = 4,
): Promise<LabelledQuestion[]> {
  await loadParser();
  const gold = items.filter((i): i is DatasetItem & { sql: string } => typeof i.sql === 'string');
  return mapConcurrent(gold, concurrency, async (item) => {
    const outcome = await orchestrator.process({ query: item.query });
    let reasoning = '';
    const candidates: Array<{ source: CompletionSource; sql: string; reasoning: string }> = [];
    if (!isErrorResponse(outcome)) {
      const generation = orchestrator.getSession(outcome.session_id)?.turns.at(-1)?.stages.query_generation?.output as GeneratedQuery | undefined;
      reasoning = outcome.reasoning;
      candidates.push({ source: 'generator', sql: outcome.sql, reasoning: outcome.reasoning });
      for (const alt of generation?.alternatives ?? []) candidates.push({ source: 'generator', sql: alt.sql, reasoning: alt.reasoning });
    }
    const all = [
      { source: 'gold' as const, sql: item.sql, reasoning },
      ...candidates,
      ...mutate(item.sql).map((m) => ({ source: m.kind, sql: m.sql, reasoning })),
    ];
    const seen = new Set<string>();
    const completions: LabelledCompletion[] = [];
    for (const c of all) {
      const key = c.sql.trim();
      if (seen.has(key)) continue;
      seen.add(key);
      const match = await executionMatch(domain.databases, item.sql, c.sql);
      completions.push({ source: c.source, sql: c.sql, text: completionText(c), correct: match.exact || match.same_results });
    }
    return { query: item.query, expected_sql: item.sql, completions };
  });
}

/** Scores every question's completions as one group under each preset and measures the separation. */
export async function measureSeparation(questions: readonly LabelledQuestion[], scorer: Scorer): Promise<SeparationReport> {
  const usable = questions.filter((q) => q.completions.length > 0);
  const flat = usable.flatMap((q) => q.completions);
  const sources: SeparationReport['sources'] = {};
  for (const c of flat) {
    const s = (sources[c.source] ??= { total: 0, wrong: 0 });
    s.total++;
    if (!c.correct) s.wrong++;
  }
  const presets = {} as Record<PresetName, Separation>;
  for (const preset of PRESETS) {
    const report = await scorer.score(usable.map((q) => ({ query: q.query, expected_sql: q.expected_sql, completions: q.completions.map((c) => c.text) })), { preset });
    const groups = report.items.map((item, i) => item.results.map((r, k) => ({ reward: r.total_reward, correct: usable[i]!.completions[k]!.correct })));
    presets[preset] = separation(groups);
  }
  const correct = flat.filter((c) => c.correct).length;
  return { questions: usable.length, completions: flat.length, correct, wrong: flat.length - correct, sources, presets };
}

/** The separation figures of scored groups of labelled completions. */
export function separation(groups: ReadonlyArray<ReadonlyArray<{ reward: number; correct: boolean }>>): Separation {
  const all = groups.flat();
  const right = all.filter((x) => x.correct).map((x) => x.reward);
  const wrong = all.filter((x) => !x.correct).map((x) => x.reward);
  let pairs = 0;
  let ordered = 0;
  for (const group of groups) {
    for (const a of group) {
      if (!a.correct) continue;
      for (const b of group) {
        if (b.correct) continue;
        pairs++;
        if (a.reward > b.reward) ordered++;
      }
    }
  }
  const mean = (xs: number[]) => (xs.length ? round4(xs.reduce((s, x) => s + x, 0) / xs.length) : null);
  return {
    auroc: auroc(right, wrong),
    pairwise: pairs > 0 ? round4(ordered / pairs) : null,
    pairs,
    max_wrong: wrong.length ? Math.max(...wrong) : null,
    min_correct: right.length ? Math.min(...right) : null,
    mean_correct: mean(right),
    mean_wrong: mean(wrong),
  };
}

/** Area under the ROC curve of the rewards (`auroc` of ./stats.ts): the chance a random correct completion outscores a random wrong one, ties counting half. */
export function auroc(positives: readonly number[], negatives: readonly number[]): number | null {
  return rocArea([...positives.map((confidence) => ({ confidence, correct: true })), ...negatives.map((confidence) => ({ confidence, correct: false }))]);
}
