/** Reader: column values and business rules as conditions ("active projects", "in Finance"). */
import { has, senses, type ValueSense, type FilterSense } from '../items.js';
import { aliasName, col, lit, type Cond, type Expr } from '../query.js';
import { pickFromList, ensure, nounAfter, existence, relatedCount, viaForeignKey } from '../resolve.js';
import { rekey, facts, tableOf, isTableItem, inPlay, addAggregate, type ParseState } from '../state.js';
import type { Item } from '../tokens.js';

export function readFilters(s: ParseState): void {
  const support = s.support;
  const mentioned = new Set(s.items.filter((it) => isTableItem(s, it)).map((it) => tableOf(s, it, support)!));
  const valueGroups = new Map<string, { sense: ValueSense; values: string[]; negated: boolean }>();
  for (let i = 0; i < s.items.length; i++) {
    if (s.used.has(i)) continue;
    const it = s.items[i];
    const noun = nounAfter(s, i, support);
    const values = senses(it, 'value').filter((v) => valueAllowed(s, v, it, mentioned));
    const filters = senses(it, 'filter');
    if (values.length === 0 && filters.length === 0) continue;
    const negated = has(s.items[i - 1], 'neg') || (has(s.items[i - 1], 'in') && has(s.items[i - 2], 'neg'));
    if (negated) s.used.add(i - 1);
    // A value written with its column ("high priority", "active status") is that value, not a business rule.
    const explicit = values.filter((v) => it.text.split(/\s+/).length > v.value.split(/\s+/).length);
    const byNoun = <T extends { table: string }>(list: T[]) => (noun ? list.find((x) => x.table === noun) : undefined) ?? pickFromList(s, list);
    let filter = filters.length ? byNoun(filters) : undefined;
    const value = values.length ? byNoun(explicit.length ? explicit : values) : undefined;
    // A business rule that only says "column = this value" is the value itself (so "a or b" becomes IN).
    if (filter && value && filter.table === value.table && filter.cond.k === 'cmp' && filter.cond.op === '=' &&
      filter.cond.left.k === 'col' && filter.cond.left.column === value.column && filter.cond.right.k === 'lit' && filter.cond.right.value === value.value) {
      filter = undefined;
    }
    const play = inPlay(s);
    const useValue = value && (explicit.length > 0 || !filter || (value.table === noun && filter.table !== noun) ||
      (play.includes(value.table) && !play.includes(filter.table) && filter.table !== noun));
    const target = useValue ? value!.table : filter?.table;
    s.used.add(i);
    const sub = target ? s.existsTargets.get(target) : undefined;
    if (sub && !play.includes(target!)) {
      // "projects without active contracts": the condition belongs to the existence test; after it, a participle.
      if (i < sub.at) {
        const cond: Cond = useValue
          ? { k: 'cmp', op: negated ? '<>' : '=', left: col(target!, value!.column), right: lit(value!.value) }
          : negated ? { k: 'not', item: filter!.cond } : filter!.cond;
        sub.query.where.push(rekey(cond, target!, `${target}#sub`));
        s.plan.steps.push(`Condition "${it.text}" applies inside the existence test on ${target}.`);
      }
      continue;
    }
    if (useValue && value) {
      const onSubject = viaForeignKey(s, value);
      const sense = onSubject && onSubject.table !== value.table ? { ...value, table: onSubject.table, column: onSubject.column } : value;
      const key = `${sense.table}.${sense.column}`;
      const group = valueGroups.get(key) ?? { sense, values: [], negated };
      group.values.push(value.value);
      valueGroups.set(key, group);
      continue;
    }
    if (filter) {
      const before = s.plan.where.length;
      applyFilter(s, filter, negated);
      // "overdue or on hold": alternatives joined by "or".
      if (has(s.items[i - 1], 'or') && before > 0 && s.plan.where.length === before + 1 && s.lastFilterAt === i - 2) {
        const added = s.plan.where.pop()!;
        const prior = s.plan.where.pop()!;
        s.plan.where.push({ k: 'or', items: [prior, added] });
      }
      s.lastFilterAt = i;
    }
  }
  for (const { sense, values, negated } of valueGroups.values()) {
    ensure(s, sense.table);
    const arg = col(sense.table, sense.column);
    const cond: Cond = values.length === 1
      ? { k: 'cmp', op: negated ? '<>' : '=', left: arg, right: lit(values[0]) }
      : { k: 'in', arg, values: values.map((v) => lit(v)), negated };
    s.plan.where.push(cond);
    s.plan.steps.push(`Filter: ${sense.table}.${sense.column} ${negated ? 'not ' : ''}${values.map((v) => `'${v}'`).join(' or ')} (value of the column).`);
  }
}

/** A value of a table the question does not name counts only when written as a name (capitals, quotes). */
export function valueAllowed(s: ParseState, v: ValueSense, item: Item, mentioned: Set<string>): boolean {
  if (inPlay(s).includes(v.table) || mentioned.has(v.table) || s.existsTargets.has(v.table)) return true;
  // "Average" is a grammar word before it is a supplier rating.
  return item.kws.size === 0 && item.at > 0 && /[A-Z]/.test(item.text);
}

export function applyFilter(s: ParseState, filter: FilterSense, negated: boolean): void {
  if (filter.having) {
    // "overallocated resources": a condition on a per-key total of the filter's table.
    const h = filter.having;
    const base = filter.cond.k === 'cmp' ? filter.cond : undefined;
    const fk = facts(s, filter.table).table.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === h.per);
    const parent = fk && s.lex.catalog.table(fk.refTable)?.name;
    const related = base && parent === s.plan.subject && (base.op === '<' || base.op === '<=') ? relatedCount(s, filter.table, h.fn, h.column) : undefined;
    if (base && related) {
      // "underutilized resources": a total below a bound includes the rows with nothing at all (total 0).
      const total: Expr = { k: 'fn', name: 'COALESCE', args: [related, lit(0)] };
      s.plan.computed.push({ expr: total, alias: aliasName(`total_${h.column}`) });
      s.plan.where.push({ ...base, left: total });
      s.plan.steps.push(`Business rule "${filter.label}": ${h.fn}(${h.column}) of each ${parent} row's ${filter.table} rows, none counting as 0.`);
      return;
    }
    s.plan.from = filter.table;
    const perExpr = col(filter.table, h.per);
    if (!s.plan.groupBy.some((g) => g.expr.k === 'col' && g.expr.column === h.per)) s.plan.groupBy.push({ expr: perExpr });
    const agg: Expr = { k: 'fn', name: h.fn, args: [col(filter.table, h.column)] };
    addAggregate(s, { fn: h.fn, arg: col(filter.table, h.column), alias: aliasName(`total_${h.column}`) });
    if (base) s.plan.having.push({ ...base, left: agg });
    s.plan.steps.push(`Business rule "${filter.label}": ${h.fn}(${h.column}) per ${h.per}.`);
    return;
  }
  ensure(s, filter.table);
  s.plan.where.push(negated ? { k: 'not', item: filter.cond } : filter.cond);
  // "over budget": by how much, the difference of the two columns the rule compares.
  const c = filter.cond;
  if (!negated && c.k === 'cmp' && c.left.k === 'col' && c.right.k === 'col' && ['>', '<', '>=', '<='].includes(c.op)) {
    const [hi, lo] = c.op.startsWith('>') ? [c.left, c.right] : [c.right, c.left];
    s.plan.computed.push({ expr: { k: 'bin', op: '-', left: hi, right: lo }, alias: aliasName(`${hi.column}_minus_${lo.column}`) });
  }
  s.plan.steps.push(`Business rule "${filter.label}"${negated ? ' (negated)' : ''} on ${filter.table}.`);
}
