/**
 * Date phrases and the periods they name: "2024", "March 2024", "this year",
 * "last 3 months", "next quarter", and the conditions that put a date column
 * in, before or after such a period.
 */
import type { Lexicon } from './lexicon.js';
import { lit, type Cond, type Expr } from './query.js';
import { has } from './items.js';
import type { Item } from './tokens.js';

export type DateValue =
  | { kind: 'point'; iso: string; endIso: string }
  | { kind: 'year'; year: number }
  | { kind: 'month'; year: number; month: number }
  | { kind: 'this'; unit: string }
  | { kind: 'relative'; n: number; unit: string; future: boolean }
  | { kind: 'today' };

export type DateOp = 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'ne';

const pad = (n: number) => String(n).padStart(2, '0');

/** Reads a date phrase starting at `i`: "2024", "March 2024", "this year", "last 3 months", "next quarter". */
export function readDate(items: Item[], i: number, lex: Lexicon): { value: DateValue; span: number } | undefined {
  const it = items[i];
  if (!it) return undefined;
  const unitOf = (x: Item | undefined) => (x ? lex.grammar.units[x.text.toLowerCase()] ?? lex.grammar.units[x.text.toLowerCase().replace(/s$/, '')] : undefined);
  const monthOf = (x: Item | undefined) => (x && (x.kind === 'unknown' || x.kind === 'phrase') ? lex.grammar.months[x.text.toLowerCase()] : undefined);
  if (it.kind === 'num' && it.year) return { value: { kind: 'year', year: it.num! }, span: 1 };
  if (it.kind === 'date') return { value: { kind: 'point', iso: it.text, endIso: it.text }, span: 1 };
  const month = monthOf(it);
  if (month !== undefined && items[i + 1]?.kind === 'num' && items[i + 1].year) {
    return { value: { kind: 'month', year: items[i + 1].num!, month }, span: 2 };
  }
  if (has(it, 'today') && it.text.toLowerCase() === 'today') return { value: { kind: 'today' }, span: 1 };
  if (has(it, 'this')) {
    const u = unitOf(items[i + 1]);
    if (u) return { value: { kind: 'this', unit: u }, span: 2 };
  }
  // "within 30 days": ahead when the question is about expiring or coming things, else behind.
  const within = it.text.toLowerCase() === 'within' && items[i + 1]?.kind === 'num';
  if (has(it, 'previous', 'next', 'recent') || within) {
    const future = within ? items.some((x) => has(x, 'expiring', 'next', 'future')) : has(it, 'next') && !has(it, 'previous');
    const n = items[i + 1]?.kind === 'num' ? items[i + 1].num! : undefined;
    const u = unitOf(items[i + (n !== undefined ? 2 : 1)]);
    if (u) return { value: { kind: 'relative', n: n ?? 1, unit: u, future }, span: n !== undefined ? 3 : 2 };
  }
  return undefined;
}

export function describeDate(v: DateValue): string {
  switch (v.kind) {
    case 'point':
      return v.iso;
    case 'year':
      return String(v.year);
    case 'month':
      return `${v.year}-${pad(v.month)}`;
    case 'this':
      return `this ${v.unit}`;
    case 'relative':
      return `${v.future ? 'next' : 'last'} ${v.n} ${v.unit}(s)`;
    case 'today':
      return 'today';
  }
}

function firstDay(v: DateValue): string | undefined {
  if (v.kind === 'year') return `${v.year}-01-01`;
  if (v.kind === 'month') return `${v.year}-${pad(v.month)}-01`;
  if (v.kind === 'point') return v.iso;
  return undefined;
}

function dayAfter(v: DateValue): string | undefined {
  if (v.kind === 'year') return `${v.year + 1}-01-01`;
  if (v.kind === 'month') return v.month === 12 ? `${v.year + 1}-01-01` : `${v.year}-${pad(v.month + 1)}-01`;
  if (v.kind === 'point') return v.endIso;
  return undefined;
}

const CURRENT: Expr = { k: 'sql', text: 'CURRENT_DATE' };
const interval = (n: number, unit: string): Expr => ({ k: 'sql', text: `INTERVAL '${n * (unit === 'quarter' ? 3 : 1)} ${unit === 'quarter' ? 'month' : unit}s'` });

/** The conditions that put a date column in (or before, after) a period. */
export function dateConditions(e: Expr, v: DateValue, op: DateOp): Cond[] {
  const date = (iso: string): Expr => ({ k: 'sql', text: `DATE ${`'${iso}'`}` });
  if (v.kind === 'relative') {
    const bound: Expr = { k: 'bin', op: v.future ? '+' : '-', left: CURRENT, right: interval(v.n, v.unit) };
    return v.future
      ? [{ k: 'cmp', op: '>=', left: e, right: CURRENT }, { k: 'cmp', op: '<=', left: e, right: bound }]
      : [{ k: 'cmp', op: '>=', left: e, right: bound }];
  }
  if (v.kind === 'this') {
    const part = (f: string): Cond => ({ k: 'cmp', op: '=', left: { k: 'extract', field: f, arg: e }, right: { k: 'extract', field: f, arg: CURRENT } });
    if (v.unit === 'year') return [part('YEAR')];
    if (v.unit === 'month') return [part('MONTH'), part('YEAR')];
    if (v.unit === 'quarter') return [part('QUARTER'), part('YEAR')];
    if (v.unit === 'week') return [part('WEEK'), part('YEAR')];
    return [{ k: 'cmp', op: '=', left: e, right: CURRENT }];
  }
  if (v.kind === 'today') {
    const map: Record<DateOp, string> = { in: '=', eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
    return [{ k: 'cmp', op: map[op], left: e, right: CURRENT }];
  }
  const start = firstDay(v)!;
  const end = dayAfter(v)!;
  switch (op) {
    case 'gt':
      return [{ k: 'cmp', op: '>', left: e, right: date(start) }];
    case 'gte':
      return [{ k: 'cmp', op: '>=', left: e, right: date(start) }];
    case 'lt':
      return [{ k: 'cmp', op: '<', left: e, right: date(start) }];
    case 'lte':
      return [{ k: 'cmp', op: '<', left: e, right: date(end) }];
    case 'ne':
      return [{ k: 'or', items: [{ k: 'cmp', op: '<', left: e, right: date(start) }, { k: 'cmp', op: '>=', left: e, right: date(end) }] }];
    default:
      if (v.kind === 'year') return [{ k: 'cmp', op: '=', left: { k: 'extract', field: 'YEAR', arg: e }, right: lit(v.year) }];
      return [{ k: 'cmp', op: '>=', left: e, right: date(start) }, { k: 'cmp', op: '<', left: e, right: date(end) }];
  }
}
