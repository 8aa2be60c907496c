/** Reader: date phrases as conditions on the date column the question's verb names. */
import { readDate, dateConditions } from '../dates.js';
import { has, senses } from '../items.js';
import { col, type Cond } from '../query.js';
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
