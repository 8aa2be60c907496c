/** Reader: order and limit — "order by", superlatives over groups and related counts, "top N", high and low amounts. */
import { has, senses } from '../items.js';
import { aliasName, col, type Expr } from '../query.js';
import { rankSubject } from './rankings.js';
import { pickColumn, pickMeasure, ensure, operandAt, dateColumnFor, existsQuery, relatedCount, perRowAmount, firstIsColumnGroup } from '../resolve.js';
import { CMP, AGG, facts, isTableItem, prevContent, next, addAggregate, addOrder, singularSubject, type ParseState } from '../state.js';

export function readOrdering(s: ParseState): void {
  let limit: number | undefined;
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (it.kind === 'num' && !s.used.has(i)) {
      const prev = s.items[i - 1];
      const next = s.items[i + 1];
      if (has(prev, 'most', 'least', 'recent', 'oldest') || has(next, 'most', 'least', 'recent', 'oldest') || (isTableItem(s, next) && !has(prev, ...Object.keys(CMP)))) {
        limit = it.num;
        s.used.add(i);
      }
    }
  }
  const descWord = s.items.some((it) => has(it, 'desc'));
  const ascWord = s.items.some((it) => has(it, 'asc'));
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (s.used.has(i) && (!has(it, 'most', 'least') || s.ranked.has(i))) continue;
    if (has(it, 'order')) {
      const c = pickColumn(s, s.items[next(s, i)]);
      if (c) {
        ensure(s, c.table);
        addOrder(s, { expr: col(c.table, c.column), desc: descWord && !ascWord });
        s.used.add(i);
        s.used.add(next(s, i));
        s.plan.steps.push(`Order by ${c.column}${descWord ? ' descending' : ''}.`);
      }
    } else if (has(it, 'alphabetical')) {
      const name = facts(s, s.plan.subject).nameColumn;
      if (name) addOrder(s, { expr: col(s.plan.subject, name), desc: false });
      s.used.add(i);
      s.plan.steps.push(`Order by ${name} alphabetically.`);
    } else if (has(it, 'most', 'least') && !has(it, 'recent', 'oldest', 'previous')) {
      superlative(s, i, has(it, 'most') && !has(it, 'least'), limit);
      limit = undefined;
    } else if (has(it, 'recent', 'oldest') && !s.used.has(i) && !has(s.items[i + 1], 'count')) {
      const unitNext = s.items[i + 1] && s.lex.grammar.units[s.items[i + 1].text.toLowerCase()];
      if (unitNext) continue;
      const named = operandAt(s, next(s, i))?.column;
      const dateNamed = named && ['date', 'timestamp'].includes(s.lex.catalog.column(named.table, named.column)?.category ?? '') ? named : undefined;
      const d = dateNamed ?? dateColumnFor(s, i);
      addOrder(s, { expr: col(d.table, d.column), desc: has(it, 'recent'), nullsLast: s.options.nullsLast });
      s.used.add(i);
      s.plan.steps.push(`Order by ${d.column} ${has(it, 'recent') ? 'newest' : 'oldest'} first.`);
      if (limit !== undefined) s.plan.limit = limit;
      else if (singularSubject(s)) s.plan.limit = 1;
      limit = undefined;
    }
  }
  if (limit !== undefined && s.plan.orderBy.length) s.plan.limit = limit;
  else if (limit !== undefined) {
    s.plan.limit = limit;
    s.plan.guesses.push('a row limit without an order');
  }
  if (descWord && s.plan.orderBy.length === 0 && s.plan.aggregates.length) {
    addOrder(s, { expr: { k: 'sql', text: s.plan.aggregates[0].alias }, desc: true });
  }
}

/** "highest budget", "most contracts", "department with the highest total budget". */
export function superlative(s: ParseState, i: number, desc: boolean, limit: number | undefined): void {
  let j = next(s, i);
  if (s.items[j]?.kind === 'num') {
    limit = s.items[j].num;
    s.used.add(j);
    j++;
  }
  if (has(s.items[j], 'most', 'least')) j++;
  const aggKw = Object.keys(AGG).find((k) => has(s.items[j], k));
  if (aggKw || has(s.items[j], 'count')) j++;
  const target = s.items[j];
  s.used.add(i);
  const withThe = has(prevContent(s, i), 'with') || /^the$/i.test(s.items[i - 1]?.text ?? '');
  const n = limit ?? (singularSubject(s) || firstIsColumnGroup(s) || withThe || s.items.some((it) => has(it, 'which')) ? 1 : undefined);
  const m = pickMeasure(s, target);
  const c = m ? undefined : pickColumn(s, target);
  if (target && isTableItem(s, target) && senses(target, 'table').some((sx) => sx.table === s.plan.subject)) {
    s.used.add(j);
    rankSubject(s, j, desc, n ?? limit);
    return;
  }
  if (target && isTableItem(s, target) && !(c && !isTableItem(s, target))) {
    // "which company has the most contracts": count related rows per subject row.
    const table = senses(target, 'table')[0].table;
    s.used.add(j);
    const counted = relatedCount(s, table);
    if (counted && table !== s.plan.subject) {
      const alias = aliasName(`${table.split('_').at(-1)}_count`);
      s.plan.computed.push({ expr: counted, alias });
      addOrder(s, { expr: { k: 'sql', text: alias }, desc, nullsLast: s.options.nullsLast });
    } else if (s.plan.groupBy.length || firstIsColumnGroup(s)) {
      addAggregate(s, { fn: 'COUNT', alias: 'count' });
      addOrder(s, { expr: { k: 'sql', text: 'count' }, desc });
    }
    if (n !== undefined) s.plan.limit = n;
    s.plan.steps.push(`Order by the number of ${table} rows, ${desc ? 'most' : 'fewest'} first${n ? `, keep ${n}` : ''}.`);
    return;
  }
  if (!m && !c) return;
  s.used.add(j);
  if (c && !isTableItem(s, target) && s.lex.catalog.column(c.table, c.column)?.category === 'text' && has(s.items[j + 1], 'group')) {
    // "top 3 departments by number of projects": rank the groups by the measure after "by".
    ensure(s, c.table);
    s.plan.groupBy.push({ expr: col(c.table, c.column) });
    s.used.add(j + 1);
    const k = next(s, j + 1);
    const by = s.items[k];
    const aggAfter = Object.keys(AGG).find((x) => has(by, x));
    const measureAt = aggAfter ? operandAt(s, next(s, k)) : operandAt(s, k);
    let alias = 'count';
    if (has(by, 'count') || !measureAt) {
      alias = s.plan.aggregates.find((x) => x.fn === 'COUNT' && !x.arg)?.alias ?? alias;
      addAggregate(s, { fn: 'COUNT', alias });
      s.used.add(k);
      const counted = s.items[next(s, k)];
      if (counted && isTableItem(s, counted)) s.used.add(next(s, k));
    } else {
      const e: Expr = measureAt.measure ? measureAt.measure.expr : col(measureAt.column!.table, measureAt.column!.column);
      const fn = AGG[aggAfter ?? 'sum'];
      alias = aliasName(`${aggAfter === 'avg' ? 'avg' : 'total'}_${measureAt.measure?.label ?? measureAt.column!.column}`);
      addAggregate(s, { fn, arg: e, alias });
      [k, measureAt.at].forEach((x) => s.used.add(x));
    }
    addOrder(s, { expr: { k: 'sql', text: alias }, desc, nullsLast: s.options.nullsLast });
    if (n !== undefined) s.plan.limit = n;
    s.plan.steps.push(`Rank ${c.column} groups by ${alias}${n ? `, keep ${n}` : ''}.`);
    return;
  }
  const expr: Expr = m ? m.expr : col(c!.table, c!.column);
  if (m) ensure(s, m.table);
  if (c) ensure(s, c.table);
  const label = m ? m.label : c!.column;
  const grouped = s.plan.groupBy.length > 0 || firstIsColumnGroup(s);
  if (grouped || aggKw) {
    const fn = AGG[aggKw ?? 'sum'];
    const alias = aliasName(`${aggKw === 'avg' ? 'avg' : 'total'}_${label}`);
    if (!s.plan.aggregates.some((a) => a.alias === alias)) addAggregate(s, { fn, arg: expr, alias });
    addOrder(s, { expr: { k: 'sql', text: alias }, desc, nullsLast: s.options.nullsLast });
  } else {
    if (m) s.plan.computed.push({ expr, alias: aliasName(label) });
    addOrder(s, { expr, desc, nullsLast: s.options.nullsLast });
  }
  if (n !== undefined) s.plan.limit = n;
  s.plan.steps.push(`Order by ${label} ${desc ? 'descending' : 'ascending'}${n ? `, keep ${n}` : ''}.`);
}

/**
 * "high-budget projects", "high-value customers" with no bound given: the rows that
 * have the amount (or child rows to total), highest first ("low": lowest first); a bound would be invented.
 */
export function readHighAmounts(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    const j = next(s, i);
    if (s.used.has(i) || !has(it, 'high', 'low') || s.used.has(j)) continue;
    const c = isTableItem(s, s.items[j]) ? undefined : pickColumn(s, s.items[j]);
    if (!c || s.lex.catalog.column(c.table, c.column)?.category !== 'number') continue;
    const expr = perRowAmount(s, c);
    // A total over child rows: the rows that have any (a customer with no contracts has no value to rank).
    const hops = expr.k === 'col' ? undefined : s.lex.path(s.plan.subject, c.table, 1);
    if (hops) {
      s.plan.where.push({ k: 'exists', query: existsQuery(s, hops), negated: false });
    } else {
      ensure(s, c.table);
      s.plan.where.push({ k: 'null', arg: expr, negated: true });
    }
    addOrder(s, { expr, desc: has(it, 'high'), nullsLast: s.options.nullsLast });
    [i, j].forEach((k) => s.used.add(k));
    s.plan.steps.push(`"${it.text} ${s.items[j].text}" with no bound: rows with ${c.column}, ${has(it, 'high') ? 'highest' : 'lowest'} first.`);
  }
}
