/** Reader: shares of a total ("what percentage of projects are completed"). */
import { has } from '../items.js';
import { aliasName, col, lit, type Cond, type Expr } from '../query.js';
import { operandAt } from '../resolve.js';
import { next, addAggregate, type ParseState } from '../state.js';

/** "What percentage of projects are completed": the share of rows (or of a total) meeting the conditions. */
export function readPercentage(s: ParseState): void {
  const at = s.items.findIndex((it) => has(it, 'percent') && !has(it, 'percent_number'));
  if (at < 0 || s.plan.where.length === 0 || s.plan.aggregates.some((a) => a.fn !== 'SUM' && a.fn !== 'COUNT')) return;
  const when: Cond = s.plan.where.length === 1 ? s.plan.where[0] : { k: 'and', items: s.plan.where };
  const named = operandAt(s, next(s, at));
  const namedColumn = named?.column && s.lex.catalog.column(named.column.table, named.column.column)?.category === 'number' ? named.column : undefined;
  if (namedColumn) {
    s.used.add(named!.at);
    addAggregate(s, { fn: 'SUM', arg: col(namedColumn.table, namedColumn.column), alias: aliasName(`total_${namedColumn.column}`) });
  }
  const total = s.plan.aggregates.find((a) => a.fn === 'SUM' && a.arg);
  const part: Expr = { k: 'fn', name: 'SUM', args: [{ k: 'case', when, then: total ? total.arg! : lit(1), else: lit(0) }] };
  const whole: Expr = total ? { k: 'fn', name: 'SUM', args: [total.arg!] } : { k: 'fn', name: 'COUNT', args: [], star: true };
  const ratio: Expr = { k: 'bin', op: '/', left: { k: 'bin', op: '*', left: { k: 'sql', text: '100.0' }, right: part }, right: { k: 'fn', name: 'NULLIF', args: [whole, lit(0)] } };
  s.plan.where = [];
  s.plan.aggregates = [{ fn: '', arg: ratio, alias: 'percentage' }];
  s.used.add(at);
  s.plan.steps.push(`Percentage: rows meeting the conditions over ${total ? `total ${total.alias}` : 'all rows'} (CASE inside SUM).`);
}
