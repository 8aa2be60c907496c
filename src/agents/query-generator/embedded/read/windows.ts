/** Reader: window functions — rank within the answer, running totals. */
import { has } from '../items.js';
import { aliasName, col } from '../query.js';
import { pickColumn, pickMeasure, ensure, operandAt, dateColumnFor, perRowAmount } from '../resolve.js';
import { next, type ParseState } from '../state.js';

export function readWindows(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (has(it, 'rank') && !s.used.has(i)) {
      let j = next(s, i);
      while (j < s.items.length && !has(s.items[j], 'group', 'order')) j++;
      const target = s.items[next(s, j)];
      const m = pickMeasure(s, target);
      const c = m ? undefined : pickColumn(s, target);
      if (!m && !c) continue;
      const expr = m ? m.expr : perRowAmount(s, c!);
      const asc = s.items.some((x) => has(x, 'asc', 'least'));
      s.plan.computed.push({ expr: { k: 'fn', name: 'RANK', args: [], over: { order: [{ expr, desc: !asc, nullsLast: s.options.nullsLast }] } }, alias: 'rank_position' });
      if (m) s.plan.computed.push({ expr, alias: aliasName(m.label) });
      [i, j, next(s, j)].forEach((k) => s.used.add(k));
      s.plan.steps.push(`Window: RANK() over ${m ? m.label : c!.column} ${asc ? 'ascending' : 'descending'}.`);
    }
    if (has(it, 'running') && (has(it, 'sum') || it.text.toLowerCase().includes('total') || it.text.toLowerCase().includes('cumulative'))) {
      const operand = operandAt(s, next(s, i));
      const c = operand?.column;
      if (!operand || !c) continue;
      const j = operand.at;
      const d = dateColumnFor(s, i, c.table);
      ensure(s, c.table);
      s.plan.computed.push({
        expr: { k: 'fn', name: 'SUM', args: [col(c.table, c.column)], over: { order: [{ expr: col(d.table, d.column), desc: false }] } },
        alias: 'running_total',
      });
      [i, j].forEach((k) => s.used.add(k));
      s.plan.steps.push(`Window: running SUM(${c.column}) ordered by ${d.column}.`);
    }
  }
}
