/** Reader: comparators ("more than", "between", "above average") with their left and right operands. */
import { readDate, dateConditions, describeDate, type DateValue, type DateOp } from '../dates.js';
import { has, senses, isContent, type ColumnSense } from '../items.js';
import { aliasName, col, emptyQuery, lit, type Cond, type Expr } from '../query.js';
import { pickColumn, pickFromList, pickMeasure, ensure, operandAt, isDateColumnExpr, dateColumnFor, relatedCount, mainAmount, useAggregateMeasure } from '../resolve.js';
import { CMP, AGG, addAggregate, facts, isTableItem, inPlay, next, type ParseState } from '../state.js';
import type { Item } from '../tokens.js';

export function readComparisons(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (s.used.has(i)) continue;
    if (has(it, 'above_average', 'below_average')) {
      const operand = operandAt(s, next(s, i)) ?? (leftOperandAt(s, i));
      if (operand?.column) {
        const c = operand.column;
        const key = `${c.table}#sub`;
        const sub = emptyQuery({ table: c.table, key });
        sub.select = [{ expr: { k: 'fn', name: 'AVG', args: [col(key, c.column)] } }];
        const op = has(it, 'above_average') ? '>' : '<';
        ensure(s, c.table);
        s.plan.where.push({ k: 'cmp', op, left: col(c.table, c.column), right: { k: 'sub', query: sub } });
        [i, operand.at].forEach((k) => s.used.add(k));
        s.plan.steps.push(`Filter: ${c.column} ${op} its average (subquery).`);
      }
      continue;
    }
    const between = has(it, 'between');
    // "older than 20", "heavier than 10": a comparative of an adjective that measures a column.
    const degree = pickFromList(s, senses(it, 'degree').filter((d) => !d.superlative));
    const opKw = Object.keys(CMP).find((k) => has(it, k)) ?? (degree ? (degree.more ? 'gt' : 'lt') : undefined);
    const multiple = has(it, 'multiple');
    if (!between && !opKw && !multiple) continue;
    if (opKw === 'eq' && !(s.items[i + 1]?.kind === 'num')) continue;
    // A number another reader took ("the 2 oldest members": a limit) is not this comparator's operand.
    if (s.items[i + 1]?.kind === 'num' && s.used.has(i + 1)) continue;
    if (has(it, 'in') && !(s.items[i + 1]?.kind === 'num') && !readDate(s.items, i + 1, s.lex)) continue;
    // "more than 5 projects", "multiple staff": a count of related rows.
    const countAt = multiple ? i + 1 : s.items[i + 1]?.kind === 'num' ? i + 2 : -1;
    const counted = countAt >= 0 ? s.items[countAt] : undefined;
    if (counted && isTableItem(s, counted) && !senses(counted, 'column').some((c) => inPlay(s).includes(c.table) && !isTableItem(s, counted))) {
      const n = multiple ? 1 : s.items[i + 1].num!;
      const op = multiple ? '>' : CMP[opKw ?? 'gt'] ?? '>';
      countCondition(s, counted, op, n, i, countAt);
      continue;
    }
    let left = leftOperand(s, i);
    if (degree && !(left && isNumeric(s, left))) left = { expr: col(degree.table, degree.column), label: degree.column, table: degree.table };
    // "above age 40": the column stands between the comparator and the number.
    let at = i;
    const after = s.items[i + 1];
    const afterColumn = !left && after && !isTableItem(s, after) && s.items[i + 2]?.kind === 'num' ? pickColumn(s, after) : undefined;
    if (afterColumn && s.lex.catalog.column(afterColumn.table, afterColumn.column)?.category === 'number') {
      left = { expr: col(afterColumn.table, afterColumn.column), label: afterColumn.column, table: afterColumn.table, at: [i + 1] };
      at = i + 1;
    }
    // "more than 1000 records", "over 40 hours": the noun after the number names the column.
    const adjacent = s.items[i + 1]?.kind === 'num' && s.items[i + 2]?.at === s.items[i + 1].end;
    const unitColumn = adjacent && !isTableItem(s, s.items[i + 2]) ? pickColumn(s, s.items[i + 2]) : undefined;
    if (unitColumn && s.lex.catalog.column(unitColumn.table, unitColumn.column)?.category === 'number') {
      s.used.add(i + 2);
      left = { expr: col(unitColumn.table, unitColumn.column), label: unitColumn.column, table: unitColumn.table };
    }
    const dated = readDate(s.items, next(s, i), s.lex);
    if (dated && dated.value.kind !== 'relative' && !(left && isDateColumnExpr(s, left))) {
      // "started after January 2024": the date column the verb names.
      const d = dateColumnFor(s, i);
      left = { expr: col(d.table, d.column), label: d.column, table: d.table };
    }
    if (!left && (has(s.items[i - 1], 'duration') || has(it, 'duration'))) left = durationOperand(s);
    if (!left && unitAfterNumber(s, i)) left = durationOperand(s);
    if (!left) left = defaultNumeric(s, i);
    if (!left) continue;
    s.used.add(i);
    if (between) {
      const a = s.items[i + 1];
      const b = s.items[i + 3];
      if (a?.kind === 'num' && b?.kind === 'num' && has(s.items[i + 2], 'and')) {
        const cond: Cond = { k: 'between', arg: left.expr, low: lit(a.num!), high: lit(b.num!) };
        addCondition(s, cond, left);
        [i + 1, i + 2, i + 3].forEach((k) => s.used.add(k));
        s.plan.steps.push(`Filter: ${left.label} between ${a.num} and ${b.num}.`);
        i += 3;
      }
      continue;
    }
    const right = rightOperand(s, at, left);
    if (!right) continue;
    for (let k = at + 1; k <= at + right.span; k++) s.used.add(k);
    const op = CMP[opKw ?? 'gt'];
    if (right.date) {
      const conds = dateConditions(left.expr, right.date, opKw === 'gte' && has(it, 'from') ? 'gte' : (opKw as DateOp));
      conds.forEach((c) => addCondition(s, c, left));
      s.plan.steps.push(`Filter: ${left.label} ${op} ${describeDate(right.date)}.`);
    } else if (right.average) {
      const sub = emptyQuery({ table: left.table, key: `${left.table}#sub` });
      const e = left.expr.k === 'col' ? col(`${left.table}#sub`, left.expr.column) : left.expr;
      sub.select = [{ expr: { k: 'fn', name: 'AVG', args: [e] } }];
      sub.where = right.average;
      addCondition(s, { k: 'cmp', op, left: left.expr, right: { k: 'sub', query: sub } }, left);
      s.plan.steps.push(`Filter: ${left.label} ${op} the average${right.average.length ? ' of the subset named' : ''} (subquery).`);
    } else if (right.expr) {
      const value = right.expr.k === 'lit' && typeof right.expr.value === 'number' && unitScale(s, at + 1 + right.span);
      const expr = value ? lit((right.expr as { value: number }).value * value) : right.expr;
      // "over 40 hours": an unknown word right after the number is its unit.
      const unit = s.items[at + 1 + right.span];
      if (expr.k === 'lit' && unit?.kind === 'unknown' && unit.at === s.items[at + right.span].end) s.used.add(at + 1 + right.span);
      addCondition(s, { k: 'cmp', op, left: left.expr, right: expr }, left);
      s.plan.steps.push(`Filter: ${left.label} ${op} ${right.cmpCol ?? (expr.k === 'lit' ? String(expr.value) : 'value')}.`);
    }
  }
}

/** The left side of a comparison; `at` are the items that named it, used once a condition is placed. */
interface Operand {
  expr: Expr;
  label: string;
  table: string;
  aggregate?: string;
  grouped?: boolean;
  at?: number[];
}

function isNumeric(s: ParseState, left: Operand): boolean {
  return left.expr.k !== 'col' || s.lex.catalog.column(left.table, left.expr.column)?.category === 'number';
}

/** The operand a comparator refers to: the nearest column or measure before it. */
export function leftOperand(s: ParseState, i: number): Operand | undefined {
  for (let j = i - 1; j >= 0 && i - j <= 4; j--) {
    const it = s.items[j];
    const m = pickMeasure(s, it);
    if (m) {
      if (m.aggregate) useAggregateMeasure(s, m);
      return { expr: m.expr, label: m.label, table: m.table, grouped: m.aggregate, at: [j] };
    }
    const c = pickColumn(s, it);
    if (c && !isTableItem(s, it)) {
      // "budget minus actual cost": arithmetic between two columns.
      const op = has(s.items[j - 1], 'minus') ? '-' : has(s.items[j - 1], 'plus') ? '+' : has(s.items[j - 1], 'times') ? '*' : has(s.items[j - 1], 'divided') ? '/' : undefined;
      const other = op ? pickColumn(s, s.items[j - 2]) : undefined;
      if (op && other && !isTableItem(s, s.items[j - 2])) {
        s.used.add(j - 1);
        s.used.add(j - 2);
        const right: Expr = op === '/' ? { k: 'fn', name: 'NULLIF', args: [col(c.table, c.column), lit(0)] } : col(c.table, c.column);
        return { expr: { k: 'bin', op, left: col(other.table, other.column), right }, label: `${other.column} ${op} ${c.column}`, table: c.table, at: [j] };
      }
      const agg = s.items[j - 1] && Object.keys(AGG).find((k) => has(s.items[j - 1], k));
      return { expr: col(c.table, c.column), label: c.column, table: c.table, aggregate: agg ? AGG[agg] : undefined, at: agg ? [j - 1, j] : [j] };
    }
    if (c && isTableItem(s, it) && senses(it, 'column').length) {
      return { expr: col(c.table, c.column), label: c.column, table: c.table, at: [j] };
    }
    if (isTableItem(s, it) || it.kind === 'num') break;
  }
  return undefined;
}

export function leftOperandAt(s: ParseState, i: number): { at: number; column?: ColumnSense } | undefined {
  const c = pickColumn(s, s.items[i - 1]);
  return c ? { at: i - 1, column: c } : undefined;
}

/** A number, a date or a column after a comparator; how many items it took. */
export function rightOperand(s: ParseState, i: number, left: Operand): { expr?: Expr; date?: DateValue; cmpCol?: string; span: number; average?: Cond[] } | undefined {
  const j = next(s, i);
  const it = s.items[j];
  if (!it) return undefined;
  const date = readDate(s.items, j, s.lex);
  // A year compared with a column holding years as numbers is a number ("produced after 1980" on Year).
  const yearNumber = date?.value.kind === 'year' && !isDateColumnExpr(s, left);
  if (date && !yearNumber && date.value.kind !== 'relative' && date.value.kind !== 'this') return { date: date.value, span: date.span + (j - i - 1) };
  if (it.kind === 'num' && (yearNumber || !(it.year && isDateColumnExpr(s, left)))) {
    // "twice the budget", "3 times the cost rate", "50% of the budget": a multiple of another column.
    const percentOf = has(it, 'percent_number') && has(s.items[j + 1], 'in', 'eq') && !isContent(s.items[j + 1]);
    const k = has(s.items[j + 1], 'times') || percentOf ? j + 2 : j + 1;
    const other = s.items[k] && !s.used.has(k) && !isTableItem(s, s.items[k]) ? pickColumn(s, s.items[k], left.table) : undefined;
    if (other && s.lex.catalog.column(other.table, other.column)?.category === 'number') {
      const factor = percentOf ? it.num! / 100 : it.num!;
      return { expr: { k: 'bin', op: '*', left: lit(factor), right: col(other.table, other.column) }, cmpCol: `${factor} × ${other.column}`, span: k - i };
    }
    return { expr: lit(it.num!), span: j - i };
  }
  if (it.kind === 'num') {
    return { date: { kind: 'point', iso: `${it.num}-01-01`, endIso: `${it.num! + 1}-01-01` }, span: j - i };
  }
  if (it.kind === 'date') return { date: { kind: 'point', iso: it.text, endIso: it.text }, span: j - i };
  // "higher than the IT department average": an average, possibly over a subset.
  for (let k = j; k < s.items.length && k - j < 5; k++) {
    if (has(s.items[k], 'average_word', 'avg')) {
      const filters: Cond[] = [];
      for (let m = j; m < k; m++) {
        const v = pickFromList(s, senses(s.items[m], 'value'));
        if (v) {
          filters.push({ k: 'cmp', op: '=', left: col(`${v.table}#sub`, v.column), right: lit(v.value) });
          s.used.add(m);
        }
      }
      return { average: filters, span: k - i };
    }
  }
  const c = pickColumn(s, it, left.table);
  if (c && !it.kws.has('count')) return { expr: col(c.table, c.column), cmpCol: c.column, span: j - i };
  return undefined;
}

/** Multiplier from a unit word after a number ("2 years" of a day-valued duration). */
export function unitScale(s: ParseState, at: number): number | undefined {
  const it = s.items[at];
  if (!it || it.kind !== 'unknown' && it.kind !== 'phrase') return undefined;
  const unit = s.lex.grammar.units[it.text.toLowerCase()];
  if (!unit) return undefined;
  s.used.add(at);
  return { day: 1, week: 7, month: 30, quarter: 91, year: 365 }[unit];
}

export function unitAfterNumber(s: ParseState, i: number): boolean {
  const it = s.items[i + 2];
  return s.items[i + 1]?.kind === 'num' && it !== undefined && s.lex.grammar.units[it.text.toLowerCase()] !== undefined;
}

/** The length of the subject's date range in days. */
export function durationOperand(s: ParseState): { expr: Expr; label: string; table: string } | undefined {
  const f = facts(s, s.plan.subject);
  if (!f.startDate || !f.endDate) return undefined;
  const sx = s.plan.subject;
  return { expr: { k: 'bin', op: '-', left: col(sx, f.endDate), right: col(sx, f.startDate) }, label: 'duration in days', table: sx };
}

/** "budget over 100k" reads budget; "projects over 100k" reads the subject's main money column. */
export function defaultNumeric(s: ParseState, i: number): { expr: Expr; label: string; table: string } | undefined {
  const n = s.items[i + 1];
  if (n?.kind !== 'num') return undefined;
  const money = mainAmount(s, s.plan.subject);
  if (!money) return undefined;
  s.plan.guesses.push(`comparison without a column: ${money} assumed`);
  return { expr: col(s.plan.subject, money), label: money, table: s.plan.subject };
}

/** Places a condition: WHERE for row columns, HAVING when it is on an aggregate. */
export function addCondition(s: ParseState, cond: Cond, left: Operand): void {
  left.at?.forEach((k) => s.used.add(k));
  if (left.aggregate && cond.k === 'cmp') {
    s.plan.having.push({ ...cond, left: { k: 'fn', name: left.aggregate, args: [left.expr] } });
    // The measure compared is shown too ("departments with total budget over 1 million").
    const prefix = left.aggregate === 'SUM' ? 'total' : left.aggregate.toLowerCase();
    addAggregate(s, { fn: left.aggregate, arg: left.expr, alias: aliasName(`${prefix}_${left.label}`) });
    return;
  }
  if (left.grouped) {
    s.plan.having.push(cond);
    return;
  }
  ensure(s, left.table);
  s.plan.where.push(cond);
}

/** "with more than 3 staff": the number of related rows, kept as a column and compared. */
export function countCondition(s: ParseState, counted: Item, op: string, n: number, at: number, countAt: number): void {
  let head = countAt;
  while (isTableItem(s, s.items[head + 1]) && s.items[head + 1].at === s.items[head].end) head++;
  const table = senses(s.items[head], 'table')[0].table;
  for (let k = at; k <= head; k++) s.used.add(k);
  const groupedHere = s.items.slice(0, at).some((it) => has(it, 'group')) || s.plan.groupBy.length > 0;
  const countExpr = relatedCount(s, table);
  if (!countExpr || groupedHere || table === s.plan.subject) {
    s.plan.having.push({ k: 'cmp', op, left: { k: 'fn', name: 'COUNT', args: [], star: true }, right: lit(n) });
    s.plan.steps.push(`Having: COUNT(*) ${op} ${n}.`);
    return;
  }
  const alias = aliasName(`${senses(counted, 'table')[0].table.split('_').at(-1)}_count`);
  s.plan.computed.push({ expr: countExpr, alias });
  s.plan.where.push({ k: 'cmp', op, left: countExpr, right: lit(n) });
  s.plan.steps.push(`Filter: number of related ${table} rows ${op} ${n} (correlated count).`);
}
