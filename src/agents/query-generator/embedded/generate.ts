/**
 * The embedded generator as a pure function: question + analysis → SQL with
 * its reasoning, confidence and ranked alternatives. Every SQL text it
 * returns has passed the read-only gate. Write requests never reach it: the
 * orchestrator's screening refuses them and cuts off text appended to act as
 * a second instruction (which the generator only mentions, as `dropped`).
 */
import type { SchemaAnalysis } from '../../schema-analyzer/contract.js';
import type { ValidationIssue } from '../../validator/contract.js';
import type { Candidate } from '../contract.js';
import { checkReadOnly } from '../../../sql/safety.js';
import type { Lexicon } from './lexicon.js';
import { parseItems, type ParseOptions, type ParseOutcome } from './parse.js';
import { describeQuery, emptyQuery, renderQuery, type Query } from './query.js';
import { annotate, tokenize, type Item } from './tokens.js';

export interface GenerateOptions {
  numCandidates?: number;
  attempt?: number;
  feedback?: ValidationIssue[];
  /** Rankings and top-N put NULLs last (see ParseOptions.nullsLast). */
  nullsLast?: boolean;
  /** Text the orchestrator's screening cut off the question: mentioned, and it lowers the confidence. */
  dropped?: string[];
}

export interface Generation {
  sql: string;
  reasoning: string;
  confidence: number;
  alternatives: Candidate[];
  /** The table each reading lists from (the answer first, then each alternative), for the data check. */
  roots: string[];
}

interface Ranked extends Candidate {
  query: Query;
  steps: string[];
}

function reasoningText(steps: string[]): string {
  return `<think>\n${steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}\n</think>`;
}

/** Each guess and each content word the reading could not use lowers the confidence. */
function confidenceOf(outcome: ParseOutcome, penalty: number): number {
  const c = 0.92 - 0.12 * outcome.guesses.length - 0.15 * outcome.unused.length - penalty;
  return Math.round(Math.min(0.95, Math.max(0.05, c)) * 100) / 100;
}

/** Identifier-like words of a validator message or suggestion ("column \"Budgt\" … did you mean Budget?"). */
function identifiers(text: string): string[] {
  return [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => m[0]);
}

/** Replaces a column the validator named as wrong by the column its suggestion names, where that column exists. */
function applyFeedback(query: Query, feedback: ValidationIssue[], lex: Lexicon): { query: Query; fixes: string[] } {
  const fixed = structuredClone(query);
  const refs: Array<{ src: string; column: string }> = [];
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (o.k === 'col') refs.push(o as unknown as { src: string; column: string });
      Object.values(o).forEach(visit);
    }
  };
  visit(fixed);
  const fixes: string[] = [];
  for (const issue of feedback) {
    if (!issue.suggestion) continue;
    const named = new Set(identifiers(issue.message).map((w) => w.toLowerCase()));
    for (const ref of refs) {
      if (!named.has(ref.column.toLowerCase())) continue;
      const table = ref.src.split('#')[0];
      const replacement = identifiers(issue.suggestion).map((w) => lex.catalog.column(table, w)).find((c) => c && c.name !== ref.column);
      if (!replacement) continue;
      fixes.push(`Validator feedback: ${table}.${ref.column} replaced by ${replacement.name}.`);
      ref.column = replacement.name;
    }
  }
  return { query: fixed, fixes };
}

/** A query that passes the gate, else the subject's plain listing (which always does). */
function safeSql(query: Query, subject: string): { sql: string; fallback: boolean } {
  const sql = renderQuery(query);
  if (checkReadOnly(sql).ok) return { sql, fallback: false };
  const plain = emptyQuery({ table: subject, key: subject });
  return { sql: renderQuery(plain), fallback: true };
}

function sameQuery(a: Query, b: Query): boolean {
  return renderQuery(a) === renderQuery(b);
}

/** Tables worth trying as another subject: other tables the question's words point at. */
function otherSubjects(outcome: ParseOutcome, analysis: SchemaAnalysis | undefined, lex: Lexicon): string[] {
  const names = (analysis?.relevant_tables ?? []).map((t) => lex.catalog.table(t.table_name)?.name).filter((t): t is string => t !== undefined);
  return names.filter((t) => t !== outcome.subject);
}

/** A parse that cannot fail: an unexpected error gives the most relevant table's listing, flagged as a guess. */
function safeParse(lex: Lexicon, items: Item[], analysis: SchemaAnalysis | undefined, options: ParseOptions): ParseOutcome {
  try {
    return parseItems(lex, items, analysis, options);
  } catch (err) {
    const named = analysis?.relevant_tables[0]?.table_name;
    const subject = (named && lex.catalog.table(named)?.name) ?? lex.catalog.tables[0].name;
    return {
      query: emptyQuery({ table: subject, key: subject }),
      subject,
      steps: [`The question could not be parsed (${(err as Error).message}); listing ${subject}, the most relevant table.`],
      guesses: ['no parse', 'table from the analysis only'],
      unused: [],
    };
  }
}

export function generateEmbedded(question: string, lex: Lexicon, analysis: SchemaAnalysis | undefined, options: GenerateOptions = {}): Generation {
  const dropped = options.dropped ?? [];
  const items = annotate(tokenize(question, lex), lex);
  const penalty = dropped.length ? 0.15 : 0;
  const preface = dropped.length ? [`Ignored text appended to the question: ${dropped.map((d) => JSON.stringify(d.slice(0, 60))).join(', ')}.`] : [];

  const candidates: Ranked[] = [];
  const push = (outcome: ParseOutcome, extraPenalty: number, note?: string) => {
    const { sql, fallback } = safeSql(outcome.query, outcome.subject);
    if (candidates.some((c) => c.sql === sql)) return;
    const steps = [
      ...preface, ...outcome.steps, ...(note ? [note] : []),
      ...(fallback ? ['The parse did not render to a safe query; listing the subject instead.'] : [describeQuery(outcome.query)]),
      ...(outcome.guesses.length ? [`Guesses: ${outcome.guesses.join('; ')}.`] : []),
    ];
    candidates.push({ sql, query: outcome.query, steps, reasoning: reasoningText(steps), confidence: confidenceOf(outcome, penalty + extraPenalty + (fallback ? 0.4 : 0)) });
  };

  const base: ParseOptions = { nullsLast: options.nullsLast };
  const primary = safeParse(lex, items, analysis, base);
  push(primary, 0);
  const wanted = Math.max(1, options.numCandidates ?? 1) + (options.attempt ?? 0);
  if (wanted > candidates.length) {
    const variants: Array<[ParseOptions, string]> = [
      [{ withJoin: 'LEFT' }, 'Variant: LEFT JOIN keeps rows without a match.'],
      [{ nullsLast: !options.nullsLast }, `Variant: NULLs ${options.nullsLast ? 'in PostgreSQL order' : 'last'} when ranking.`],
    ];
    for (const t of otherSubjects(primary, analysis, lex)) variants.push([{ subject: t }, `Variant: ${t} as the subject.`]);
    for (const [opts, note] of variants) {
      if (candidates.length >= wanted) break;
      const outcome = safeParse(lex, items, analysis, { ...base, ...opts });
      if (sameQuery(outcome.query, primary.query)) continue;
      push(outcome, 0.2 + 0.05 * candidates.length, note);
    }
  }

  const attempt = options.attempt ?? 0;
  let chosen = candidates[Math.min(attempt, candidates.length - 1)];
  if (attempt > 0 && options.feedback?.length) {
    const { query, fixes } = applyFeedback(chosen.query, options.feedback, lex);
    if (fixes.length) {
      const { sql } = safeSql(query, primary.subject);
      const steps = [...chosen.steps, ...fixes, describeQuery(query)];
      chosen = { ...chosen, sql, query, steps, reasoning: reasoningText(steps) };
    }
  }
  const others = candidates.filter((c) => c !== candidates[Math.min(attempt, candidates.length - 1)])
    .slice(0, Math.max(0, (options.numCandidates ?? 1) - 1));
  const alternatives = others.map(({ sql, reasoning, confidence }) => ({ sql, reasoning, confidence }));
  const roots = [chosen, ...others].map((c) => c.query.from.table);
  return { sql: chosen.sql, reasoning: chosen.reasoning, confidence: chosen.confidence, alternatives, roots };
}

