/** Reader: date phrases as conditions on the date column the question's verb names. */
import { readDate, dateConditions } from '../dates.js';
import { has, isContent, senses } from '../items.js';
import { col, lit, type Cond, type Expr } from '../query.js';
import { dateColumnFor } from '../resolve.js';
import type { ParseState } from '../state.js';

export function readDates(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    if (s.used.has(i)) continue;
    const prev = s.items[i - 1];
    const d = readDate(s.items, i, s.lex);
    if (!d && has(s.items[i], 'start', 'end') && has(prev, 'neg') && !readDate(s.items, i + 1, s.lex)) {
      // "not started yet": the start lies ahead; "not ended": no end date, or one still ahead.
      const target = dateColumnFor(s, i + 1);
      const e = col(target.table, target.column);
      const ahead: Cond = { k: 'cmp', op: '>', left: e, right: { k: 'sql', text: 'CURRENT_DATE' } };
      s.plan.where.push(has(s.items[i], 'start') ? ahead : { k: 'or', items: [{ k: 'null', arg: e, negated: false }, ahead] });
      [i - 1, i].forEach((k) => s.used.add(k));
      s.plan.steps.push(`Not yet ${has(s.items[i], 'start') ? 'started' : 'ended'}: ${target.column} after today.`);
      continue;
    }
    if (!d && has(s.items[i], 'past', 'future') && !senses(s.items[i], 'filter').length) {
      // "whose end date has passed", "upcoming contracts": before or after today.
      const target = dateColumnFor(s, i);
      const past = has(s.items[i], 'past');
      s.plan.where.push({ k: 'cmp', op: past ? '<' : '>=', left: col(target.table, target.column), right: { k: 'sql', text: 'CURRENT_DATE' } });
      s.used.add(i);
      s.plan.steps.push(`${target.column} ${past ? 'before' : 'from'} today.`);
      continue;
    }
    if (!d) continue;
    if (has(prev, 'gt', 'gte', 'lt', 'lte') && !has(prev, 'in')) {
      i += d.span - 1;
      continue;
    }
    const target = dateColumnFor(s, i);
    const e = col(target.table, target.column);
    if (target.year && d.value.kind === 'year') {
      yearCondition(s, i, e, d.value.year);
      continue;
    }
    const conds = dateConditions(e, d.value, 'in');
    if (s.items.some((it) => has(it, 'expiring')) && d.value.kind !== 'relative') {
      conds.push({ k: 'cmp', op: '>=', left: e, right: { k: 'sql', text: 'CURRENT_DATE' } });
    }
    s.plan.where.push(...conds);
    for (let k = i; k < i + d.span; k++) s.used.add(k);
    if (has(prev, 'in', 'since', 'from')) s.used.add(i - 1);
    s.plan.steps.push(`Date "${s.items.slice(i, i + d.span).map((x) => x.text).join(' ')}" on ${target.table}.${target.column}.`);
    i += d.span - 1;
  }
}

/** "in 2014", "in the year of 1970", "in 2014 or 2015" on a column holding years as numbers. */
function yearCondition(s: ParseState, i: number, e: Expr, year: number): void {
  s.used.add(i);
  for (let k = i - 1; k >= Math.max(0, i - 3); k--) {
    const word = s.lex.grammar.units[s.items[k].text.toLowerCase()] === 'year';
    if (!word && isContent(s.items[k])) break;
    if (word || has(s.items[k], 'in', 'or')) s.used.add(k);
  }
  const last = s.plan.where.at(-1);
  const same = (x: Expr) => x.k === 'col' && e.k === 'col' && x.src === e.src && x.column === e.column;
  if (has(s.items[i - 1], 'or') && last) {
    if (last.k === 'cmp' && last.op === '=' && same(last.left)) {
      s.plan.where[s.plan.where.length - 1] = { k: 'in', arg: e, values: [last.right, lit(year)], negated: false };
      return;
    }
    if (last.k === 'in' && same(last.arg)) {
      last.values.push(lit(year));
      return;
    }
  }
  s.plan.where.push({ k: 'cmp', op: '=', left: e, right: lit(year) });
  s.plan.steps.push(`Year ${year} on ${e.k === 'col' ? e.column : 'the year column'}.`);
}
