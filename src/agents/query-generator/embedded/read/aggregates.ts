/** Reader: measures — counts, totals, averages, minimums and maximums, and vocabulary measures. */
import { has, senses, isContent, type ColumnSense } from '../items.js';
import { aliasName, col, lit } from '../query.js';
import { pickColumn, pickMeasure, ensure, relatedCount, useAggregateMeasure } from '../resolve.js';
import type { Item } from '../tokens.js';
import { AGG, facts, isTableItem, next, addAggregate, subjectBefore, type ParseState } from '../state.js';

export function readAggregates(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (s.used.has(i)) continue;
    if (has(it, 'count') && !has(it, 'sum', 'avg')) {
      // "count the number of …": one count however many words say it.
      let j = next(s, i);
      while (has(s.items[j], 'count') && !isContent(s.items[j])) s.used.add(j++);
      const target = s.items[j];
      const distinct = has(target, 'distinct');
      const t2 = distinct ? s.items[j + 1] : target;
      const c = distinct ? pickColumn(s, t2) : undefined;
      s.used.add(i);
      if (c) {
        s.used.add(j);
        s.used.add(j + 1);
        addAggregate(s, { fn: 'COUNT', arg: col(c.table, c.column), distinct: true, alias: aliasName(`distinct_${c.column}`) });
        s.plan.steps.push(`Measure: COUNT(DISTINCT ${c.column}).`);
      } else {
        const table = t2 && isTableItem(s, t2) ? senses(t2, 'table')[0].table : s.plan.subject;
        const perRow = table !== s.plan.subject && subjectBefore(s, i) && !s.items.some((x) => has(x, 'group'));
        const counted = perRow ? relatedCount(s, table) : undefined;
        if (counted) {
          // "companies and their number of contracts": a count per listed row, zero included.
          s.used.add(j);
          s.plan.computed.push({ expr: counted, alias: aliasName(`${t2.text}_count`) });
          s.plan.steps.push(`Per ${s.plan.subject} row: the number of related ${table} rows (correlated COUNT).`);
          continue;
        }
        const noun = t2 && isTableItem(s, t2) ? t2.text : table.split('_').at(-1)!;
        addAggregate(s, { fn: 'COUNT', alias: aliasName(`${noun}_count`), countTable: table !== s.plan.subject ? table : undefined });
        s.plan.steps.push(`Measure: COUNT of ${table} rows.`);
      }
      continue;
    }
    const agg = aggregateWord(it);
    if (!agg) continue;
    if (s.items.slice(i + 1, i + 3).some((x) => has(x, 'most', 'least'))) continue;
    let j = next(s, i);
    // "average, minimum, and maximum age": a list of aggregate words shares the column after the last.
    const listed = [agg];
    const listAt = [i];
    while (aggregateWord(s.items[j]) || (has(s.items[j], 'and') && aggregateWord(s.items[next(s, j)]))) {
      const w = aggregateWord(s.items[j]);
      if (w) listed.push(w);
      listAt.push(j);
      j = next(s, j);
    }
    if (has(s.items[j], 'count')) continue;
    if (has(s.items[j], 'of', 'in')) j++;
    // "average project budget": the table word qualifies the column after it.
    if (isTableItem(s, s.items[j]) && (senses(s.items[j + 1], 'column').length || senses(s.items[j + 1], 'measure').length)) {
      s.used.add(j);
      j++;
    }
    const target = s.items[j];
    const m = pickMeasure(s, target);
    const c = m ? undefined : pickColumn(s, target);
    if (!m && (!c || (isTableItem(s, target) && !senses(target, 'column').length))) {
      // "the maximum capacity and the average": an aggregate word with no column of its own takes the one before.
      const prior = s.plan.aggregates.at(-1);
      if (prior?.arg && prior.fn && has(s.items[i - 1], 'and', 'with')) {
        for (const w of listed) addAggregate(s, { fn: AGG[w], arg: prior.arg, alias: aliasName(`${w === 'sum' ? 'total' : w}_${prior.alias.replace(/^[a-z]+_/, '')}`) });
        [i - 1, ...listAt].forEach((k) => s.used.add(k));
        s.plan.steps.push(`Measure: ${listed.map((w) => AGG[w]).join(', ')} of the same column.`);
      }
      continue;
    }
    listAt.forEach((k) => s.used.add(k));
    s.used.add(j);
    for (const w of listed) {
      if (m) {
        ensure(s, m.table);
        addAggregate(s, { fn: m.aggregate ? '' : AGG[w], arg: m.expr, alias: aliasName(`${w}_${m.label}`) });
        s.plan.steps.push(`Measure: ${AGG[w]}(${m.label}).`);
      } else if (c) {
        ensure(s, c.table);
        addAggregate(s, { fn: AGG[w], arg: col(c.table, c.column), alias: aliasName(`${w === 'sum' ? 'total' : w}_${c.column}`) });
        s.plan.steps.push(`Measure: ${AGG[w]}(${c.column}).`);
      }
    }
  }
  // Measures from the vocabulary named without an aggregate word.
  for (let i = 0; i < s.items.length; i++) {
    if (s.used.has(i)) continue;
    const m = pickMeasure(s, s.items[i]);
    if (!m) continue;
    s.used.add(i);
    if (m.aggregate) {
      useAggregateMeasure(s, m);
    } else {
      ensure(s, m.table);
      s.plan.computed.push({ expr: m.expr, alias: aliasName(m.label) });
      if (m.denominator && !s.plan.aggregates.length) s.plan.where.push({ k: 'cmp', op: '>', left: m.denominator, right: lit(0) });
    }
    s.plan.steps.push(`Derived measure "${m.label}" from the vocabulary.`);
  }
}

/** "Opportunities by stage" with no measure named: a count with totals and averages of the numeric columns. */
export function implicitSummary(s: ParseState): void {
  if (s.plan.groupBy.length === 0 || s.plan.aggregates.length || s.plan.having.length || s.plan.from) return;
  // "Revenue by year": the amount named before the grouping is totalled.
  const named = s.items.map((it, k) => (s.used.has(k) || isTableItem(s, it) ? undefined : pickColumn(s, it)))
    .filter((c): c is ColumnSense => c !== undefined && s.lex.catalog.column(c.table, c.column)?.category === 'number');
  if (named.length) {
    for (const c of named) addAggregate(s, { fn: 'SUM', arg: col(c.table, c.column), alias: aliasName(`total_${c.column}`) });
    s.plan.steps.push(`Total of ${named.map((c) => c.column).join(', ')} per group.`);
    return;
  }
  addAggregate(s, { fn: 'COUNT', alias: 'count' });
  const table = facts(s, s.plan.subject).table;
  const fkColumns = new Set(table.foreignKeys.flatMap((f) => f.columns));
  for (const c of table.columns) {
    if (c.category !== 'number' || c.primaryKey || fkColumns.has(c.name) || /_id$/i.test(c.name)) continue;
    addAggregate(s, { fn: 'SUM', arg: col(table.name, c.name), alias: aliasName(`total_${c.name}`) });
    addAggregate(s, { fn: 'AVG', arg: col(table.name, c.name), alias: aliasName(`avg_${c.name}`) });
  }
  s.plan.steps.push('No measure named: count per group, with totals and averages of the numeric columns.');
}

/** The aggregate an item names ("average" → avg), not counts. */
function aggregateWord(it: Item | undefined): string | undefined {
  if (!it || has(it, 'count')) return undefined;
  return Object.keys(AGG).find((k) => has(it, k));
}
