/**
 * Readings checked on data before the answer is chosen: a reading the
 * database's planner rejects (EXPLAIN fails), or one that returns no rows
 * while another reading returns some, is demoted below those that run, with
 * the reason in its reasoning and a lower confidence. The order of the rest
 * is kept: the parser's ranking still decides among readings that run.
 */
import type { Candidate } from '../contract.js';
import type { Generation } from './generate.js';

export interface DataCheck {
  /** The planner's verdict: resolves when the statement plans, rejects with the database's message. */
  explain(sql: string, signal?: AbortSignal): Promise<unknown>;
  /** At most `rowLimit` rows of the statement's result. */
  query?(sql: string, options: { rowLimit: number; signal?: AbortSignal }): Promise<{ rows: unknown[] }>;
}

type Verdict = { runs: true; rows?: number } | { runs: false; reason: string };

async function verdictOf(sql: string, check: DataCheck, signal?: AbortSignal): Promise<Verdict> {
  try {
    await check.explain(sql, signal);
  } catch (err) {
    return { runs: false, reason: (err as Error).message };
  }
  if (!check.query) return { runs: true };
  try {
    return { runs: true, rows: (await check.query(sql, { rowLimit: 1, signal })).rows.length };
  } catch (err) {
    return { runs: false, reason: (err as Error).message };
  }
}

function note(c: Candidate, text: string, factor: number): Candidate {
  const reasoning = c.reasoning.replace(/\n<\/think>$/, `\n- ${text}\n</think>`);
  return { ...c, reasoning, confidence: Math.round(c.confidence * factor * 100) / 100 };
}

/**
 * The generation's readings re-ranked by the data: those that run and return
 * rows first, then those that run with no rows, then those that fail.
 * `keep` alternatives are returned (the caller's num_candidates - 1).
 */
export async function rankOnData(generation: Generation, check: DataCheck, keep: number, signal?: AbortSignal): Promise<Omit<Generation, 'roots'>> {
  const readings: Candidate[] = [{ sql: generation.sql, reasoning: generation.reasoning, confidence: generation.confidence }, ...generation.alternatives];
  const verdicts = await Promise.all(readings.map((r) => verdictOf(r.sql, check, signal)));
  const withRows = new Set(verdicts.flatMap((v, i) => (v.runs && v.rows !== 0 ? [generation.roots[i]] : [])));
  const tier = (v: Verdict, i: number) => (!v.runs ? 2 : v.rows === 0 && withRows.has(generation.roots[i]) ? 1 : 0);
  const ranked = readings
    .map((r, i) => ({ r, v: verdicts[i], i, t: tier(verdicts[i], i) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ r, v, t }) => (!v.runs ? note(r, `Demoted: the database rejects this reading (${v.reason.slice(0, 200)}).`, 0.3)
      : t === 1 ? note(r, 'Demoted: this reading returns no rows on the data while another returns some.', 0.6) : r));
  const [first, ...rest] = ranked;
  const moved = first.sql !== generation.sql;
  const chosen = moved ? note(first, 'Chosen over the first reading, which the data check demoted.', 1) : first;
  return { sql: chosen.sql, reasoning: chosen.reasoning, confidence: chosen.confidence, alternatives: rest.slice(0, Math.max(0, keep)) };
}
