/**
 * The parse state every reader works on, and the questions readers ask of it:
 * the items, which of them a reading has used, the plan being built, and the
 * tables already in play.
 */
import type { SchemaAnalysis } from '../../schema-analyzer/contract.js';
import { has, senses, isContent, plural } from './items.js';
import type { Lexicon, TableFacts } from './lexicon.js';
import { emptyPlan, type Aggregate, type Plan } from './plan.js';
import { col, mapCond, type Cond, type Expr, type OrderItem, type Query } from './query.js';
import type { Item } from './tokens.js';

export interface ParseOptions {
  /** Use this table as the subject instead of the parser's choice (alternative candidates). */
  subject?: string;
  /** Join type for "with their …" listings. */
  withJoin?: 'INNER' | 'LEFT';
  /**
   * Rankings and top-N put NULLs last. Off by default: PostgreSQL's own order
   * (NULLs first when descending) is what analysts' reference queries return.
   */
  nullsLast?: boolean;
}

export interface ParseState {
  readonly lex: Lexicon;
  readonly items: Item[];
  readonly analysis: SchemaAnalysis | undefined;
  readonly options: ParseOptions;
  /** Support of each table from every item's senses (the subject's evidence). */
  readonly support: Map<string, number>;
  /** Indices of the items the reading has used: every other content word counts against it. */
  readonly used: Set<number>;
  /** Tables tested by EXISTS / NOT EXISTS, with their subquery and the item that named them. */
  readonly existsTargets: Map<string, { query: Query; at: number }>;
  /** Superlatives already read as a ranking of the subject's rows. */
  readonly ranked: Set<number>;
  plan: Plan;
  /** The item that named the subject, -1 when it was inferred. */
  subjectAt: number;
  lastFilterAt: number;
  lastExistence: 'have' | 'without' | undefined;
  /** The question asks for top-level rows of a self-referencing table. */
  topLevel: boolean;
  /** Content words no reader used, in question order. */
  readonly unused: string[];
  /** A reading complete by itself (a UNION of lists): later readers are skipped. */
  complete?: Query;
}

export const CMP: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', ne: '<>' };
export const AGG: Record<string, string> = { sum: 'SUM', avg: 'AVG', max: 'MAX', min: 'MIN' };

/** A fresh state: the plan is empty until the subject reader names its table. */
export function createState(lex: Lexicon, items: Item[], analysis: SchemaAnalysis | undefined, options: ParseOptions): ParseState {
  const s: ParseState = {
    lex, items, analysis, options, support: new Map(), used: new Set(), existsTargets: new Map(), ranked: new Set(),
    unused: [], plan: emptyPlan(), subjectAt: -1, lastFilterAt: -2, lastExistence: undefined, topLevel: false,
  };
  tableSupport(s).forEach((v, k) => s.support.set(k, v));
  return s;
}

export function sameExpr(a: Expr, b: Expr): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The same condition over another instance of its table (inside a subquery). */
export function rekey(c: Cond, from: string, to: string): Cond {
  return mapCond(c, (e) => ((e.k === 'col' || e.k === 'tpl') && e.src === from ? { ...e, src: to } : e));
}

export function facts(s: ParseState, table: string): TableFacts {
  return s.lex.facts.get(table)!;
}

/** Score of each table from every item's senses, the analyzer's ranking as a tie-breaker. */
export function tableSupport(s: ParseState): Map<string, number> {
  const score = new Map<string, number>();
  const bump = (t: string, v: number) => score.set(t, (score.get(t) ?? 0) + v);
  for (const item of s.items) {
    const seen = new Set<string>();
    for (const sx of item.senses) {
      if (sx.kind === 'kw' || seen.has(sx.table)) continue;
      seen.add(sx.table);
      bump(sx.table, sx.kind === 'table' ? (sx.rank === 0 ? 1 : 0.6) : sx.kind === 'column' ? 0.4 / (1 + sx.rank) : 0.5);
    }
  }
  s.analysis?.relevant_tables.forEach((t, i) => {
    const name = s.lex.catalog.table(t.table_name)?.name;
    if (name) bump(name, 0.05 / (i + 1));
  });
  return score;
}

/** The table an item names, choosing among its table senses by the rest of the question. */
export function tableOf(s: ParseState, item: Item, support: Map<string, number>, avoid?: string): string | undefined {
  const all = senses(item, 'table');
  // A table named beside the subject ("companies without supplier properties") is another one when it can be.
  const tables = avoid && all.some((t) => t.table !== avoid) ? all.filter((t) => t.table !== avoid) : all;
  if (tables.length === 0) return undefined;
  let best = tables[0];
  let bestScore = -Infinity;
  for (const t of tables) {
    const own = item.senses.some((x) => x.kind !== 'kw' && x.kind !== 'table' && x.table === t.table) ? 0.5 : 0;
    const others = (support.get(t.table) ?? 0) - (t.rank === 0 ? 1 : 0.6) - own;
    const sx = others + (t.rank === 0 ? 0.5 : 0) - 0.1 * t.rank;
    if (sx > bestScore) {
      bestScore = sx;
      best = t;
    }
  }
  return best.table;
}

export function isTableItem(s: ParseState, item: Item | undefined): boolean {
  if (!item || senses(item, 'table').length === 0) return false;
  // A phrase that is also a value, filter or measure reads as that ("allocation" the column stays a table word).
  return !item.senses.some((sx) => sx.kind === 'value' || sx.kind === 'measure' || (sx.kind === 'filter'));
}


export function anyTableBefore(s: ParseState, i: number): boolean {
  for (let j = 0; j < i; j++) if (isTableItem(s, s.items[j])) return true;
  return false;
}

export function prevContent(s: ParseState, i: number): Item | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const it = s.items[j];
    if (has(it, 'all') && !isContent(it)) continue;
    return it;
  }
  return undefined;
}

/** Tables already part of the query. */
export function inPlay(s: ParseState): string[] {
  return [s.plan.subject, ...s.plan.joins.keys()];
}

export function next(s: ParseState, i: number, skip: (it: Item) => boolean = () => false): number {
  let j = i + 1;
  while (j < s.items.length && (skip(s.items[j]) || (!isContent(s.items[j]) && has(s.items[j], 'all')))) j++;
  return j;
}

export function addAggregate(s: ParseState, a: Aggregate): void {
  if (!s.plan.aggregates.some((x) => x.alias === a.alias)) s.plan.aggregates.push(a);
}

export function addOrder(s: ParseState, o: OrderItem): void {
  if (!s.plan.orderBy.some((x) => sameExpr(x.expr, o.expr))) s.plan.orderBy.push(o);
}

/** The subject's own word comes before position i ("companies and their number of …"). */
export function subjectBefore(s: ParseState, i: number): boolean {
  return s.items.slice(0, i).some((it) => isTableItem(s, it) && senses(it, 'table').some((sx) => sx.table === s.plan.subject));
}

export function singularSubject(s: ParseState): boolean {
  const item = s.items.find((it) => isTableItem(s, it) && senses(it, 'table').some((sx) => sx.table === s.plan.subject));
  return item !== undefined && !plural(item);
}
