import { describe, expect, it } from 'vitest';
import { periodSql, readPeriod } from '../../src/language/periods.js';

const read = (text: string) => readPeriod(text.split(' '), 0);

describe('relative periods', () => {
  it('reads calendar units relative to the current one', () => {
    expect(read('this year')?.period).toEqual({ kind: 'calendar', unit: 'year', offset: 0 });
    expect(read('last quarter')?.period).toEqual({ kind: 'calendar', unit: 'quarter', offset: -1 });
    expect(read('the previous month')).toEqual({ period: { kind: 'calendar', unit: 'month', offset: -1 }, start: 0, end: 3 });
    expect(read('next week')?.period).toEqual({ kind: 'calendar', unit: 'week', offset: 1 });
    expect(read('yesterday')?.period).toEqual({ kind: 'calendar', unit: 'day', offset: -1 });
  });
  it('reads rolling spans with counts in digits or words', () => {
    expect(read('the next 90 days')).toEqual({ period: { kind: 'rolling', unit: 'day', count: 90, direction: 'next' }, start: 0, end: 4 });
    expect(read('the past two weeks')?.period).toEqual({ kind: 'rolling', unit: 'week', count: 2, direction: 'past' });
    expect(read('last 12 months')?.period).toEqual({ kind: 'rolling', unit: 'month', count: 12, direction: 'past' });
  });
  it('reads to-date periods', () => {
    expect(read('year to date')?.period).toEqual({ kind: 'to_date', unit: 'year' });
    expect(read('ytd')?.period).toEqual({ kind: 'to_date', unit: 'year' });
  });
  it('reads nothing where no period starts', () => {
    expect(read('last name')).toBeUndefined();
    expect(read('the last 3 singers')).toBeUndefined();
    expect(read('the year')).toBeUndefined();
  });
  it('renders half-open SQL ranges relative to CURRENT_DATE', () => {
    expect(periodSql({ kind: 'calendar', unit: 'quarter', offset: -1 })).toEqual({
      from: "date_trunc('quarter', CURRENT_DATE) - INTERVAL '3 months'",
      to: "date_trunc('quarter', CURRENT_DATE)",
    });
    expect(periodSql({ kind: 'calendar', unit: 'year', offset: 0 })).toEqual({
      from: "date_trunc('year', CURRENT_DATE)",
      to: "date_trunc('year', CURRENT_DATE) + INTERVAL '1 year'",
    });
    expect(periodSql({ kind: 'rolling', unit: 'day', count: 90, direction: 'next' })).toEqual({ from: 'CURRENT_DATE', to: "CURRENT_DATE + INTERVAL '90 days'" });
    expect(periodSql({ kind: 'rolling', unit: 'month', count: 3, direction: 'past' })).toEqual({ from: "CURRENT_DATE - INTERVAL '3 months'", to: 'CURRENT_DATE + 1' });
    expect(periodSql({ kind: 'calendar', unit: 'day', offset: -1 })).toEqual({ from: 'CURRENT_DATE - 1', to: 'CURRENT_DATE' });
    expect(periodSql({ kind: 'to_date', unit: 'year' })).toEqual({ from: "date_trunc('year', CURRENT_DATE)", to: 'CURRENT_DATE + 1' });
  });
});
