/**
 * Name resolution over the parse tree, the way PostgreSQL's analyzer does it:
 * each SELECT gets a scope of FROM entries (tables, CTEs, subqueries,
 * functions) under their aliases; each column reference is resolved against
 * the innermost scope that has it, then the enclosing ones (correlated
 * subqueries); ORDER BY and GROUP BY may name output columns. The schema,
 * business and performance layers all read this one model.
 */
import { nameParts, type AstNode } from '../../sql/ast.js';
import type { ParseTree } from '../../sql/parser.js';
import { isSystemRelation } from '../../sql/safety.js';
import type { Column, Table } from '../../schema/types.js';
import type { PreparedDeps } from './prepared.js';

export interface OutputColumn {
  /** Lower case, as PostgreSQL folds unquoted names. */
  name: string;
  /** The base table column it passes through unchanged, if any. */
  source?: Column;
}

export type EntryKind = 'table' | 'cte' | 'subquery' | 'function' | 'unknown';

export interface RangeEntry {
  id: number;
  /** The name that qualifies its columns: the alias, else the relation name (lower case). */
  name: string;
  kind: EntryKind;
  table?: Table;
  /** The relation name as the parser gave it, for tables and CTEs. */
  relname?: string;
  aliased: boolean;
  /** Undefined when not knowable (unknown table, function without a column list): any column is accepted. */
  columns?: OutputColumn[];
  /** The query of a subquery or CTE entry. */
  query?: AstNode;
  location: number;
  scope: SelectScope;
}

export interface SelectScope {
  /** The SelectStmt body with a FROM list (set operations have their own scopes per arm). */
  stmt: AstNode;
  entries: RangeEntry[];
  parent?: SelectScope;
  outputs: OutputColumn[];
  /** Columns merged by JOIN … USING or NATURAL JOIN: unqualified use is not ambiguous. */
  merged: Set<string>;
  ctes: CteEnv;
}

export type ColumnStatus = 'ok' | 'output_alias' | 'unknown_column' | 'ambiguous' | 'unknown_qualifier' | 'unresolvable';

export interface ColumnUse {
  node: AstNode;
  /** Name parts, lower case as parsed: `['p', 'status']`. */
  fields: string[];
  location: number;
  status: ColumnStatus;
  entry?: RangeEntry;
  /** The base table column, when the reference reaches one. */
  column?: Column;
  /** For `ambiguous`: the entries that all have the column. For `unknown_qualifier`: an entry the name was aliased away from. */
  candidates?: RangeEntry[];
  /** The scope the reference was written in. */
  scope: SelectScope;
}

export interface RelationUse {
  node: AstNode;
  name: string;
  schema?: string;
  location: number;
  table?: Table;
  cte: boolean;
  /** pg_catalog, information_schema or a pg_* relation the catalog does not define. */
  system: boolean;
  entry: RangeEntry;
}

export interface QueryModel {
  relations: RelationUse[];
  columns: ColumnUse[];
  byNode: Map<AstNode, ColumnUse>;
  scopes: SelectScope[];
  /** Entries whose name is used twice in one FROM list. */
  duplicateNames: RangeEntry[];
  /** For each JoinExpr node: the entries of its left and its right side. */
  joinSides: Map<AstNode, [RangeEntry[], RangeEntry[]]>;
}

/** CTE name → its output columns (undefined: not knowable) and its query. */
type CteEnv = Map<string, { columns: OutputColumn[] | undefined; query?: AstNode }>;

export function resolveQuery(tree: ParseTree, deps: PreparedDeps): QueryModel {
  const resolver = new Resolver(deps);
  for (const { stmt } of tree.stmts) {
    if (stmt.SelectStmt) resolver.select(stmt.SelectStmt, undefined, new Map());
  }
  return resolver.model;
}

/** The entries of `scope` that the column references below `expr` reach (not those of nested subqueries). */
export function entriesIn(expr: unknown, scope: SelectScope, model: QueryModel): Set<RangeEntry> {
  const found = new Set<RangeEntry>();
  forEachColumnRef(expr, (ref) => {
    const use = model.byNode.get(ref);
    if (use?.entry && use.entry.scope === scope) found.add(use.entry);
  });
  return found;
}

/** The operands of a top-level AND (the expression itself when it is not one). */
export function conjuncts(expr: AstNode | undefined): AstNode[] {
  if (!expr) return [];
  if (expr.BoolExpr?.boolop === 'AND_EXPR') return (expr.BoolExpr.args ?? []).flatMap((a: AstNode) => conjuncts(a));
  return [expr];
}

/** Calls `visit` for every typed node below `root` (`{ ColumnRef: {…} }` → 'ColumnRef'), keeping no ancestors: it runs on every validation. */
export function forEachNode(root: unknown, visit: (type: string, node: AstNode) => void): void {
  if (Array.isArray(root)) {
    for (const item of root) forEachNode(item, visit);
    return;
  }
  if (root === null || typeof root !== 'object') return;
  const object = root as AstNode;
  for (const key in object) {
    const value = object[key];
    if (value === null || typeof value !== 'object') continue;
    const code = key.charCodeAt(0);
    if (code >= 65 && code <= 90 && !Array.isArray(value)) visit(key, value);
    forEachNode(value, visit);
  }
}

export function forEachColumnRef(root: unknown, visit: (ref: AstNode) => void): void {
  forEachNode(root, (type, node) => {
    if (type === 'ColumnRef') visit(node);
  });
}

class Resolver {
  readonly model: QueryModel = { relations: [], columns: [], byNode: new Map(), scopes: [], duplicateNames: [], joinSides: new Map() };
  private nextId = 0;

  constructor(private readonly deps: PreparedDeps) {}

  select(stmt: AstNode, parent: SelectScope | undefined, outerCtes: CteEnv): OutputColumn[] | undefined {
    const ctes = stmt.withClause ? this.withClause(stmt.withClause, parent, outerCtes) : outerCtes;
    const scope: SelectScope = { stmt, entries: [], parent, outputs: [], merged: new Set(), ctes };
    if (stmt.op && stmt.op !== 'SETOP_NONE') {
      const left = this.select(stmt.larg, parent, ctes);
      this.select(stmt.rarg, parent, ctes);
      scope.outputs = left ?? [];
      this.orderBy(stmt.sortClause, scope, left === undefined);
      this.expr([stmt.limitCount, stmt.limitOffset], scope);
      return left;
    }
    if (stmt.valuesLists) {
      this.expr(stmt.valuesLists, scope);
      const width = stmt.valuesLists[0]?.List?.items?.length ?? 0;
      return Array.from({ length: width }, (_, i) => ({ name: `column${i + 1}` }));
    }
    this.model.scopes.push(scope);
    for (const item of stmt.fromClause ?? []) this.fromItem(item, scope);
    let open = false;
    for (const target of stmt.targetList ?? []) {
      const res = target.ResTarget;
      if (!res) continue;
      this.expr(res.val, scope);
      const outputs = this.outputsOf(res, scope);
      if (outputs === undefined) open = true;
      else scope.outputs.push(...outputs);
    }
    this.expr(stmt.whereClause, scope);
    for (const item of stmt.groupClause ?? []) this.expr(item, scope, 'group');
    this.expr([stmt.havingClause, stmt.windowClause, stmt.distinctClause], scope);
    this.orderBy(stmt.sortClause, scope, open);
    this.expr([stmt.limitCount, stmt.limitOffset], scope);
    return open ? undefined : scope.outputs;
  }

  private withClause(withClause: AstNode, parent: SelectScope | undefined, outer: CteEnv): CteEnv {
    const ctes: CteEnv = new Map(outer);
    for (const item of withClause.ctes ?? []) {
      const cte = item.CommonTableExpr;
      if (!cte) continue;
      const name = String(cte.ctename).toLowerCase();
      const aliases = nameParts(cte.aliascolnames).map((n) => n.toLowerCase());
      const query = cte.ctequery?.SelectStmt;
      if (withClause.recursive && query?.op && query.op !== 'SETOP_NONE') {
        // The recursive term sees the CTE with the columns of its non-recursive term.
        const seed = this.select(query.larg, parent, ctes);
        ctes.set(name, { columns: rename(seed, aliases), query });
        this.select(query.rarg, parent, ctes);
      } else if (query) {
        ctes.set(name, { columns: rename(this.select(query, parent, ctes), aliases), query });
      } else {
        // A data-modifying CTE: the security layer rejects it; its columns are not knowable here.
        ctes.set(name, { columns: undefined });
      }
    }
    return ctes;
  }

  private fromItem(item: AstNode, scope: SelectScope): void {
    if (item.RangeVar) this.rangeVar(item.RangeVar, scope);
    else if (item.JoinExpr) this.join(item.JoinExpr, scope);
    else if (item.RangeSubselect) {
      const sub = item.RangeSubselect;
      const outputs = sub.subquery?.SelectStmt
        ? this.select(sub.subquery.SelectStmt, sub.lateral ? scope : scope.parent, scope.ctes)
        : undefined;
      const alias = sub.alias?.aliasname;
      this.addEntry(scope, {
        name: alias ? String(alias).toLowerCase() : '',
        kind: 'subquery',
        query: sub.subquery?.SelectStmt,
        aliased: Boolean(alias),
        columns: rename(outputs, nameParts(sub.alias?.colnames).map((n) => n.toLowerCase())),
        location: -1,
      });
    } else if (item.RangeFunction) {
      const fn = item.RangeFunction;
      this.expr(fn.functions, scope);
      const first = fn.functions?.[0]?.List?.items?.[0]?.FuncCall;
      const alias = fn.alias?.aliasname ?? nameParts(first?.funcname).at(-1) ?? '';
      const colnames = nameParts(fn.alias?.colnames).map((n) => n.toLowerCase());
      this.addEntry(scope, {
        name: String(alias).toLowerCase(),
        kind: 'function',
        aliased: Boolean(fn.alias),
        columns: colnames.length > 0 ? colnames.map((name) => ({ name })) : undefined,
        location: first?.location ?? -1,
      });
    } else if (item.RangeTableSample) {
      this.fromItem(item.RangeTableSample.relation, scope);
      this.expr([item.RangeTableSample.args, item.RangeTableSample.repeatable], scope);
    } else {
      this.expr(item, scope);
    }
  }

  private rangeVar(rv: AstNode, scope: SelectScope): void {
    const relname = String(rv.relname);
    const lower = relname.toLowerCase();
    const schema = rv.schemaname ? String(rv.schemaname).toLowerCase() : undefined;
    const cteColumns = schema === undefined && scope.ctes.has(lower);
    const table = cteColumns || (schema !== undefined && schema !== 'public') ? undefined : this.deps.catalog.table(relname);
    const system = !table && !cteColumns && isSystemRelation(relname, schema);
    const alias = rv.alias?.aliasname ? String(rv.alias.aliasname).toLowerCase() : undefined;
    const cte = cteColumns ? scope.ctes.get(lower) : undefined;
    const base: OutputColumn[] | undefined = cte ? cte.columns : table && this.deps.tableColumns.get(table);
    const entry = this.addEntry(scope, {
      name: alias ?? lower,
      kind: cteColumns ? 'cte' : table ? 'table' : 'unknown',
      query: cte?.query,
      table,
      relname,
      aliased: alias !== undefined,
      columns: rename(base, nameParts(rv.alias?.colnames).map((n) => n.toLowerCase())),
      location: rv.location ?? -1,
    });
    this.model.relations.push({ node: rv, name: relname, schema, location: rv.location ?? -1, table, cte: cteColumns, system, entry });
  }

  private join(join: AstNode, scope: SelectScope): void {
    const before = scope.entries.length;
    this.fromItem(join.larg, scope);
    const middle = scope.entries.length;
    this.fromItem(join.rarg, scope);
    this.model.joinSides.set(join, [scope.entries.slice(before, middle), scope.entries.slice(middle)]);
    for (const name of nameParts(join.usingClause)) scope.merged.add(name.toLowerCase());
    if (join.isNatural) {
      const left = new Set(scope.entries.slice(before, middle).flatMap((e) => (e.columns ?? []).map((c) => c.name)));
      for (const e of scope.entries.slice(middle)) for (const c of e.columns ?? []) if (left.has(c.name)) scope.merged.add(c.name);
    }
    this.expr(join.quals, scope);
  }

  private addEntry(scope: SelectScope, entry: Omit<RangeEntry, 'id' | 'scope'>): RangeEntry {
    const full = entry as RangeEntry;
    full.id = this.nextId++;
    full.scope = scope;
    if (full.name !== '' && scope.entries.some((e) => e.name === full.name)) this.model.duplicateNames.push(full);
    scope.entries.push(full);
    return full;
  }

  /** Resolves the column references below `node`; `group` lets a bare unknown name fall back to an output column. */
  private expr(node: unknown, scope: SelectScope, clause?: 'group'): void {
    if (Array.isArray(node)) {
      for (const item of node) this.expr(item, scope, clause);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const object = node as AstNode;
    for (const key in object) {
      const value = object[key];
      if (key === 'ColumnRef') this.column(value as AstNode, scope, clause === 'group');
      else if (key === 'SubLink') {
        this.expr(value.testexpr, scope);
        if (value.subselect?.SelectStmt) this.select(value.subselect.SelectStmt, scope, scope.ctes);
      } else if (key === 'SelectStmt') this.select(value as AstNode, scope, scope.ctes);
      else if (value !== null && typeof value === 'object') this.expr(value, scope, clause);
    }
  }

  /** ORDER BY: a bare name is an output column first, then an input column; `open` outputs accept any bare name. */
  private orderBy(sortClause: AstNode[] | undefined, scope: SelectScope, open: boolean): void {
    for (const item of sortClause ?? []) {
      const ref = item.SortBy?.node?.ColumnRef;
      const fields = ref ? nameParts(ref.fields).map((f) => f.toLowerCase()) : [];
      const output = fields.length === 1 ? scope.outputs.find((o) => o.name === fields[0]) : undefined;
      if (ref && (output || (open && fields.length === 1 && scope.entries.length === 0))) {
        this.record({ node: ref, fields, location: ref.location ?? -1, status: 'output_alias', column: output?.source, scope });
      } else {
        this.expr(item, scope, 'group');
      }
    }
  }

  private column(ref: AstNode, scope: SelectScope, outputFallback: boolean): void {
    const fields = nameParts(ref.fields).map((f) => f.toLowerCase());
    const use: ColumnUse = { node: ref, fields, location: ref.location ?? -1, status: 'ok', scope };
    const name = fields[fields.length - 1];
    if (fields.length === 1 && name === '*') return void this.record(use);
    if (fields.length === 1) this.unqualified(use, name, scope);
    else this.qualified(use, fields[fields.length - 2], name, scope);
    if (use.status === 'unknown_column' && outputFallback && fields.length === 1) {
      const output = scope.outputs.find((o) => o.name === name);
      if (output) Object.assign(use, { status: 'output_alias', column: output.source, entry: undefined });
    }
    this.record(use);
  }

  private unqualified(use: ColumnUse, name: string, scope: SelectScope): void {
    for (let s: SelectScope | undefined = scope; s; s = s.parent) {
      const matches = s.entries.filter((e) => e.columns?.some((c) => c.name === name));
      if (matches.length === 1 || (matches.length > 1 && s.merged.has(name))) return this.bind(use, matches[0], name);
      if (matches.length > 1) {
        use.status = 'ambiguous';
        use.candidates = matches;
        return;
      }
      if (s.entries.some((e) => e.columns === undefined)) {
        use.status = 'unresolvable';
        return;
      }
    }
    // A bare table name is a whole-row reference.
    const row = findEntry(scope, name);
    if (row) {
      use.entry = row;
      return;
    }
    use.status = 'unknown_column';
  }

  private qualified(use: ColumnUse, qualifier: string, name: string, scope: SelectScope): void {
    const entry = findEntry(scope, qualifier);
    if (!entry) {
      use.status = 'unknown_qualifier';
      const aliasedAway = allEntries(scope).find((e) => e.aliased && e.relname?.toLowerCase() === qualifier);
      if (aliasedAway) use.candidates = [aliasedAway];
      return;
    }
    if (name === '*') {
      use.entry = entry;
      return;
    }
    if (entry.columns === undefined) {
      use.entry = entry;
      use.status = 'unresolvable';
      return;
    }
    if (!entry.columns.some((c) => c.name === name)) {
      use.entry = entry;
      use.status = 'unknown_column';
      return;
    }
    this.bind(use, entry, name);
  }

  private bind(use: ColumnUse, entry: RangeEntry, name: string): void {
    use.entry = entry;
    use.column = entry.columns?.find((c) => c.name === name)?.source;
  }

  private record(use: ColumnUse): void {
    this.model.columns.push(use);
    this.model.byNode.set(use.node, use);
  }

  /** The output columns a target contributes: one, or a star's expansion (undefined when that is unknowable). */
  private outputsOf(res: AstNode, scope: SelectScope): OutputColumn[] | undefined {
    const val = res.val;
    const ref = val?.ColumnRef;
    if (ref && !res.name) {
      const fields = nameParts(ref.fields).map((f) => f.toLowerCase());
      if (fields[fields.length - 1] === '*') {
        const entries = fields.length === 1 ? scope.entries : [findEntry(scope, fields[fields.length - 2])].filter((e) => e !== undefined);
        if (entries.some((e) => e.columns === undefined)) return undefined;
        return entries.flatMap((e) => e.columns ?? []);
      }
    }
    const name = res.name ? String(res.name).toLowerCase() : figureName(val);
    return [{ name, source: ref ? this.model.byNode.get(ref)?.column : undefined }];
  }
}

function rename(columns: OutputColumn[] | undefined, names: string[]): OutputColumn[] | undefined {
  if (!columns || names.length === 0) return columns;
  return columns.map((c, i) => (i < names.length ? { ...c, name: names[i] } : c));
}

function findEntry(scope: SelectScope, name: string): RangeEntry | undefined {
  for (let s: SelectScope | undefined = scope; s; s = s.parent) {
    const entry = s.entries.find((e) => e.name === name);
    if (entry) return entry;
  }
  return undefined;
}

function allEntries(scope: SelectScope): RangeEntry[] {
  const all: RangeEntry[] = [];
  for (let s: SelectScope | undefined = scope; s; s = s.parent) all.push(...s.entries);
  return all;
}

/** PostgreSQL's FigureColname: the name an unnamed select-list expression gets. */
function figureName(node: AstNode | undefined): string {
  if (!node) return '?column?';
  if (node.ColumnRef) return nameParts(node.ColumnRef.fields).at(-1)?.toLowerCase() ?? '?column?';
  if (node.FuncCall) return nameParts(node.FuncCall.funcname).at(-1)?.toLowerCase() ?? '?column?';
  if (node.TypeCast) {
    const inner = figureName(node.TypeCast.arg);
    return inner !== '?column?' ? inner : (nameParts(node.TypeCast.typeName?.names).at(-1) ?? '?column?');
  }
  if (node.CaseExpr) return 'case';
  if (node.CoalesceExpr) return 'coalesce';
  if (node.NullIfExpr) return 'nullif';
  if (node.MinMaxExpr) return node.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least';
  if (node.SubLink?.subLinkType === 'EXPR_SUBLINK') {
    const first = node.SubLink.subselect?.SelectStmt?.targetList?.[0]?.ResTarget;
    return first?.name ? String(first.name).toLowerCase() : figureName(first?.val);
  }
  if (node.SubLink?.subLinkType === 'EXISTS_SUBLINK') return 'exists';
  return '?column?';
}
