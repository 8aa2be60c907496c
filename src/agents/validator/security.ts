/**
 * Security layer: the read-only gate of src/sql/safety.ts on the shared tree
 * (one statement, SELECT only, no data-modifying CTE, SELECT INTO, row locks
 * or forbidden functions), then the shapes of SQL injection: stacked
 * statements, constant-true OR branches, comments that cut a statement short,
 * reads of the system catalogs (UNION exfiltration), server introspection,
 * and the deployment's sensitive columns and restricted tables.
 */
import { scanSync, type ScanToken } from 'libpg-query';
import { functionName, nameParts, type AstNode } from '../../sql/ast.js';
import { readOnlyViolations, type SafetyViolationKind } from '../../sql/safety.js';
import type { ValidationIssue } from './contract.js';
import type { ValidationContext } from './context.js';
import { columnKey } from './prepared.js';
import type { LayerReport } from './types.js';

/** Functions that tell an attacker about the server; harmless to the data, never needed by a business question. */
const INTROSPECTION_FUNCTIONS = new Set([
  'version', 'current_setting', 'inet_server_addr', 'inet_server_port', 'inet_client_addr', 'pg_backend_pid',
  'current_database', 'pg_postmaster_start_time', 'pg_conf_load_time', 'has_table_privilege', 'has_database_privilege',
  'pg_has_role', 'pg_get_userbyid', 'pg_get_functiondef', 'pg_get_viewdef', 'pg_settings_get_flags', 'current_schemas',
]);
const INTROSPECTION_VALUES = new Set(['SVFOP_CURRENT_USER', 'SVFOP_SESSION_USER', 'SVFOP_USER', 'SVFOP_CURRENT_ROLE']);

const GATE_ADVICE: Record<SafetyViolationKind, string> = {
  parse_error: 'fix the syntax first',
  empty: 'write one SELECT statement',
  multiple_statements: 'send exactly one statement, with no second statement after a semicolon',
  not_select: 'only read-only queries (SELECT, or WITH … SELECT) are allowed; data and schema cannot be changed here',
  data_modifying: 'a WITH clause may only hold SELECTs',
  select_into: 'drop INTO: the query may return rows but not create a table',
  row_locking: 'drop FOR UPDATE/FOR SHARE: a read-only query takes no row locks',
  forbidden_function: 'remove the call: it sleeps, reads files, reaches other servers or changes server state',
  system_catalog: 'query the business tables only',
};

export interface SecurityReport extends LayerReport {
  /** True when the text is proven to be a single read-only statement with no security error: the planner may see it. */
  safeToPlan: boolean;
}

export function securityLayer(ctx: ValidationContext): SecurityReport {
  const issues: ValidationIssue[] = [];
  let injection = false;
  const error = (message: string, byteOffset: number | undefined, suggestion: string, isInjection = false) => {
    issues.push({ layer: 'security', severity: 'error', message, position: ctx.position(byteOffset), suggestion });
    injection ||= isInjection;
  };

  if (ctx.tree) {
    // An empty text is the syntax layer's to report; catalog reads are reported below, where
    // the resolved tables tell a business table from a catalog and a set operation says how.
    const violations = readOnlyViolations(ctx.tree).filter((x) => x.kind !== 'empty' && x.kind !== 'system_catalog');
    // A DELETE statement is also "a data-modifying DELETE inside the query": say it once.
    const topLevel = violations.some((x) => x.kind === 'not_select');
    for (const v of violations.filter((x) => !(topLevel && x.kind === 'data_modifying' && x.position === undefined))) {
      const stacked = v.kind === 'multiple_statements';
      error(stacked ? `stacked statements: ${v.message}` : v.message, v.position, GATE_ADVICE[v.kind], stacked);
    }
    for (const branch of tautologies(ctx)) {
      error('an OR branch is always true (a tautology such as OR 1=1): the condition no longer filters anything', branch.location, 'remove the always-true branch', true);
    }
    const setOperation = hasSetOperation(ctx);
    for (const rel of ctx.model.relations) {
      if (rel.system) {
        const name = rel.schema ? `${rel.schema}.${rel.name}` : rel.name;
        const how = setOperation ? ' through a set operation (UNION-based exfiltration)' : '';
        error(`reads the system catalog ${name}${how}`, rel.location, 'query the business tables only', setOperation);
      } else if (rel.table && ctx.deps.restrictedTables.has(rel.table.name.toLowerCase())) {
        error(`reads the restricted table ${rel.table.name}`, rel.location, 'this table may not be queried');
      }
    }
    for (const { name, location } of introspection(ctx)) {
      error(`${name} discloses server information`, location, 'remove it: a business question does not need it', setOperation);
    }
    sensitiveColumns(ctx, error);
  } else {
    stackedTokens(ctx, error);
  }
  commentTruncation(ctx, error, issues);

  const errors = issues.filter((i) => i.severity === 'error');
  const passed = ctx.tree?.stmts.length === 1 && errors.length === 0;
  return {
    layer: 'security',
    issues,
    safeToPlan: passed,
    details: { security_passed: passed, security_risks: errors.map((i) => i.message), injection_detected: injection },
  };
}

/** Branches of an OR that are true whatever the row: `1=1`, `'a'='a'`, `TRUE`, `NOT FALSE`, `x = x`. */
function tautologies(ctx: ValidationContext): AstNode[] {
  const found: AstNode[] = [];
  for (const bool of ctx.nodes('BoolExpr')) {
    if (bool.boolop !== 'OR_EXPR') continue;
    for (const arg of bool.args ?? []) {
      if (isAlwaysTrue(arg)) found.push({ location: locationOf(arg) ?? bool.location });
    }
  }
  return found;
}

function isAlwaysTrue(node: AstNode): boolean {
  if (node.A_Const?.boolval?.boolval === true) return true;
  if (node.BoolExpr?.boolop === 'NOT_EXPR') return isAlwaysFalse(node.BoolExpr.args?.[0] ?? {});
  if (node.BoolExpr?.boolop === 'AND_EXPR') return (node.BoolExpr.args ?? []).every(isAlwaysTrue);
  if (node.BoolExpr?.boolop === 'OR_EXPR') return (node.BoolExpr.args ?? []).some(isAlwaysTrue);
  const e = node.A_Expr;
  if (!e) return false;
  const op = e.name?.[0]?.String?.sval;
  if (e.kind === 'AEXPR_OP' && sameColumn(e.lexpr, e.rexpr)) return op === '=' || op === '>=' || op === '<=';
  const l = constantOf(e.lexpr);
  if (l === undefined) return false;
  if (e.kind === 'AEXPR_IN') {
    const items: AstNode[] = e.rexpr?.List?.items ?? [];
    const inList = items.some((i) => constantOf(i) === l);
    return op === '=' ? inList : items.every((i) => constantOf(i) !== undefined && constantOf(i) !== l);
  }
  const r = constantOf(e.rexpr);
  if (r === undefined) return false;
  if (e.kind === 'AEXPR_LIKE' || e.kind === 'AEXPR_ILIKE') return typeof l === 'string' && l === r && (op === '~~' || op === '~~*');
  if (e.kind !== 'AEXPR_OP') return false;
  return compare(l, r, op) === true;
}

function isAlwaysFalse(node: AstNode): boolean {
  if (node.A_Const?.boolval !== undefined) return node.A_Const.boolval.boolval !== true;
  const e = node.A_Expr;
  if (e?.kind !== 'AEXPR_OP') return false;
  const l = constantOf(e.lexpr);
  const r = constantOf(e.rexpr);
  return l !== undefined && r !== undefined && compare(l, r, e.name?.[0]?.String?.sval) === false;
}

function compare(l: string | number, r: string | number, op: string | undefined): boolean | undefined {
  const [a, b] = typeof l === typeof r ? [l, r] : [String(l), String(r)];
  switch (op) {
    case '=': return a === b;
    case '<>': case '!=': return a !== b;
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '>=': return a >= b;
    default: return undefined;
  }
}

function constantOf(node: AstNode | undefined): string | number | undefined {
  const c = node?.A_Const ?? node?.TypeCast?.arg?.A_Const;
  if (!c) return undefined;
  // The parser leaves zero and empty values out: `ival: {}` is 0.
  if (c.ival) return Number(c.ival.ival ?? 0);
  if (c.fval) return Number(c.fval.fval);
  if (c.sval) return String(c.sval.sval ?? '');
  return undefined;
}

function sameColumn(a: AstNode | undefined, b: AstNode | undefined): boolean {
  if (!a?.ColumnRef || !b?.ColumnRef) return false;
  return nameParts(a.ColumnRef.fields).join('.').toLowerCase() === nameParts(b.ColumnRef.fields).join('.').toLowerCase();
}

function locationOf(node: AstNode): number | undefined {
  const inner = Object.values(node)[0] as AstNode | undefined;
  return typeof inner?.location === 'number' && inner.location >= 0 ? inner.location : undefined;
}

function hasSetOperation(ctx: ValidationContext): boolean {
  return ctx.nodes('SelectStmt').some((s) => s.op && s.op !== 'SETOP_NONE');
}

function introspection(ctx: ValidationContext): Array<{ name: string; location: number }> {
  const found: Array<{ name: string; location: number }> = [];
  for (const call of ctx.nodes('FuncCall')) {
    const name = functionName(call);
    if (INTROSPECTION_FUNCTIONS.has(name)) found.push({ name: `${name}()`, location: call.location });
  }
  for (const value of ctx.nodes('SQLValueFunction')) {
    if (INTROSPECTION_VALUES.has(value.op)) found.push({ name: String(value.op).replace('SVFOP_', '').toLowerCase(), location: value.location });
  }
  return found;
}

function sensitiveColumns(ctx: ValidationContext, error: (m: string, at: number | undefined, s: string) => void): void {
  const sensitive = ctx.deps.sensitiveColumns;
  if (sensitive.size === 0) return;
  const isSensitive = (table: string, column: string) => sensitive.has(columnKey(table, column)) || sensitive.has(column.toLowerCase());
  for (const use of ctx.model.columns) {
    if (use.column && isSensitive(use.column.table, use.column.name)) {
      error(`reads the sensitive column ${use.column.table}.${use.column.name}`, use.location, 'leave this column out');
    } else if (use.fields[use.fields.length - 1] === '*') {
      const entries = use.entry ? [use.entry] : use.scope.entries;
      const hidden = entries.flatMap((e) => (e.columns ?? []).filter((c) => c.source && isSensitive(c.source.table, c.source.name)));
      if (hidden.length > 0) {
        error(`* reads the sensitive column ${hidden[0].source!.table}.${hidden[0].source!.name}`, use.location, 'name the columns you need instead of *');
      }
    }
  }
}

/** For a text that does not parse: a semicolon followed by more SQL is still a stacked statement. */
function stackedTokens(ctx: ValidationContext, error: (m: string, at: number | undefined, s: string, inj: boolean) => void): void {
  const tokens = (ctx.tokens ?? []).filter((t) => !isComment(t));
  const semicolon = tokens.findIndex((t) => t.text === ';');
  if (semicolon !== -1 && semicolon < tokens.length - 1 && tokens.slice(semicolon + 1).some((t) => t.text !== ';')) {
    error('stacked statements: more SQL follows a semicolon', tokens[semicolon].start, GATE_ADVICE.multiple_statements, true);
  }
}

/**
 * Comments inside the statement: one that holds SQL (quotes, operators, keywords that continue a
 * condition), or an empty one, is how an injection cuts off the rest of a statement or splits
 * keywords; other comments are only noted.
 */
function commentTruncation(
  ctx: ValidationContext,
  error: (m: string, at: number | undefined, s: string, inj: boolean) => void,
  issues: ValidationIssue[],
): void {
  if (!ctx.sql.includes('--') && !ctx.sql.includes('/*')) return;
  const tokens = ctx.tokens ?? [];
  const firstCode = tokens.findIndex((t) => !isComment(t));
  tokens.forEach((t, i) => {
    if (!isComment(t) || firstCode === -1 || i < firstCode) return;
    if (looksLikeCutOffSql(t)) {
      error(`a comment cuts the statement short (comment truncation): ${t.text.slice(0, 60)}`, t.start, 'remove the comment and the text it hides', true);
    } else {
      issues.push({ layer: 'security', severity: 'info', message: 'the SQL text holds a comment, which the parser ignores', position: ctx.position(t.start) });
    }
  });
}

const CONTINUATION_KEYWORDS = new Set(['and', 'or', 'union', 'select', 'where', 'from', 'having', 'limit', 'order', 'group', 'not', 'into']);

function looksLikeCutOffSql(comment: ScanToken): boolean {
  const body = comment.tokenName === 'SQL_COMMENT' ? comment.text.slice(2) : comment.text.slice(2, -2);
  if (body.trim() === '') return true;
  if (body.includes("'") || body.includes('"') || body.includes(';')) return true;
  // The body's own tokens: a condition or clause that was written to be SQL.
  const inner = scanBody(body);
  return inner.some((t) => ['=', '<', '>', '<>', '!=', '<=', '>='].includes(t.text)) ||
    CONTINUATION_KEYWORDS.has(inner[0]?.text.toLowerCase() ?? '');
}

function scanBody(body: string): ScanToken[] {
  try {
    return scanSync(body).tokens;
  } catch {
    return [];
  }
}

function isComment(t: ScanToken): boolean {
  return t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT';
}
