/** Reader: arithmetic between columns (ratios, differences) and NULL fallbacks ("budget or zero"). */
import { has, senses, isContent } from '../items.js';
import { aliasName, col, lit, type Expr } from '../query.js';
import { pickColumn, ensure, operandAt } from '../resolve.js';
import { isTableItem, next, addAggregate, type ParseState } from '../state.js';

/** "ratio of revenue to budget", "difference between budget and actual cost": arithmetic on two columns. */
export function readTwoColumnMeasures(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    const ratio = has(it, 'ratio');
    if (s.used.has(i) || (!ratio && !has(it, 'difference'))) continue;
    const a = operandAt(s, next(s, i));
    if (!a?.column) continue;
    let k = a.at + 1;
    if (has(s.items[k], 'and', 'in', 'eq') && !isContent(s.items[k])) k++;
    const b = operandAt(s, k);
    if (!b?.column) continue;
    const left = col(a.column.table, a.column.column);
    const right = col(b.column.table, b.column.column);
    const expr: Expr = ratio
      ? { k: 'bin', op: '/', left, right: { k: 'fn', name: 'NULLIF', args: [right, lit(0)] } }
      : { k: 'bin', op: '-', left, right };
    const alias = aliasName(`${a.column.column}_${ratio ? 'to' : 'minus'}_${b.column.column}`);
    [i, a.at, b.at, k - 1].forEach((x) => s.used.add(x));
    ensure(s, a.column.table);
    ensure(s, b.column.table);
    const grouped = s.items.some((x, g) => has(x, 'group') && !senses(s.items[next(s, g)], 'table').some((t) => t.table === s.plan.subject));
    if (grouped) addAggregate(s, { fn: ratio ? 'AVG' : 'SUM', arg: expr, alias });
    else s.plan.computed.push({ expr, alias });
    s.plan.steps.push(`${ratio ? 'Ratio' : 'Difference'} of ${a.column.column} and ${b.column.column}.`);
  }
}

/** "budget or zero": a missing value shown as zero. */
export function readDefaults(s: ParseState): void {
  for (let i = 0; i + 2 < s.items.length; i++) {
    const c = pickColumn(s, s.items[i]);
    const zero = s.items[i + 2];
    if (!c || isTableItem(s, s.items[i]) || !has(s.items[i + 1], 'or') || zero.kind !== 'num' || zero.num !== 0) continue;
    ensure(s, c.table);
    s.plan.computed.push({ expr: { k: 'fn', name: 'COALESCE', args: [col(c.table, c.column), lit(0)] }, alias: aliasName(`${c.column}_or_zero`) });
    [i, i + 1, i + 2].forEach((k) => s.used.add(k));
    s.plan.steps.push(`${c.column} with missing values shown as 0 (COALESCE).`);
  }
}
