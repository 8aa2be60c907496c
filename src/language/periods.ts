/**
 * Relative periods: "this year", "last quarter", "the next 90 days", "the
 * past two weeks", "yesterday", "year to date". Read into a typed period
 * first, then rendered as a half-open range of PostgreSQL date expressions
 * relative to CURRENT_DATE, so the SQL follows the day the query runs.
 */
import { readNumber } from './numbers.js';
import { singular } from './words.js';
import { dictionary } from '../dictionary.js';

export type PeriodUnit = 'day' | 'week' | 'month' | 'quarter' | 'year';

export type RelativePeriod =
  /** A whole calendar unit, counted from the current one: this year (0), last quarter (−1), next month (+1), yesterday (day −1). */
  | { kind: 'calendar'; unit: PeriodUnit; offset: number }
  /** A span of whole units ending today ("the last 90 days") or starting today ("the next 3 months"). */
  | { kind: 'rolling'; unit: PeriodUnit; count: number; direction: 'past' | 'next' }
  /** From the start of the current unit to today: "year to date", "ytd", "mtd", "qtd". */
  | { kind: 'to_date'; unit: PeriodUnit };

export interface PeriodReading {
  period: RelativePeriod;
  /** Index of the first word read ("the" included). */
  start: number;
  /** Index after the last word read. */
  end: number;
}

const UNIT_WORDS: Readonly<Record<string, PeriodUnit>> = dictionary({ day: 'day', week: 'week', month: 'month', quarter: 'quarter', year: 'year' });

const ANCHORS: Readonly<Record<string, -1 | 0 | 1>> = dictionary({
  this: 0,
  current: 0,
  last: -1,
  previous: -1,
  past: -1,
  prior: -1,
  next: 1,
  coming: 1,
  following: 1,
});

const DAYS: Readonly<Record<string, number>> = dictionary({ today: 0, yesterday: -1, tomorrow: 1 });
const TO_DATE: Readonly<Record<string, PeriodUnit>> = dictionary({ ytd: 'year', qtd: 'quarter', mtd: 'month', wtd: 'week' });

/** The unit a word names ("months" → month), or undefined. */
export function periodUnit(word: string): PeriodUnit | undefined {
  return UNIT_WORDS[singular(word)];
}

/**
 * Reads the relative period that starts at `words[at]` (lower-case words),
 * or undefined. "the last year" is the previous calendar year; "the last 12
 * months" a rolling span; "past" with no count is the previous unit, like "last".
 */
export function readPeriod(words: readonly string[], at: number): PeriodReading | undefined {
  const word = (k: number) => words[k]?.toLowerCase() ?? '';
  let i = at;
  if (word(i) === 'the') i++;
  const day = DAYS[word(i)];
  if (day !== undefined && i === at) return { period: { kind: 'calendar', unit: 'day', offset: day }, start: at, end: i + 1 };
  const toDate = TO_DATE[word(i)];
  if (toDate && i === at) return { period: { kind: 'to_date', unit: toDate }, start: at, end: i + 1 };
  const unitFirst = UNIT_WORDS[word(i)];
  if (unitFirst && word(i + 1) === 'to' && word(i + 2) === 'date') return { period: { kind: 'to_date', unit: unitFirst }, start: at, end: i + 3 };
  const anchor = ANCHORS[word(i)];
  if (anchor === undefined) return undefined;
  const count = readNumber(words, i + 1);
  if (count && !count.ordinal && Number.isInteger(count.value) && count.value > 0 && anchor !== 0) {
    const unit = periodUnit(word(count.end));
    if (unit) return { period: { kind: 'rolling', unit, count: count.value, direction: anchor < 0 ? 'past' : 'next' }, start: at, end: count.end + 1 };
    return undefined;
  }
  const unit = UNIT_WORDS[word(i + 1)];
  if (!unit) return undefined;
  return { period: { kind: 'calendar', unit, offset: anchor }, start: at, end: i + 2 };
}

function interval(n: number, unit: PeriodUnit): string {
  return unit === 'quarter' ? `INTERVAL '${3 * n} months'` : `INTERVAL '${n} ${unit}${n === 1 ? '' : 's'}'`;
}

function shift(expr: string, offset: number, unit: PeriodUnit): string {
  if (offset === 0) return expr;
  return `${expr} ${offset < 0 ? '-' : '+'} ${interval(Math.abs(offset), unit)}`;
}

/** The period as a half-open range `[from, to)` of SQL date expressions relative to CURRENT_DATE. */
export function periodSql(period: RelativePeriod): { from: string; to: string } {
  if (period.kind === 'rolling') {
    return period.direction === 'past'
      ? { from: `CURRENT_DATE - ${interval(period.count, period.unit)}`, to: 'CURRENT_DATE + 1' }
      : { from: 'CURRENT_DATE', to: `CURRENT_DATE + ${interval(period.count, period.unit)}` };
  }
  if (period.unit === 'day') {
    const dayOf = (n: number) => (n === 0 ? 'CURRENT_DATE' : `CURRENT_DATE ${n < 0 ? '-' : '+'} ${Math.abs(n)}`);
    return period.kind === 'to_date' ? { from: 'CURRENT_DATE', to: 'CURRENT_DATE + 1' } : { from: dayOf(period.offset), to: dayOf(period.offset + 1) };
  }
  const start = `date_trunc('${period.unit}', CURRENT_DATE)`;
  if (period.kind === 'to_date') return { from: start, to: 'CURRENT_DATE + 1' };
  return { from: shift(start, period.offset, period.unit), to: shift(start, period.offset + 1, period.unit) };
}
