/**
 * The structured query the parser builds, and its rendering to SQL text.
 * Nothing from the question reaches the text except through `literal`
 * (quotes doubled) or a catalog identifier, so the output is one SELECT.
 */

/** A table instance in a query: `key` tells apart two uses of one table (a self-join). */
export interface Source {
  table: string;
  key: string;
}

/** A vocabulary expression split around its column references: text pieces and columns of one table. */
export type Template = Array<string | { column: string }>;

export type Expr =
  | { k: 'col'; src: string; column: string }
  | { k: 'lit'; value: string | number | boolean | null }
  | { k: 'tpl'; src: string; parts: Template }
  | { k: 'fn'; name: string; args: Expr[]; distinct?: boolean; star?: boolean; over?: { order: OrderItem[] } }
  | { k: 'bin'; op: string; left: Expr; right: Expr }
  | { k: 'extract'; field: string; arg: Expr }
  | { k: 'sql'; text: string }
  | { k: 'sub'; query: Query }
  | { k: 'case'; when: Cond; then: Expr; else: Expr };

export type Cond =
  | { k: 'cmp'; op: string; left: Expr; right: Expr }
  | { k: 'between'; arg: Expr; low: Expr; high: Expr }
  | { k: 'in'; arg: Expr; values: Expr[]; negated: boolean }
  | { k: 'null'; arg: Expr; negated: boolean }
  | { k: 'like'; arg: Expr; pattern: string; negated: boolean }
  | { k: 'exists'; query: Query; negated: boolean }
  | { k: 'and' | 'or'; items: Cond[] }
  | { k: 'not'; item: Cond }
  | { k: 'tpl'; src: string; parts: Template };

export interface OrderItem {
  expr: Expr;
  desc: boolean;
  nullsLast?: boolean;
}

export interface Join {
  type: 'INNER' | 'LEFT';
  source: Source;
  on: Cond;
}

export interface SelectItem {
  expr: Expr | { k: 'star'; src?: string };
  alias?: string;
}

export interface Query {
  distinct: boolean;
  select: SelectItem[];
  from: Source;
  joins: Join[];
  where: Cond[];
  groupBy: Expr[];
  having: Cond[];
  orderBy: OrderItem[];
  limit?: number;
  /** Further queries whose rows are added (UNION, duplicates removed). */
  union?: Query[];
}

/** Rewrites a condition's expressions bottom-up with `f`; subqueries are left as they are (they have their own scope). */
export function mapCond(c: Cond, f: (e: Expr) => Expr): Cond {
  const e = (x: Expr) => mapExpr(x, f);
  switch (c.k) {
    case 'cmp':
      return { ...c, left: e(c.left), right: e(c.right) };
    case 'between':
      return { ...c, arg: e(c.arg), low: e(c.low), high: e(c.high) };
    case 'in':
      return { ...c, arg: e(c.arg), values: c.values.map(e) };
    case 'null':
    case 'like':
      return { ...c, arg: e(c.arg) };
    case 'and':
    case 'or':
      return { ...c, items: c.items.map((i) => mapCond(i, f)) };
    case 'not':
      return { ...c, item: mapCond(c.item, f) };
    case 'exists':
      return c;
    case 'tpl': {
      const t = f({ k: 'tpl', src: c.src, parts: c.parts });
      return t.k === 'tpl' ? { k: 'tpl', src: t.src, parts: t.parts } : c;
    }
  }
}

export function mapExpr(x: Expr, f: (e: Expr) => Expr): Expr {
  switch (x.k) {
    case 'fn':
      return f({ ...x, args: x.args.map((a) => mapExpr(a, f)), ...(x.over ? { over: { order: x.over.order.map((o) => ({ ...o, expr: mapExpr(o.expr, f) })) } } : {}) });
    case 'bin':
      return f({ ...x, left: mapExpr(x.left, f), right: mapExpr(x.right, f) });
    case 'extract':
      return f({ ...x, arg: mapExpr(x.arg, f) });
    case 'case':
      return f({ ...x, when: mapCond(x.when, f), then: mapExpr(x.then, f), else: mapExpr(x.else, f) });
    default:
      return f(x);
  }
}

/** Whether a query refers to an enclosing one: a scalar subquery or an existence test among its clauses. */
function hasSubquery(q: Query): boolean {
  let found = false;
  const see = (e: Expr): Expr => {
    if (e.k === 'sub') found = true;
    return e;
  };
  const seeCond = (c: Cond): void => {
    if (c.k === 'exists') found = true;
    else mapCond(c, see);
  };
  for (const s of q.select) if (s.expr.k !== 'star') mapExpr(s.expr, see);
  q.where.forEach(seeCond);
  q.having.forEach(seeCond);
  return found;
}

export function emptyQuery(from: Source): Query {
  return { distinct: false, select: [], from, joins: [], where: [], groupBy: [], having: [], orderBy: [] };
}

export function col(src: string, column: string): Expr {
  return { k: 'col', src, column };
}

export function lit(value: string | number | boolean | null): Expr {
  return { k: 'lit', value };
}

/** A string literal with quotes doubled; numbers as plain decimals. */
export function literal(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '0';
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
  }
  return `'${value.replace(/'/g, "''")}'`;
}

const SAFE_ALIAS = /^[a-z_][a-z0-9_]*$/;

/** An output column name as an identifier: lower-case words joined by underscores. */
export function aliasName(label: string): string {
  const name = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  const safe = name === '' ? 'value' : /^[0-9]/.test(name) ? `v_${name}` : name;
  return SAFE_ALIAS.test(safe) && !RESERVED.has(safe) ? safe : `${safe}_value`;
}

const RESERVED = new Set(['all', 'and', 'as', 'asc', 'by', 'case', 'desc', 'distinct', 'end', 'from', 'group', 'having',
  'in', 'is', 'limit', 'not', 'null', 'or', 'order', 'select', 'table', 'then', 'to', 'when', 'where', 'with', 'user',
  'rank', 'year', 'month', 'day', 'current_date', 'count', 'sum', 'avg', 'min', 'max', 'value', 'offset', 'on']);

interface Scope {
  alias: Map<string, string>;
  qualify: boolean;
}

function sourcesOf(q: Query): Source[] {
  return [q.from, ...q.joins.map((j) => j.source)];
}

/** Short aliases from the initial of the table's last word (ORDER_LINES → l), unique within the query. */
function makeScope(q: Query, outer?: Scope): Scope {
  const sources = sourcesOf(q);
  const used = new Set(outer ? [...outer.alias.values()] : []);
  const alias = new Map(outer?.alias ?? []);
  for (const s of sources) {
    const words = s.table.toLowerCase().split('_').filter((w) => w !== '');
    const base = (words.at(-1) ?? s.table.toLowerCase()).replace(/[^a-z]/g, '').slice(0, 1) || 't';
    let name = base;
    for (let i = 2; used.has(name) || RESERVED.has(name); i++) name = `${base}${i}`;
    used.add(name);
    alias.set(s.key, name);
  }
  return { alias, qualify: sources.length > 1 || outer !== undefined || hasSubquery(q) };
}

function ref(scope: Scope, src: string, column: string): string {
  if (!scope.qualify) return column;
  const a = scope.alias.get(src);
  return a ? `${a}.${column}` : column;
}

function renderExpr(e: Expr, scope: Scope): string {
  switch (e.k) {
    case 'col':
      return ref(scope, e.src, e.column);
    case 'lit':
      return literal(e.value);
    case 'tpl':
      return `(${e.parts.map((p) => (typeof p === 'string' ? p : ref(scope, e.src, p.column))).join('')})`;
    case 'fn': {
      const args = e.star ? '*' : `${e.distinct ? 'DISTINCT ' : ''}${e.args.map((a) => renderExpr(a, scope)).join(', ')}`;
      const over = e.over ? ` OVER (${e.over.order.length ? `ORDER BY ${renderOrder(e.over.order, scope)}` : ''})` : '';
      return `${e.name}(${args})${over}`;
    }
    case 'bin':
      return `(${renderExpr(e.left, scope)} ${e.op} ${renderExpr(e.right, scope)})`;
    case 'extract':
      return `EXTRACT(${e.field} FROM ${renderExpr(e.arg, scope)})`;
    case 'sql':
      return e.text;
    case 'sub':
      return `(${renderQuery(e.query, scope)})`;
    case 'case':
      return `CASE WHEN ${renderCond(e.when, scope)} THEN ${renderExpr(e.then, scope)} ELSE ${renderExpr(e.else, scope)} END`;
  }
}

function renderCond(c: Cond, scope: Scope): string {
  switch (c.k) {
    case 'cmp':
      return `${renderExpr(c.left, scope)} ${c.op} ${renderExpr(c.right, scope)}`;
    case 'between':
      return `${renderExpr(c.arg, scope)} BETWEEN ${renderExpr(c.low, scope)} AND ${renderExpr(c.high, scope)}`;
    case 'in':
      return `${renderExpr(c.arg, scope)} ${c.negated ? 'NOT IN' : 'IN'} (${c.values.map((v) => renderExpr(v, scope)).join(', ')})`;
    case 'null':
      return `${renderExpr(c.arg, scope)} IS ${c.negated ? 'NOT NULL' : 'NULL'}`;
    case 'like':
      return `${renderExpr(c.arg, scope)} ${c.negated ? 'NOT ILIKE' : 'ILIKE'} ${literal(c.pattern)}`;
    case 'exists':
      return `${c.negated ? 'NOT EXISTS' : 'EXISTS'} (${renderQuery(c.query, scope)})`;
    case 'and':
    case 'or':
      return c.items.length === 1 ? renderCond(c.items[0], scope) : `(${c.items.map((i) => renderCond(i, scope)).join(` ${c.k.toUpperCase()} `)})`;
    case 'not':
      return `NOT (${renderCond(c.item, scope)})`;
    case 'tpl':
      return `(${c.parts.map((p) => (typeof p === 'string' ? p : ref(scope, c.src, p.column))).join('')})`;
  }
}

function renderOrder(items: OrderItem[], scope: Scope, aliases?: Map<string, string>): string {
  return items.map((o) => {
    const rendered = renderExpr(o.expr, scope);
    const text = aliases?.get(rendered) ?? rendered;
    return `${text}${o.desc ? ' DESC' : ' ASC'}${o.nullsLast ? ' NULLS LAST' : ''}`;
  }).join(', ');
}

/** The SQL text of a query; `outer` is the enclosing query's scope for correlated subqueries. */
export function renderQuery(q: Query, outer?: Scope): string {
  const scope = makeScope(q, outer);
  const selectAliases = new Map<string, string>();
  const items = q.select.map((s) => {
    if (s.expr.k === 'star') {
      const src = s.expr.src;
      return src !== undefined && scope.qualify ? `${scope.alias.get(src)}.*` : '*';
    }
    const text = renderExpr(s.expr, scope);
    if (s.alias) selectAliases.set(text, s.alias);
    return s.alias ? `${text} AS ${s.alias}` : text;
  });
  const from = (s: Source) => (scope.qualify ? `${s.table} ${scope.alias.get(s.key)}` : s.table);
  let sql = `SELECT ${q.distinct ? 'DISTINCT ' : ''}${items.join(', ') || '*'} FROM ${from(q.from)}`;
  for (const j of q.joins) sql += ` ${j.type === 'LEFT' ? 'LEFT JOIN' : 'JOIN'} ${from(j.source)} ON ${renderCond(j.on, scope)}`;
  if (q.where.length) sql += ` WHERE ${q.where.map((c) => renderCond(c, scope)).join(' AND ')}`;
  if (q.groupBy.length) sql += ` GROUP BY ${q.groupBy.map((g) => renderExpr(g, scope)).join(', ')}`;
  if (q.having.length) sql += ` HAVING ${q.having.map((c) => renderCond(c, scope)).join(' AND ')}`;
  if (q.orderBy.length) sql += ` ORDER BY ${renderOrder(q.orderBy, scope, q.groupBy.length || q.distinct ? selectAliases : undefined)}`;
  if (q.limit !== undefined) sql += ` LIMIT ${Math.max(1, Math.floor(q.limit))}`;
  for (const u of q.union ?? []) sql += ` UNION ${renderQuery(u, outer)}`;
  return sql;
}

/** A one-line account of a query's structure, for the reasoning: tables, joins, conditions, groups, order, limit. */
export function describeQuery(q: Query): string {
  const parts = [`FROM ${q.from.table}`];
  for (const j of q.joins) {
    const on = j.on.k === 'cmp' && j.on.left.k === 'col' && j.on.right.k === 'col' ? ` ON ${j.on.left.column} = ${j.on.right.column}` : '';
    parts.push(`${j.type === 'LEFT' ? 'LEFT JOIN' : 'JOIN'} ${j.source.table}${j.source.key.endsWith('#parent') ? ' (as parent)' : ''}${on}`);
  }
  if (q.where.length) parts.push(`${q.where.length} condition${q.where.length > 1 ? 's' : ''} in WHERE`);
  if (q.groupBy.length) parts.push(`GROUP BY ${q.groupBy.length} key${q.groupBy.length > 1 ? 's' : ''}`);
  if (q.having.length) parts.push('HAVING');
  if (q.distinct) parts.push('DISTINCT');
  if (q.orderBy.length) parts.push(`ORDER BY ${q.orderBy.map((o) => (o.desc ? 'DESC' : 'ASC')).join(', ')}`);
  if (q.limit !== undefined) parts.push(`LIMIT ${q.limit}`);
  return `Query: ${parts.join('; ')}.`;
}
