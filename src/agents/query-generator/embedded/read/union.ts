/** Reader: one combined list over several tables ("… and … in one list"). */
import { has, senses } from '../items.js';
import { col, emptyQuery, lit } from '../query.js';
import { facts, tableOf, isTableItem, type ParseState } from '../state.js';

/**
 * "Active suppliers and projects in one list": one list of the names of several
 * tables' rows, an adjective distributed over every noun it stands before.
 */
export function readUnion(s: ParseState): void {
  const support = s.support;
  if (!s.items.some((it) => has(it, 'union'))) return;
  const tables = [...new Set(s.items.filter((it) => isTableItem(s, it)).map((it) => tableOf(s, it, support)!))];
  const named = tables.filter((t) => facts(s, t).nameColumn);
  if (named.length < 2) return;
  const parts = named.map((t) => {
    const q = emptyQuery({ table: t, key: t });
    q.select = [{ expr: col(t, facts(s, t).nameColumn!), alias: 'name' }];
    for (const it of s.items) {
      const filter = senses(it, 'filter').find((f) => f.table === t && !f.having);
      const value = senses(it, 'value').find((v) => v.table === t);
      if (filter) q.where.push(filter.cond);
      else if (value) q.where.push({ k: 'cmp', op: '=', left: col(t, value.column), right: lit(value.value) });
    }
    return q;
  });
  s.plan.steps.push(`Combined list (UNION) of the names of ${named.join(', ')}, each with the conditions that apply to it.`);
  s.complete = { ...parts[0], union: parts.slice(1) };
}
