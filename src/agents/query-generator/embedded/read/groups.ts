/** Reader: groups — "per", "by", "for each", periods (per year, per month), duplicates. */
import { has, senses } from '../items.js';
import { aliasName, col, lit } from '../query.js';
import { pickColumn, ensure, dateColumnFor, join, perRowAmount, keyAndNames, firstIsColumnGroup } from '../resolve.js';
import { facts, tableOf, isTableItem, next, addAggregate, addOrder, type ParseState } from '../state.js';

export function readGroups(s: ParseState): void {
  const support = s.support;
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (!has(it, 'group') || s.used.has(i)) continue;
    // "owned by", "produced by": "by" after a participle names who does it, not a grouping.
    if (it.text.toLowerCase() === 'by' && s.items[i - 1]?.kind === 'unknown' && /(ed|en)$/i.test(s.items[i - 1].text)) continue;
    let j = next(s, i);
    const target = s.items[j];
    if (!target) continue;
    const unit = s.lex.grammar.units[target.text.toLowerCase()];
    if (unit === 'year' || unit === 'month' || unit === 'quarter') {
      const d = dateColumnFor(s, i);
      const e = col(d.table, d.column);
      s.plan.groupBy.push({ expr: { k: 'extract', field: 'YEAR', arg: e }, alias: 'year' });
      if (unit !== 'year') s.plan.groupBy.push({ expr: { k: 'extract', field: unit.toUpperCase(), arg: e }, alias: unit });
      [i, j].forEach((k) => s.used.add(k));
      s.plan.steps.push(`Group by ${unit} of ${d.column}.`);
      continue;
    }
    // "by project department": a table word qualifying the column after it.
    const qualified = isTableItem(s, target) && s.items[j + 1]?.at === target.end && !isTableItem(s, s.items[j + 1])
      ? senses(s.items[j + 1], 'column').find((x) => senses(target, 'table').some((t) => t.table === x.table)) : undefined;
    if (qualified) s.used.add(j++);
    const c = qualified ?? (isTableItem(s, target) ? undefined : pickColumn(s, target));
    if (c) {
      const column = s.lex.catalog.column(c.table, c.column);
      const numeric = column?.category === 'number' && !column.primaryKey;
      const aggregating = s.plan.aggregates.length > 0 || s.items.some((x) => has(x, 'count'));
      [i, j].forEach((k) => s.used.add(k));
      if (it.text.toLowerCase() === 'by' && (numeric || column?.category === 'date') && !aggregating) {
        // "resources by capacity": an ordering, not a grouping.
        addOrder(s, { expr: perRowAmount(s, c), desc: numeric, nullsLast: s.options.nullsLast });
        s.plan.steps.push(`Order by ${c.column}${numeric ? ' descending' : ''}.`);
        continue;
      }
      ensure(s, c.table);
      s.plan.groupBy.push({ expr: col(c.table, c.column) });
      s.plan.steps.push(`Group by ${c.table}.${c.column}.`);
      // "by type and value": further columns joined by "and".
      let k = j + 1;
      while (has(s.items[k], 'and') && pickColumn(s, s.items[k + 1]) && !isTableItem(s, s.items[k + 1])) {
        const c2 = pickColumn(s, s.items[k + 1])!;
        const col2 = s.lex.catalog.column(c2.table, c2.column);
        if (col2?.category === 'number') addAggregate(s, { fn: 'SUM', arg: col(c2.table, c2.column), alias: aliasName(`total_${c2.column}`) });
        else s.plan.groupBy.push({ expr: col(c2.table, c2.column) });
        s.used.add(k);
        s.used.add(k + 1);
        k += 2;
      }
      continue;
    }
    if (isTableItem(s, target)) {
      const table = tableOf(s, target, support);
      if (!table) continue;
      [i, j].forEach((k) => s.used.add(k));
      groupByTable(s, table);
    }
  }
}

/** "per company": group by the key that leads to the group's table, with its name when reachable. */
export function groupByTable(s: ParseState, table: string): void {
  const subject = s.plan.from ?? s.plan.subject;
  if (s.plan.aggregates.length === 0 && !s.items.some((it) => has(it, 'count', 'sum', 'avg', 'max', 'min', 'most', 'least', 'percent'))) {
    // "the contact email for each company": no measure, so the rows are listed with that table's names.
    const path = s.lex.path(subject, table);
    if (path && table !== subject) join(s, table, path.every((h) => h.toParent) ? 'LEFT' : 'INNER', `"each ${table}" without a measure:`);
    return;
  }
  if (table === subject) {
    // "margin per project" over the projects themselves: one row each, no grouping needed.
    if (s.plan.aggregates.length === 0) return;
    for (const k of keyAndNames(s, table)) s.plan.groupBy.push({ expr: col(table, k) });
    return;
  }
  const keepZero = keepsZeroGroups(s);
  const path = s.lex.path(subject, table);
  if (!path || path.length === 0) return;
  if (keepZero) {
    // Counts that keep zero rows: start from the group's table, LEFT JOIN what is counted.
    s.plan.from = table;
    for (const k of keyAndNames(s, table)) s.plan.groupBy.push({ expr: col(table, k) });
    s.plan.joins.delete(table);
    s.plan.joins.set(subject, 'LEFT');
    s.plan.keepZero = subject;
    s.plan.steps.push(`Group by ${table} keeping groups with no ${subject} (LEFT JOIN, COUNT of matched keys).`);
    return;
  }
  const last = path[path.length - 1];
  if (last.toParent) {
    // The referencing column on the near side of the last hop is the group key.
    const keyTable = last.from;
    if (keyTable !== subject) ensure(s, keyTable);
    for (const c of last.fromColumns) s.plan.groupBy.push({ expr: col(keyTable, c) });
    if (path.length > 1) s.plan.countDistinct = true;
    s.plan.steps.push(`Group by ${keyTable}.${last.fromColumns.join(',')} (the key of ${table}).`);
  } else {
    ensure(s, table);
    for (const k of keyAndNames(s, table)) s.plan.groupBy.push({ expr: col(table, k) });
    s.plan.countDistinct = true;
    s.plan.steps.push(`Group by ${table} (${facts(s, table).display.join(', ')}).`);
  }
}

/** "including those with none", "even without contracts": groups with nothing counted stay, at zero. */
export function keepsZeroGroups(s: ParseState): boolean {
  if (s.items.some((it) => has(it, 'zero_rows'))) return true;
  const opener = s.items.findIndex((it) => /^(including|even|all)\b/i.test(it.text));
  return opener >= 0 && s.items.slice(opener + 1).some((it) => has(it, 'none', 'without', 'left'));
}

/** "duplicate project codes": values occurring more than once. */
export function readDuplicates(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    if (!has(s.items[i], 'duplicate')) continue;
    const j = next(s, i);
    const c = pickColumn(s, s.items[j]);
    if (!c) continue;
    ensure(s, c.table);
    s.plan.groupBy.push({ expr: col(c.table, c.column) });
    addAggregate(s, { fn: 'COUNT', alias: 'occurrences' });
    s.plan.having.push({ k: 'cmp', op: '>', left: { k: 'fn', name: 'COUNT', args: [], star: true }, right: lit(1) });
    [i, j].forEach((k) => s.used.add(k));
    s.plan.steps.push(`Duplicates: GROUP BY ${c.column} HAVING COUNT(*) > 1.`);
  }
}

/** "Department with the highest …": a question that measures and opens on a column groups by it. */
export function readOpeningGroup(s: ParseState): void {
  if ((s.plan.aggregates.length || s.plan.having.length) && s.plan.groupBy.length === 0) firstIsColumnGroup(s);
}
