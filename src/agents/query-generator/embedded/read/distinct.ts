/** Reader: DISTINCT listings ("distinct departments"). */
import { has, senses } from '../items.js';
import { col, type Expr } from '../query.js';
import { pickColumn, ensure, operandAt } from '../resolve.js';
import { isTableItem, next, type ParseState } from '../state.js';

export function readDistinct(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    if (!has(s.items[i], 'distinct') || has(s.items[i], 'count') || has(s.items[i - 1], 'count')) continue;
    const cols: Expr[] = [];
    const startAt = operandAt(s, next(s, i))?.at ?? next(s, i);
    for (let j = startAt; j < s.items.length; j++) {
      const c = pickColumn(s, s.items[j]);
      if (c && (!isTableItem(s, s.items[j]) || senses(s.items[j], 'column').length)) {
        const table = isTableItem(s, s.items[j]) && cols.length ? undefined : c;
        if (!table) break;
        ensure(s, c.table);
        cols.push(col(c.table, c.column));
        s.used.add(j);
        if (!has(s.items[j + 1], 'and')) break;
        j++;
      } else break;
    }
    if (cols.length) {
      s.plan.distinct = cols;
      s.used.add(i);
      s.plan.steps.push(`DISTINCT ${cols.map((c) => (c.k === 'col' ? c.column : '')).join(', ')}.`);
    }
  }
}
