/**
 * Performance layer: a complexity score and structural problems from the
 * tree (tables not joined to each other, CROSS JOIN, SELECT * over joins,
 * functions wrapped around indexed columns in conditions, correlated
 * subqueries in the select list, NOT IN over a subquery), and, when a
 * database is at hand, the planner's cost and row estimate from
 * `EXPLAIN (FORMAT JSON)`. Findings are warnings unless the plan is extreme.
 */
import { ERROR_CATALOG } from '../../errors.js';
import type { Column } from '../../schema/types.js';
import { collect, functionName, type AstNode } from '../../sql/ast.js';
import type { Layer, Severity, ValidationIssue } from './contract.js';
import type { ValidationContext } from './context.js';
import { columnKey } from './prepared.js';
import { conjuncts, entriesIn, forEachColumnRef, type RangeEntry, type SelectScope } from './resolve.js';
import type { LayerReport } from './types.js';

const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'string_agg', 'array_agg', 'json_agg', 'jsonb_agg', 'bool_and', 'bool_or',
  'every', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'percentile_cont', 'percentile_disc', 'mode',
]);

/** What the planner said: a plan, an error, or nothing (no database, or the text was not safe to show it). */
export type PlanOutcome =
  | { kind: 'plan'; plan: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'none'; reason: 'no_database' | 'not_safe' };

export interface PlanSummary {
  total_cost: number;
  estimated_rows: number;
}

export interface PerformanceReport extends LayerReport {
  plan?: PlanSummary;
  /** The planner's refusal of the query (an unknown function, a type or grouping error), as an issue of the layer it concerns. */
  plannerRejection?: ValidationIssue;
  basis: 'explain' | 'ast';
}

export async function performanceLayer(ctx: ValidationContext, planned: Promise<PlanOutcome>): Promise<PerformanceReport> {
  const issues: ValidationIssue[] = [];
  const add = (severity: Severity, message: string, byteOffset: number | undefined, suggestion?: string) =>
    issues.push({ layer: 'performance', severity, message, position: ctx.position(byteOffset), suggestion });
  const complexity = complexityScore(ctx);
  for (const scope of ctx.model.scopes) {
    unjoinedTables(ctx, scope, add);
    starOverJoin(scope, add);
    wrappedIndexedColumns(ctx, scope, add);
    correlatedSelectList(ctx, scope, add);
  }
  for (const link of ctx.nodes('SubLink')) {
    if (link.subLinkType === 'ALL_SUBLINK' && link.operName?.[0]?.String?.sval === '<>') {
      add('info', 'NOT IN over a subquery: slow to plan, and no row matches if the subquery yields a NULL', link.location, 'use NOT EXISTS (SELECT 1 FROM … WHERE …)');
    }
  }
  if (complexity > ctx.deps.rules.performance.max_complexity) {
    add('info', `complexity score ${complexity} is above ${ctx.deps.rules.performance.max_complexity}`, undefined, 'consider splitting the query into CTEs or simpler queries');
  }

  const outcome = await planned;
  let plan: PlanSummary | undefined;
  let plannerRejection: ValidationIssue | undefined;
  if (outcome.kind === 'plan') {
    plan = summarizePlan(outcome.plan);
    if (plan) planFindings(ctx, plan, add);
  } else if (outcome.kind === 'error') {
    plannerRejection = rejectionIssue(ctx, outcome.error);
  } else if (outcome.kind === 'none' && outcome.reason === 'no_database') {
    add('info', 'no database: performance judged from the query structure only, without plan cost or row estimates', undefined);
  }
  const flagged = issues.filter((i) => i.severity !== 'info');
  return {
    layer: 'performance',
    issues,
    plan,
    plannerRejection,
    basis: outcome.kind === 'plan' ? 'explain' : 'ast',
    suggestions: issues.filter((i) => i.severity === 'info' && i.suggestion).map((i) => i.suggestion!),
    details: {
      performance_acceptable: !issues.some((i) => i.severity === 'error'),
      complexity_score: complexity,
      performance_issues: flagged.map((i) => i.message),
      optimization_suggestions: [...new Set(issues.filter((i) => i.suggestion).map((i) => i.suggestion!))],
    },
  };
}

/**
 * 0–100 from the query's parts: tables 4, joins 6, subqueries and CTEs 10, set operations 8,
 * window functions 8, aggregates 3, CASE 2, GROUP BY 3 each.
 */
export function complexityScore(ctx: ValidationContext): number {
  const selects = ctx.nodes('SelectStmt');
  const tables = ctx.nodes('RangeVar').length;
  const joins = ctx.nodes('JoinExpr').length + selects.reduce((n, s) => n + Math.max(0, (s.fromClause?.length ?? 0) - 1), 0);
  const subqueries = ctx.nodes('SubLink').length + ctx.nodes('RangeSubselect').length + ctx.nodes('CommonTableExpr').length;
  const setOps = selects.filter((s) => s.op && s.op !== 'SETOP_NONE').length;
  const calls = ctx.nodes('FuncCall');
  const windows = calls.filter((c) => c.over).length;
  const aggregates = calls.filter((c) => !c.over && AGGREGATES.has(functionName(c))).length;
  const cases = ctx.nodes('CaseExpr').length;
  const groupings = selects.filter((s) => (s.groupClause?.length ?? 0) > 0).length;
  const score = tables * 4 + joins * 6 + subqueries * 10 + setOps * 8 + windows * 8 + aggregates * 3 + cases * 2 + groupings * 3;
  return Math.min(100, score);
}

type Add = (severity: Severity, message: string, byteOffset: number | undefined, suggestion?: string) => void;

/** Tables of one FROM clause that no join condition or WHERE predicate links: a cartesian product. */
function unjoinedTables(ctx: ValidationContext, scope: SelectScope, add: Add): void {
  if (scope.entries.length < 2) return;
  const parent = new Map<RangeEntry, RangeEntry>(scope.entries.map((e) => [e, e]));
  const find = (e: RangeEntry): RangeEntry => {
    while (parent.get(e) !== e) e = parent.get(e)!;
    return e;
  };
  const link = (group: Iterable<RangeEntry>) => {
    let first: RangeEntry | undefined;
    for (const e of group) {
      if (!first) first = e;
      else parent.set(find(e), find(first));
    }
  };
  let crossJoined = false;
  const visit = (item: AstNode) => {
    const join = item?.JoinExpr;
    if (join) {
      visit(join.larg);
      visit(join.rarg);
      const [left, right] = ctx.model.joinSides.get(join) ?? [[], []];
      if (join.quals) link(entriesIn(join.quals, scope, ctx.model));
      if (join.usingClause || join.isNatural) link([...left, ...right]);
      const crossJoin = !join.quals && !join.usingClause && !join.isNatural;
      const bothTables = left.some(isTable) && right.some(isTable);
      if (crossJoin && bothTables) {
        crossJoined = true;
        add('warning', 'CROSS JOIN pairs every row of one side with every row of the other', join.rarg?.RangeVar?.location, 'join on the key that relates the tables (JOIN … ON a.key = b.key)');
      }
    } else if (item?.RangeSubselect?.lateral || item?.RangeFunction) {
      link(entriesIn(item, scope, ctx.model));
    }
  };
  for (const item of scope.stmt.fromClause ?? []) visit(item);
  for (const c of conjuncts(scope.stmt.whereClause)) link(entriesIn(c, scope, ctx.model));
  const groups = new Map<RangeEntry, RangeEntry[]>();
  for (const e of scope.entries) {
    const root = find(e);
    groups.set(root, [...(groups.get(root) ?? []), e]);
  }
  const tableGroups = [...groups.values()].filter((g) => g.some(isTable));
  if (tableGroups.length < 2 || crossJoined) return;
  const label = (g: RangeEntry[]) => g.map((e) => e.table?.name ?? e.name).join(' + ');
  add(
    'warning',
    `cartesian product: ${tableGroups.map(label).join(' and ')} are not joined by any condition`,
    tableGroups[1][0].location,
    'add a join condition between them (JOIN … ON, following the foreign key)',
  );
}

/** Entries that multiply rows: tables, and subqueries or CTEs that may return more than one row. */
function isTable(e: RangeEntry): boolean {
  return e.kind === 'table' || ((e.kind === 'cte' || e.kind === 'subquery') && !isSingleRow(e.query));
}

/** An aggregate without GROUP BY, or LIMIT 1, returns one row: pairing with it is how totals reach every row. */
function isSingleRow(stmt: AstNode | undefined): boolean {
  if (!stmt || (stmt.op && stmt.op !== 'SETOP_NONE')) return false;
  if (stmt.limitCount?.A_Const?.ival?.ival === 1) return true;
  return !stmt.groupClause && hasAggregate(stmt);
}

function starOverJoin(scope: SelectScope, add: Add): void {
  if (scope.entries.length < 2) return;
  for (const target of scope.stmt.targetList ?? []) {
    const ref = target.ResTarget?.val?.ColumnRef;
    if (ref?.fields?.length === 1 && ref.fields[0].A_Star) {
      add('warning', 'SELECT * over a join returns every column of every table, with repeated names', ref.location, 'name the columns the question needs');
    }
  }
}

/** `f(indexed_column) op value` in WHERE or ON: the index on the column cannot serve the condition. */
function wrappedIndexedColumns(ctx: ValidationContext, scope: SelectScope, add: Add): void {
  const conditions = [scope.stmt.whereClause];
  const visit = (item: AstNode) => {
    if (!item?.JoinExpr) return;
    visit(item.JoinExpr.larg);
    visit(item.JoinExpr.rarg);
    conditions.push(item.JoinExpr.quals);
  };
  for (const item of scope.stmt.fromClause ?? []) visit(item);
  for (const condition of conditions) {
    for (const c of conjuncts(condition)) {
      const e = c.A_Expr;
      if (!e || (e.kind !== 'AEXPR_OP' && e.kind !== 'AEXPR_IN' && e.kind !== 'AEXPR_BETWEEN')) continue;
      for (const side of [e.lexpr, e.rexpr]) {
        const call = side?.FuncCall;
        if (!call || AGGREGATES.has(functionName(call))) continue;
        const column = indexedArgument(ctx, call);
        if (!column) continue;
        const name = functionName(call);
        add(
          'warning',
          `${name}() around the indexed column ${column.table}.${column.name} keeps the index from being used`,
          call.location,
          rewriteHint(name, call, column, e),
        );
      }
    }
  }
}

function indexedArgument(ctx: ValidationContext, call: AstNode): Column | undefined {
  for (const arg of call.args ?? []) {
    const use = arg.ColumnRef ? ctx.model.byNode.get(arg.ColumnRef) : undefined;
    if (use?.column && ctx.deps.indexedColumns.has(columnKey(use.column.table, use.column.name))) return use.column;
  }
  return undefined;
}

function rewriteHint(name: string, call: AstNode, column: Column, expr: AstNode): string {
  const field = String(call.args?.[0]?.A_Const?.sval?.sval ?? '').toLowerCase();
  const year = Number(expr.rexpr?.A_Const?.ival?.ival);
  if ((name === 'extract' || name === 'date_part') && field === 'year' && Number.isInteger(year) && expr.name?.[0]?.String?.sval === '=') {
    return `write ${column.name} >= '${year}-01-01' AND ${column.name} < '${year + 1}-01-01'`;
  }
  if (name === 'lower' || name === 'upper') return `compare ${column.name} with the exact stored value, or use ILIKE`;
  return `compare the bare column ${column.name} with a range or transformed constant instead`;
}

/** A subquery in the select list that refers to the outer row runs once per row. */
function correlatedSelectList(ctx: ValidationContext, scope: SelectScope, add: Add): void {
  for (const target of scope.stmt.targetList ?? []) {
    for (const link of collect(target, 'SubLink')) {
      let correlated = false;
      forEachColumnRef(link.subselect, (ref) => {
        correlated ||= ctx.model.byNode.get(ref)?.entry?.scope === scope;
      });
      if (correlated) {
        add('info', 'a correlated subquery in the select list runs once per row', link.location, 'join the subquery’s table and aggregate with GROUP BY, or use a window function');
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The planner

/** Total cost and row estimate of the root node, from any of the shapes EXPLAIN (FORMAT JSON) output arrives in. */
export function summarizePlan(output: unknown): PlanSummary | undefined {
  const plan = findPlan(output, 0);
  if (!plan) return undefined;
  const total = Number(plan['Total Cost']);
  const rows = Number(plan['Plan Rows']);
  return Number.isFinite(total) && Number.isFinite(rows) ? { total_cost: total, estimated_rows: rows } : undefined;
}

function findPlan(value: unknown, depth: number): Record<string, unknown> | undefined {
  if (depth > 4 || value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    try {
      return findPlan(JSON.parse(value), depth + 1);
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(value)) return findPlan(value[0], depth + 1);
  if (typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (v.Plan && typeof v.Plan === 'object') return v.Plan as Record<string, unknown>;
  for (const key of ['QUERY PLAN', 'rows', 'plan']) if (key in v) return findPlan(v[key], depth + 1);
  return undefined;
}

function planFindings(ctx: ValidationContext, plan: PlanSummary, add: Add): void {
  const limits = ctx.deps.rules.performance;
  if (plan.estimated_rows > limits.extreme_rows || plan.total_cost > limits.extreme_cost) {
    add('error', `the planner estimates ${Math.round(plan.estimated_rows)} rows at cost ${Math.round(plan.total_cost)}: far too large to run`, undefined, 'add join conditions and filters');
    return;
  }
  const top = ctx.model.scopes[0]?.stmt;
  const root = ctx.tree?.stmts[0]?.stmt.SelectStmt;
  const unbounded = root && !root.limitCount && !(top?.whereClause) && !(top?.groupClause) && !hasAggregate(top);
  if (unbounded && plan.estimated_rows > limits.large_result_rows) {
    add('warning', `no WHERE and no LIMIT: the planner estimates ${Math.round(plan.estimated_rows)} rows`, undefined, 'filter the rows or add a LIMIT');
  }
}

function hasAggregate(stmt: AstNode | undefined): boolean {
  return collect(stmt?.targetList, 'FuncCall').some((c) => !c.over && AGGREGATES.has(functionName(c)));
}

const SCHEMA_STATES = new Set(['42P01', '42703', '42702', '42704', '42P10']);

/** The planner's error as an issue: unknown names belong to the schema layer, bad literals to business logic, the rest to syntax. */
function rejectionIssue(ctx: ValidationContext, error: unknown): ValidationIssue {
  const e = error as { message?: string; code?: unknown; details?: Record<string, unknown> };
  const code = [e?.details?.sqlstate, e?.code].find((c): c is string => typeof c === 'string' && c.length === 5);
  const layer: Layer = code && SCHEMA_STATES.has(code) ? 'schema' : code?.startsWith('22') ? 'business_logic' : 'syntax';
  const prefix = ERROR_CATALOG.EXECUTION_FAILED.template.replace('%s', '');
  const raw = e?.message ?? String(error);
  const message = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
  const position = e?.details?.position;
  return {
    layer,
    severity: 'error',
    message: `the database rejects the query: ${message}`,
    ...(typeof position === 'number' && position >= 0 && position <= ctx.sql.length ? { position } : {}),
  };
}
