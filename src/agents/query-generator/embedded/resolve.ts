/**
 * Resolution shared by readers: which column, measure or value an item means
 * given the tables in play, making a table take part along its foreign-key
 * path, and the subqueries that relate a table's rows to the subject's.
 */
import { identifierWords } from '../../../language/words.js';
import { has, senses, isContent, type ColumnSense, type MeasureSense } from './items.js';
import { hopCondition, type Hop } from './joins.js';
import { aliasName, col, emptyQuery, lit, type Expr, type Query } from './query.js';
import { CMP, facts, tableOf, isTableItem, inPlay, addAggregate, type ParseState } from './state.js';
import type { Item } from './tokens.js';

export function pickColumn(s: ParseState, item: Item | undefined, prefer?: string): ColumnSense | undefined {
  const cols = senses(item, 'column');
  if (cols.length === 0) return undefined;
  const play = prefer ? [prefer, ...inPlay(s)] : inPlay(s);
  for (const t of play) {
    const hit = cols.filter((c) => c.table === t).sort((a, b) => a.rank - b.rank)[0];
    if (hit) return hit;
  }
  // A column of a table reachable by foreign keys joins that table in.
  const reachable = cols.filter((c) => s.lex.path(s.plan.subject, c.table, 2)).sort((a, b) => a.rank - b.rank);
  return reachable[0] ?? cols.sort((a, b) => a.rank - b.rank)[0];
}

export function pickFromList<T extends { table: string }>(s: ParseState, list: T[]): T | undefined {
  for (const t of inPlay(s)) {
    const hit = list.find((sx) => sx.table === t);
    if (hit) return hit;
  }
  return list.find((sx) => s.lex.path(s.plan.subject, sx.table, 2)) ?? list[0];
}

export function pickMeasure(s: ParseState, item: Item | undefined): MeasureSense | undefined {
  return pickFromList(s, senses(item, 'measure'));
}

/** Makes sure a table takes part in the query, joined along its foreign-key path. */
export function ensure(s: ParseState, table: string, type: 'INNER' | 'LEFT' = 'INNER'): string {
  if (table === s.plan.subject) return table;
  const current = s.plan.joins.get(table);
  if (current) {
    if (current === 'LEFT' && type === 'INNER') s.plan.joins.set(table, 'INNER');
    return table;
  }
  const path = s.lex.path(s.plan.subject, table);
  if (!path) {
    s.plan.guesses.push(`${table} has no foreign-key path from ${s.plan.subject}`);
    return table;
  }
  for (const hop of path) {
    if (hop.to !== s.plan.subject && !s.plan.joins.has(hop.to)) s.plan.joins.set(hop.to, type);
  }
  return table;
}

/** The column or measure at `j`, looking past "of" and a table word qualifying it ("of project budgets"). */
export function operandAt(s: ParseState, j: number): { at: number; column?: ColumnSense; measure?: MeasureSense } | undefined {
  if (has(s.items[j], 'in', 'eq') && !isContent(s.items[j])) j++;
  if (isTableItem(s, s.items[j]) && (senses(s.items[j + 1], 'column').length || senses(s.items[j + 1], 'measure').length)) {
    s.used.add(j);
    j++;
  }
  const it = s.items[j];
  const measure = pickMeasure(s, it);
  if (measure) return { at: j, measure };
  const column = isTableItem(s, it) && !senses(it, 'column').length ? undefined : pickColumn(s, it);
  return column ? { at: j, column } : undefined;
}

export function isDateColumnExpr(s: ParseState, left: { table: string } & Partial<{ expr: Expr }>): boolean {
  const e = left.expr;
  if (!e || e.k !== 'col') return false;
  const c = s.lex.catalog.column(left.table, e.column);
  return c?.category === 'date' || c?.category === 'timestamp';
}

export function dateColumnFor(s: ParseState, i: number, table = s.plan.subject): { table: string; column: string; year?: boolean } {
  const f = facts(s, table);
  for (let j = i - 1; j >= 0 && i - j <= 4; j--) {
    const it = s.items[j];
    const c = senses(it, 'column').find((sx) => {
      const k = s.lex.catalog.column(sx.table, sx.column);
      return (k?.category === 'date' || k?.category === 'timestamp') && inPlay(s).includes(sx.table);
    });
    if (c && !has(it, 'start', 'end')) {
      s.used.add(j);
      return { table: c.table, column: c.column };
    }
    if (has(it, 'end') && f.endDate) return { table, column: f.endDate };
    if (has(it, 'start') && f.startDate) return { table, column: f.startDate };
    if (isTableItem(s, it)) break;
  }
  // "Contracts expiring …" names the verb after the date phrase's table; a verb anywhere decides.
  if (s.items.some((it) => has(it, 'end') && !has(it, 'start')) && f.endDate) return { table, column: f.endDate };
  if (s.items.some((it) => has(it, 'start') && !has(it, 'end')) && f.startDate) return { table, column: f.startDate };
  if (!f.defaultDate) {
    // No date column: a year held as a number ("concerts in 2014" on concert.Year), joined in when it is another table's.
    const y = yearColumn(s, table);
    if (y) {
      ensure(s, y.table);
      return { ...y, year: true };
    }
    return { table, column: f.table.columns[0].name };
  }
  return { table, column: f.defaultDate };
}

/** The nearest numeric column named as a year: the table's own, then one of the tables in play, then one reachable. */
function yearColumn(s: ParseState, table: string): { table: string; column: string } | undefined {
  const own = (t: string) => facts(s, t).table.columns.find((c) => c.category === 'number' && identifierWords(c.name).includes('year'));
  const reachable = s.lex.catalog.tables.map((t) => t.name).filter((t) => s.lex.path(table, t) !== undefined)
    .sort((a, b) => (s.lex.path(table, a)?.length ?? 9) - (s.lex.path(table, b)?.length ?? 9));
  for (const t of [table, ...inPlay(s), ...reachable]) {
    const c = own(t);
    if (c) return { table: t, column: c.name };
  }
  return undefined;
}

/** The table item a value or filter stands before as an adjective ("active projects", "Finance department projects"). */
export function nounAfter(s: ParseState, i: number, support: Map<string, number>): string | undefined {
  for (let j = i + 1; j < s.items.length && j - i <= 3; j++) {
    const it = s.items[j];
    if (it.at !== s.items[j - 1].end) return undefined;
    if (isTableItem(s, it)) return tableOf(s, it, support);
    if (has(it, 'and', 'or') || senses(it, 'value').length || senses(it, 'filter').length || (senses(it, 'column').length && !has(it, ...Object.keys(CMP)))) continue;
    return undefined;
  }
  return undefined;
}

export function join(s: ParseState, table: string, type: 'INNER' | 'LEFT', why: string): void {
  ensure(s, table, type);
  s.plan.steps.push(`${why} ${table} along ${pathText(s, table)}.`);
}

export function pathText(s: ParseState, table: string): string {
  const path = s.lex.path(s.plan.subject, table) ?? [];
  return path.map((h) => `${h.from}.${h.fromColumns.join(',')} = ${h.to}.${h.toColumns.join(',')}`).join(', ') || 'no key';
}

export function existence(s: ParseState, table: string, negated: boolean, at: number): void {
  const path = s.lex.path(s.plan.subject, table);
  if (!path || path.length === 0) return;
  const query = existsQuery(s, path);
  s.existsTargets.set(table, { query, at });
  s.plan.where.push({ k: 'exists', query, negated });
  s.plan.steps.push(`${negated ? 'NOT EXISTS' : 'EXISTS'}: ${s.plan.subject} rows ${negated ? 'without' : 'with'} a ${table} row (${pathText(s, table)}).`);
}

/** `SELECT 1 FROM <path> WHERE <first hop> = outer` for EXISTS along a foreign-key path. */
export function existsQuery(s: ParseState, path: Hop[]): Query {
  const keyOf = (t: string) => `${t}#sub`;
  const first = path[0];
  const q = emptyQuery({ table: first.to, key: keyOf(first.to) });
  q.select = [{ expr: lit(1) }];
  q.where = [hopCondition(first, s.plan.subject, keyOf(first.to))];
  for (const hop of path.slice(1)) q.joins.push({ type: 'INNER', source: { table: hop.to, key: keyOf(hop.to) }, on: hopCondition(hop, keyOf(hop.from), keyOf(hop.to)) });
  return q;
}

/** A correlated COUNT of a related table's rows per subject row. */
export function relatedCount(s: ParseState, table: string, fn = 'COUNT', column?: string): Expr | undefined {
  const path = s.lex.path(s.plan.subject, table, 1);
  if (!path || path.length !== 1) {
    // "resources on more than 2 projects": distinct rows reached through a linking table.
    const longer = s.lex.path(s.plan.subject, table, 2);
    const pk = s.lex.catalog.table(table)?.primaryKey[0];
    if (!longer || longer.length !== 2 || column || !pk) return undefined;
    const q = existsQuery(s, longer);
    q.select = [{ expr: { k: 'fn', name: 'COUNT', args: [col(`${table}#sub`, pk)], distinct: true } }];
    return { k: 'sub', query: q };
  }
  const hop = path[0];
  const key = `${table}#sub`;
  const sub = emptyQuery({ table, key });
  sub.select = [{ expr: column ? { k: 'fn', name: fn, args: [col(key, column)] } : { k: 'fn', name: 'COUNT', args: [], star: true } }];
  sub.where = [hopCondition({ ...hop, from: table, to: s.plan.subject, fromColumns: hop.toColumns, toColumns: hop.fromColumns, toParent: !hop.toParent }, key, s.plan.subject)];
  return { k: 'sub', query: sub };
}

/**
 * A column's value for each subject row: its own or a parent's column, or —
 * "customers by contract value" — the total of the subject's child rows, shown as a column.
 */
export function perRowAmount(s: ParseState, c: ColumnSense): Expr {
  const alias = aliasName(`total_${c.column}`);
  const known = s.plan.computed.find((x) => x.alias === alias);
  if (known && known.expr.k !== 'star') return known.expr;
  const hops = c.table !== s.plan.subject && !s.plan.from ? s.lex.path(s.plan.subject, c.table, 1) : undefined;
  const related = hops?.length === 1 && !hops[0].toParent ? relatedCount(s, c.table, 'SUM', c.column) : undefined;
  if (!related) return col(c.table, c.column);
  s.plan.computed.push({ expr: related, alias });
  s.plan.steps.push(`Total ${c.column} of each ${s.plan.subject} row's ${c.table} rows.`);
  return related;
}

/** The column that measures a row's size: a money amount, else the first numeric non-key column. */
export function mainAmount(s: ParseState, table: string): string | undefined {
  const t = facts(s, table).table;
  const fk = new Set(t.foreignKeys.flatMap((f) => f.columns));
  const cols = t.columns.filter((c) => c.category === 'number' && !c.primaryKey && !fk.has(c.name) && !/_id$/i.test(c.name));
  return (cols.find((c) => /budget|value|amount|revenue|price|limit/i.test(c.name)) ?? cols[0])?.name;
}

/** A key value of a parent table is read on the subject's own referencing column (no join needed). */
export function viaForeignKey(s: ParseState, found: { table: string; column: string; value: string } | undefined): typeof found {
  if (!found || found.table === s.plan.subject) return found;
  const fk = facts(s, s.plan.subject).table.foreignKeys.find((f) => f.columns.length === 1 &&
    f.refTable.toLowerCase() === found.table.toLowerCase() && f.refColumns[0].toLowerCase() === found.column.toLowerCase());
  return fk ? { table: s.plan.subject, column: fk.columns[0], value: found.value } : found;
}

export function findValue(s: ParseState, text: string): { table: string; column: string; value: string } | undefined {
  const lower = text.toLowerCase();
  let best: { table: string; column: string; value: string; score: number } | undefined;
  for (const [key, values] of s.lex.values) {
    const v = values.find((x) => x.toLowerCase() === lower);
    if (!v) continue;
    const [table, column] = key.split('.');
    const score = inPlay(s).includes(table) ? 2 : s.lex.path(s.plan.subject, table, 2) ? 1 : 0;
    if (!best || score > best.score) best = { table, column, value: v, score };
  }
  return best;
}

/** A measure that is itself a total ("utilization"): grouped by its key, shown as a column. */
export function useAggregateMeasure(s: ParseState, m: MeasureSense): void {
  s.plan.from ??= m.table;
  if (m.per && !s.plan.groupBy.some((g) => g.expr.k === 'col' && g.expr.column === m.per)) s.plan.groupBy.push({ expr: col(m.table, m.per) });
  addAggregate(s, { fn: '', arg: m.expr, alias: aliasName(m.label) });
}

/** The columns a group of one table's rows is shown by: its key, then the columns that name it. */
export function keyAndNames(s: ParseState, table: string): string[] {
  const f = facts(s, table);
  return [...new Set([...f.table.primaryKey, ...f.display])];
}

/** The column a text pattern applies to: one named just before, a code column for code-like text, else the name. */
export function patternColumn(s: ParseState, i: number, text: string, inName: boolean): { table: string; column: string } | undefined {
  const prev = s.items[i - 1];
  const named = pickColumn(s, prev);
  if (named && !isTableItem(s, prev) && s.lex.catalog.column(named.table, named.column)?.category === 'text') return named;
  const f = facts(s, s.plan.subject);
  const codeLike = /\d/.test(text) || (/^[A-Z0-9-]+$/.test(text) && text.length <= 5);
  if (!inName && codeLike && f.codeColumn && s.lex.catalog.column(f.table.name, f.codeColumn)?.category === 'text') {
    return { table: f.table.name, column: f.codeColumn };
  }
  return f.nameColumn ? { table: f.table.name, column: f.nameColumn } : undefined;
}

/** "Department with the highest …": the question opens on a column, which becomes the group. */
export function firstIsColumnGroup(s: ParseState): boolean {
  const first = s.items.findIndex((it) => isContent(it) && !has(it, 'list', 'which'));
  const it = s.items[first];
  if (!it || isTableItem(s, it)) return false;
  const c = pickColumn(s, it);
  if (!c || s.plan.aggregates.some((a) => a.arg?.k === 'col' && a.arg.column === c.column)) return false;
  const column = s.lex.catalog.column(c.table, c.column);
  if (column?.category !== 'text' || s.plan.groupBy.some((g) => g.expr.k === 'col' && g.expr.column === c.column)) {
    return s.plan.groupBy.some((g) => g.expr.k === 'col' && g.expr.column === c.column);
  }
  ensure(s, c.table);
  s.plan.groupBy.push({ expr: col(c.table, c.column) });
  s.used.add(first);
  s.plan.steps.push(`Group by ${c.column} (the question asks which ${c.column}).`);
  return true;
}
