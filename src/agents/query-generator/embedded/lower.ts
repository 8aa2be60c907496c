/**
 * Lowering: a plan → a structured query over the schema's join graph. Joins
 * follow the foreign-key paths from the query's root; a plan without measures
 * lists rows, one with measures groups them.
 */
import { hopCondition, selfReference } from './joins.js';
import { col, emptyQuery, type Expr, type Query } from './query.js';
import { sameExpr, facts, next, type ParseState } from './state.js';

export function build(s: ParseState): Query {
  const p = s.plan;
  const from = p.from ?? p.subject;
  const q = emptyQuery({ table: from, key: from });
  const joined = new Set([from]);
  const order = [...p.joins.keys()];
  if (p.from && p.from !== p.subject && !p.joins.has(p.subject) && !p.keepZero) order.unshift(p.subject);
  for (const t of order) addJoin(s, q, joined, t, p.joins.get(t) ?? 'INNER');
  if (p.selfParent) {
    const self = selfReference(s.lex.catalog, p.subject)!;
    const key = `${p.subject}#parent`;
    q.joins.push({ type: 'LEFT', source: { table: p.subject, key }, on: { k: 'cmp', op: '=', left: col(p.subject, self.column), right: col(key, self.refColumn) } });
    const name = facts(s, p.subject).nameColumn;
    if (name) p.computed.push({ expr: col(key, name), alias: 'parent_name' });
  }
  q.where = p.where;
  q.orderBy = p.orderBy;
  q.limit = p.limit;
  const aggregating = p.aggregates.length > 0 || p.groupBy.length > 0 || p.having.length > 0;
  if (p.distinct && !aggregating) {
    q.distinct = true;
    q.select = p.distinct.map((e) => ({ expr: e }));
    q.orderBy = q.orderBy.filter((o) => p.distinct!.some((d) => sameExpr(d, o.expr)));
    return q;
  }
  if (!aggregating) {
    // A table that links two others (staff: project and resource) is listed with the names of both.
    const parents = [...new Set(facts(s, from).table.foreignKeys.map((f) => s.lex.catalog.table(f.refTable)?.name).filter((t): t is string => t !== undefined && t !== from))];
    if (from === p.subject && parents.length >= 2) {
      for (const t of parents) {
        if (joined.has(t)) continue;
        addJoin(s, q, joined, t, 'LEFT');
        order.push(t);
      }
    }
    if (p.columns.length) {
      q.select = [...p.columns, ...p.computed];
      return q;
    }
    const sources = [from, ...order.filter((t) => joined.has(t))];
    q.select = [...sources.map((t) => ({ expr: { k: 'star' as const, src: t } })), ...p.computed];
    if (q.select.length === sources.length && sources.length === 1) q.select = [{ expr: { k: 'star' } }];
    return q;
  }
  const aggs = p.aggregates.length || p.having.length ? p.aggregates : [{ fn: 'COUNT', alias: 'count' }];
  if (aggs.length === 0) aggs.push({ fn: 'COUNT', alias: 'count' });
  q.groupBy = p.groupBy.map((g) => g.expr);
  q.select = p.groupBy.map((g) => ({ expr: g.expr, alias: g.alias }));
  // A grouped key that points at another table is shown with that table's names.
  for (const g of p.groupBy) {
    if (g.expr.k !== 'col') continue;
    const fk = s.lex.catalog.table(g.expr.src.split('#')[0])?.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === (g.expr as { column: string }).column && f.refTable.toLowerCase() !== (g.expr as { src: string }).src.toLowerCase());
    if (!fk || joined.has(s.lex.catalog.table(fk.refTable)!.name)) continue;
    const parent = s.lex.catalog.table(fk.refTable)!.name;
    const name = facts(s, parent).nameColumn;
    if (!name) continue;
    q.joins.push({ type: 'LEFT', source: { table: parent, key: parent }, on: { k: 'cmp', op: '=', left: g.expr, right: col(parent, fk.refColumns[0]) } });
    joined.add(parent);
    q.groupBy.push(col(parent, name));
    q.select.push({ expr: col(parent, name) });
  }
  for (const a of aggs) {
    const counted = a.countTable;
    let expr: Expr;
    if (a.fn === '') expr = a.arg!;
    else if (a.fn === 'COUNT' && !a.arg) {
      const key = p.keepZero ?? (p.countDistinct || counted ? counted ?? p.subject : undefined);
      const pk = key ? s.lex.catalog.table(key)?.primaryKey[0] : undefined;
      if (key && counted && counted !== from) addJoin(s, q, joined, counted, 'INNER');
      expr = key && pk ? { k: 'fn', name: 'COUNT', args: [col(key, pk)], distinct: !p.keepZero } : { k: 'fn', name: 'COUNT', args: [], star: true };
    } else expr = { k: 'fn', name: a.fn, args: a.arg ? [a.arg] : [], distinct: a.distinct };
    q.select.push({ expr, alias: a.alias });
  }
  for (const c of p.computed) {
    if (c.expr.k === 'fn' && c.expr.over) continue;
    // Only what the groups determine can stand next to aggregates.
    if (q.groupBy.some((g) => sameExpr(g, c.expr as Expr))) q.select.push(c);
  }
  q.having = p.having;
  return q;
}

export function addJoin(s: ParseState, q: Query, joined: Set<string>, table: string, type: 'INNER' | 'LEFT'): void {
  if (joined.has(table)) return;
  const root = q.from.table;
  const path = s.lex.path(root, table) ?? [];
  for (const hop of path) {
    if (joined.has(hop.to)) continue;
    const hopType = s.plan.joins.get(hop.to) ?? type;
    q.joins.push({ type: hopType, source: { table: hop.to, key: hop.to }, on: hopCondition(hop, hop.from, hop.to) });
    joined.add(hop.to);
  }
}
