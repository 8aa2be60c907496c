/** Reader: superlatives over the subject's own rows ("the 10 largest contracts"). */
import { has, senses, plural } from '../items.js';
import { aliasName, col, type Expr } from '../query.js';
import { pickColumn, operandAt, relatedCount, mainAmount } from '../resolve.js';
import { AGG, isTableItem, next, addOrder, type ParseState } from '../state.js';

/** Superlatives over the subject's own rows, read before anything else claims their words. */
export function readRankings(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (!has(it, 'most', 'least') || has(it, 'recent', 'oldest', 'previous')) continue;
    let j = next(s, i);
    let n: number | undefined;
    const before = s.items[i - 1];
    if (before?.kind === 'num') n = before.num;
    if (s.items[j]?.kind === 'num') {
      n = s.items[j].num;
      s.used.add(j);
      j++;
    }
    const target = s.items[j];
    if (!target || !isTableItem(s, target) || !senses(target, 'table').some((sx) => sx.table === s.plan.subject)) continue;
    if (s.plan.subject && !has(s.items[j + 1], 'group') && pickColumn(s, s.items[j + 1])) continue;
    s.used.add(i);
    s.ranked.add(i);
    if (before?.kind === 'num') s.used.add(i - 1);
    rankSubject(s, j, has(it, 'most') && !has(it, 'least'), n ?? (plural(target) ? undefined : 1));
  }
}

/**
 * "the 10 largest contracts", "top 5 companies by total contract value": the
 * subject's rows ranked by the measure after "by", else by its main amount.
 */
export function rankSubject(s: ParseState, j: number, desc: boolean, n: number | undefined): void {
  const sx = s.plan.subject;
  let expr: Expr | undefined;
  let label = '';
  if (has(s.items[j + 1], 'group')) {
    const k = next(s, j + 1);
    const aggKw = Object.keys(AGG).find((x) => has(s.items[k], x));
    const countKw = has(s.items[k], 'count');
    const operand = operandAt(s, aggKw || countKw ? next(s, k) : k);
    const counted = countKw ? s.items[next(s, k)] : undefined;
    if (countKw && counted && isTableItem(s, counted)) {
      const table = senses(counted, 'table')[0].table;
      expr = relatedCount(s, table);
      label = `${table.split('_').at(-1)}_count`;
      [j + 1, k, next(s, k)].forEach((x) => s.used.add(x));
    } else if (operand?.column) {
      const c = operand.column;
      expr = c.table === sx ? col(sx, c.column) : relatedCount(s, c.table, AGG[aggKw ?? 'sum'], c.column);
      label = c.table === sx ? c.column : `${aggKw === 'avg' ? 'avg' : 'total'}_${c.column}`;
      [j + 1, k, operand.at].forEach((x) => s.used.add(x));
    } else if (operand?.measure) {
      expr = operand.measure.expr;
      label = operand.measure.label;
      [j + 1, k, operand.at].forEach((x) => s.used.add(x));
    }
  }
  if (!expr) {
    const main = mainAmount(s, sx);
    if (!main) return;
    expr = col(sx, main);
    label = main;
  }
  if (expr.k !== 'col') s.plan.computed.push({ expr, alias: aliasName(label) });
  addOrder(s, { expr: expr.k === 'col' ? expr : { k: 'sql', text: aliasName(label) }, desc, nullsLast: s.options.nullsLast });
  if (n !== undefined) s.plan.limit = n;
  s.plan.steps.push(`Rank ${sx} rows by ${label} ${desc ? 'descending' : 'ascending'}${n ? `, keep ${n}` : ''}.`);
}
