/**
 * Business-logic layer: what the schema's meaning rules out, though the SQL
 * is well-formed. Literals compared with a categorical column must be among
 * its values (from the DDL's `-- A | B` comments or the database); numeric
 * columns under a rule of data/gl/rules.json (money, percentages, counts)
 * are compared only with values they can take; the conditions ANDed on one
 * column must be able to hold together; date literals must be real dates;
 * a period's start after its end matches nothing in well-kept data.
 */
import { closest } from '../../schema/fuzzy.js';
import type { Column } from '../../schema/types.js';
import { functionName, nameParts, type AstNode } from '../../sql/ast.js';
import type { Severity, ValidationIssue } from './contract.js';
import type { ValidationContext } from './context.js';
import { columnKey, type NumericBounds } from './prepared.js';
import { conjuncts, type ColumnUse, type SelectScope } from './resolve.js';
import type { LayerReport } from './types.js';

type Op = '=' | '<>' | '<' | '>' | '<=' | '>=';
const FLIP: Record<Op, Op> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
const OPS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

interface ColumnSide {
  use: ColumnUse;
  column: Column;
  /** lower()/upper() around the column: compare with the domain in that case. */
  fold?: 'lower' | 'upper';
}

interface Literal {
  value: string | number;
  location: number;
  /** Written as DATE '…' or '…'::date/timestamp. */
  dateCast: boolean;
}

/** One comparison of a column with a constant, as `column op value` (value a number: plain or epoch days). */
interface Bound {
  op: Op;
  value: number;
  text: string;
  location: number;
}

export function businessLayer(ctx: ValidationContext): LayerReport {
  const issues: ValidationIssue[] = [];
  const add = (severity: Severity, message: string, byteOffset: number | undefined, suggestion?: string) =>
    issues.push({ layer: 'business_logic', severity, message, position: ctx.position(byteOffset), suggestion });
  for (const expr of ctx.nodes('A_Expr')) checkDomain(ctx, expr, add);
  for (const scope of ctx.model.scopes) {
    for (const condition of conditionsOf(scope)) checkConjunction(ctx, conjuncts(condition), add);
  }
  const violations = issues.filter((i) => i.severity === 'error').map((i) => i.message);
  const warnings = issues.filter((i) => i.severity === 'warning').map((i) => i.message);
  return {
    layer: 'business_logic',
    issues,
    details: { business_logic_valid: violations.length === 0, business_violations: violations, business_warnings: warnings },
  };
}

type Add = (severity: Severity, message: string, byteOffset: number | undefined, suggestion?: string) => void;

/** WHERE, HAVING and every JOIN … ON of a scope: each is a conjunction of its own. */
function conditionsOf(scope: SelectScope): AstNode[] {
  const found: AstNode[] = [];
  const visit = (item: AstNode) => {
    if (!item?.JoinExpr) return;
    visit(item.JoinExpr.larg);
    visit(item.JoinExpr.rarg);
    if (item.JoinExpr.quals) found.push(item.JoinExpr.quals);
  };
  for (const item of scope.stmt.fromClause ?? []) visit(item);
  if (scope.stmt.whereClause) found.push(scope.stmt.whereClause);
  if (scope.stmt.havingClause) found.push(scope.stmt.havingClause);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Value domains

function checkDomain(ctx: ValidationContext, expr: AstNode, add: Add): void {
  const op = expr.name?.[0]?.String?.sval as string | undefined;
  let side = columnSide(ctx, expr.lexpr);
  let others: AstNode[] = [];
  if (expr.kind === 'AEXPR_IN') others = expr.rexpr?.List?.items ?? [];
  else if (expr.kind === 'AEXPR_OP_ANY' && op === '=') others = expr.rexpr?.A_ArrayExpr?.elements ?? [];
  else if (expr.kind === 'AEXPR_OP' && (op === '=' || op === '<>' || op === '!=')) {
    others = [expr.rexpr];
    if (!side) {
      side = columnSide(ctx, expr.rexpr);
      others = [expr.lexpr];
    }
  } else if (expr.kind === 'AEXPR_LIKE' || expr.kind === 'AEXPR_ILIKE') others = [expr.rexpr];
  const domain = side?.column.valueDomain;
  if (!side || !domain || domain.length === 0 || (side.column.category !== 'text' && side.column.category !== 'other')) return;
  const declared = isDeclaredDomain(side.column);
  const negated = op === '<>' || op === '!=' || op === '!~~' || op === '!~~*';
  const insensitive = expr.kind === 'AEXPR_ILIKE';
  const values = side.fold ? domain.map((v) => (side.fold === 'lower' ? v.toLowerCase() : v.toUpperCase())) : domain;
  const name = `${side.column.table}.${side.column.name}`;
  for (const other of others) {
    const literal = literalOf(other);
    if (!literal || typeof literal.value !== 'string') continue;
    const text = literal.value;
    const isPattern = (expr.kind === 'AEXPR_LIKE' || expr.kind === 'AEXPR_ILIKE') && (text.includes('%') || text.includes('_'));
    if (isPattern) {
      if (!values.some((v) => likeMatches(text, v, insensitive))) {
        add('warning', `the pattern '${text}' matches none of the values of ${name} (${domain.join(', ')})`, literal.location);
      }
      continue;
    }
    if (values.some((v) => (insensitive ? v.toLowerCase() === text.toLowerCase() : v === text))) continue;
    const severity: Severity = negated || !declared ? 'warning' : 'error';
    const effect = !declared ? 'as seen in the sample data' : negated ? 'so the condition is always true' : 'so nothing matches';
    const caseMatch = values.find((v) => v.toLowerCase() === text.toLowerCase());
    if (caseMatch) {
      add(severity, `'${text}' differs in case from the ${name} value '${caseMatch}' (comparisons are case-sensitive), ${effect}`, literal.location, `write '${caseMatch}'`);
      continue;
    }
    const near = closest(text, values, { max: 1, minSimilarity: 0.5 })[0];
    add(
      severity,
      declared ? `'${text}' is not a value of ${name} (${domain.join(', ')}), ${effect}` : `'${text}' is not among the values of ${name} seen in the sample data (${domain.join(', ')})`,
      literal.location,
      near ? `did you mean '${near.value}'?` : `use one of ${values.map((v) => `'${v}'`).join(', ')}`,
    );
  }
}

/**
 * A domain the schema declares (a `-- A | B` comment, an enum type) is the whole truth; one read from the
 * sample data may miss values the real data has, so straying from it is only a warning.
 */
function isDeclaredDomain(column: Column): boolean {
  if (column.category === 'other') return true;
  const declared = column.comment?.split('|').map((v) => v.trim());
  return declared !== undefined && declared.length === column.valueDomain!.length && declared.every((v, i) => v === column.valueDomain![i]);
}

/** SQL LIKE on a known value: `%` any run, `_` one character, `\` escapes. Memoized: patterns come from the query. */
export function likeMatches(pattern: string, value: string, insensitive: boolean): boolean {
  const p = insensitive ? pattern.toLowerCase() : pattern;
  const v = insensitive ? value.toLowerCase() : value;
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * (v.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === p.length) result = j === v.length;
    else if (p[i] === '%') result = match(i + 1, j) || (j < v.length && match(i, j + 1));
    else if (j === v.length) result = false;
    else if (p[i] === '\\' && i + 1 < p.length) result = p[i + 1] === v[j] && match(i + 2, j + 1);
    else result = (p[i] === '_' || p[i] === v[j]) && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

function columnSide(ctx: ValidationContext, node: AstNode | undefined): ColumnSide | undefined {
  if (!node) return undefined;
  if (node.TypeCast) return columnSide(ctx, node.TypeCast.arg);
  if (node.FuncCall) {
    const name = functionName(node.FuncCall);
    const args = node.FuncCall.args ?? [];
    if ((name === 'lower' || name === 'upper') && args.length === 1) {
      const inner = columnSide(ctx, args[0]);
      return inner && !inner.fold ? { ...inner, fold: name } : undefined;
    }
    return undefined;
  }
  const use = node.ColumnRef ? ctx.model.byNode.get(node.ColumnRef) : undefined;
  return use?.column ? { use, column: use.column } : undefined;
}

function literalOf(node: AstNode | undefined): Literal | undefined {
  if (!node) return undefined;
  if (node.TypeCast) {
    const inner = literalOf(node.TypeCast.arg);
    const type = nameParts(node.TypeCast.typeName?.names).at(-1)?.toLowerCase() ?? '';
    return inner ? { ...inner, dateCast: type === 'date' || type.startsWith('timestamp') } : undefined;
  }
  const e = node.A_Expr;
  if (e?.kind === 'AEXPR_OP' && !e.lexpr && e.name?.[0]?.String?.sval === '-') {
    const inner = literalOf(e.rexpr);
    return inner && typeof inner.value === 'number' ? { ...inner, value: -inner.value, location: e.location } : undefined;
  }
  const c = node.A_Const;
  if (!c || c.isnull) return undefined;
  const location = c.location ?? -1;
  // The parser leaves zero and empty values out: `ival: {}` is 0, `sval: {}` is ''.
  if (c.ival) return { value: Number(c.ival.ival ?? 0), location, dateCast: false };
  if (c.fval) return { value: Number(c.fval.fval), location, dateCast: false };
  if (c.sval) return { value: String(c.sval.sval ?? ''), location, dateCast: false };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Numeric and date bounds over a conjunction

function checkConjunction(ctx: ValidationContext, parts: AstNode[], add: Add): void {
  const bounds = new Map<string, { side: ColumnSide; bounds: Bound[] }>();
  const record = (side: ColumnSide, bound: Bound) => {
    const key = `${side.use.entry?.id ?? 'out'}:${columnKey(side.column.table, side.column.name)}`;
    const entry = bounds.get(key) ?? { side, bounds: [] };
    entry.bounds.push(bound);
    bounds.set(key, entry);
  };
  for (const part of parts) {
    const e = part.A_Expr;
    if (!e) continue;
    if (e.kind === 'AEXPR_OP' && OPS.has(e.name?.[0]?.String?.sval)) {
      const raw = e.name[0].String.sval === '!=' ? '<>' : (e.name[0].String.sval as Op);
      let side = columnSide(ctx, e.lexpr);
      let literal = literalOf(e.rexpr);
      let op = raw;
      if (!side || !literal) {
        side = columnSide(ctx, e.rexpr);
        literal = literalOf(e.lexpr);
        op = FLIP[raw];
      }
      if (!side || side.fold || !literal) continue;
      const bound = toBound(ctx, side, op, literal, add);
      if (bound) record(side, bound);
    } else if (e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_NOT_BETWEEN') {
      const side = columnSide(ctx, e.lexpr);
      const [low, high] = (e.rexpr?.List?.items ?? []).map(literalOf);
      if (!side || side.fold || !low || !high) continue;
      const lo = toBound(ctx, side, '>=', low, add);
      const hi = toBound(ctx, side, '<=', high, add);
      if (!lo || !hi) continue;
      if (lo.value > hi.value) {
        const severity: Severity = e.kind === 'AEXPR_BETWEEN' ? 'error' : 'warning';
        const effect = e.kind === 'AEXPR_BETWEEN' ? 'matches nothing' : 'is always true';
        add(severity, `BETWEEN ${lo.text} AND ${hi.text} on ${side.column.name} ${effect}: the lower bound is above the upper one`, e.location, `write BETWEEN ${hi.text} AND ${lo.text}`);
      } else if (e.kind === 'AEXPR_BETWEEN') {
        record(side, lo);
        record(side, hi);
      }
    }
  }
  for (const { side, bounds: list } of bounds.values()) {
    checkRuleBounds(ctx, side, list, add);
    checkSatisfiable(side, list, add);
  }
  checkPeriods(ctx, bounds, add);
}

/** A comparison as a numeric bound: numbers as they are, dates as days since the epoch. */
function toBound(ctx: ValidationContext, side: ColumnSide, op: Op, literal: Literal, add: Add): Bound | undefined {
  const category = side.column.category;
  if (category === 'number' && typeof literal.value === 'number') return { op, value: literal.value, text: String(literal.value), location: literal.location };
  if ((category === 'date' || category === 'timestamp') && typeof literal.value === 'string') {
    const day = isoDay(literal.value);
    if (day === undefined) return undefined;
    if (Number.isNaN(day)) {
      add('error', `'${literal.value}' is not a valid date (compared with ${side.column.name})`, literal.location, 'use an existing calendar date, YYYY-MM-DD');
      return undefined;
    }
    const { min, max } = ctx.deps.rules.date_bounds;
    if (day < isoDay(min)! || day > isoDay(max)!) {
      add('warning', `the date '${literal.value}' compared with ${side.column.name} is outside ${min} … ${max}`, literal.location, 'check the year');
    }
    return { op, value: day, text: `'${literal.value}'`, location: literal.location };
  }
  return undefined;
}

/**
 * Days since 1970-01-01 for an ISO date (with an optional time part): undefined when the text is
 * not ISO-shaped (PostgreSQL reads other shapes we do not judge), NaN when it names no real day.
 */
function isoDay(text: string): number | undefined {
  const t = text.trim();
  const datePart = t.slice(0, 10);
  if (datePart.length !== 10 || datePart[4] !== '-' || datePart[7] !== '-') return undefined;
  const [y, m, d] = [datePart.slice(0, 4), datePart.slice(5, 7), datePart.slice(8, 10)].map(Number);
  if (![y, m, d].every(Number.isInteger)) return undefined;
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return Number.NaN;
  return ms / 86_400_000;
}

/** Against the column's rule: a comparison that cannot hold is an error, one that always holds a warning. */
function checkRuleBounds(ctx: ValidationContext, side: ColumnSide, list: Bound[], add: Add): void {
  const rule = ctx.deps.numericBounds.get(columnKey(side.column.table, side.column.name));
  if (!rule) return;
  for (const b of list) {
    const verdict = againstRule(b, rule);
    const name = side.column.name;
    const range = rule.max !== undefined ? `${rule.min ?? '−∞'}–${rule.max}` : `≥ ${rule.min}`;
    if (verdict === 'never') {
      add('error', `${name} ${b.op} ${b.text} can never hold: ${name} is ${rule.description} (${range})`, b.location, `compare ${name} with a value in ${range}`);
    } else if (verdict === 'always') {
      add('warning', `${name} ${b.op} ${b.text} always holds: ${name} is ${rule.description} (${range})`, b.location, 'drop the condition or fix the value');
    } else if (rule.max === 100 && b.value > 0 && b.value < 1) {
      add('info', `${name} is in percent (0–100): ${b.text} is less than one percent`, b.location, `for ${b.value * 100} percent write ${b.value * 100}`);
    }
  }
}

/** Only a literal outside the rule's range is judged: at the edge (`Budget >= 0`, `Probability <= 100`) a condition is deliberate. */
function againstRule(b: Bound, rule: NumericBounds): 'never' | 'always' | undefined {
  const below = b.value < (rule.min ?? -Infinity);
  const above = b.value > (rule.max ?? Infinity);
  if (!below && !above) return undefined;
  switch (b.op) {
    case '=': return 'never';
    case '<>': return 'always';
    case '<': case '<=': return below ? 'never' : 'always';
    case '>': case '>=': return above ? 'never' : 'always';
  }
}

/** The bounds ANDed on one column leave no value: `x < 2020-01-01 AND x > 2021-01-01`, `x = 1 AND x = 2`. */
function checkSatisfiable(side: ColumnSide, list: Bound[], add: Add): void {
  if (list.length < 2) return;
  let lo = { value: -Infinity, inclusive: true, text: '' };
  let hi = { value: Infinity, inclusive: true, text: '' };
  for (const b of list) {
    const text = `${side.column.name} ${b.op} ${b.text}`;
    if (b.op === '>' || b.op === '>=' || b.op === '=') {
      const inclusive = b.op !== '>';
      if (b.value > lo.value || (b.value === lo.value && !inclusive)) lo = { value: b.value, inclusive, text };
    }
    if (b.op === '<' || b.op === '<=' || b.op === '=') {
      const inclusive = b.op !== '<';
      if (b.value < hi.value || (b.value === hi.value && !inclusive)) hi = { value: b.value, inclusive, text };
    }
  }
  const empty = lo.value > hi.value || (lo.value === hi.value && !(lo.inclusive && hi.inclusive));
  const excluded = lo.value === hi.value && list.some((b) => b.op === '<>' && b.value === lo.value);
  if (empty || excluded) {
    add('error', `the conditions on ${side.column.name} can never all hold (${lo.text} and ${hi.text})`, list[0].location, 'check the direction of the comparisons and the values: did you mean OR, or swapped bounds?');
  }
}

/** Start after end: `Start_Date > '2024-06-01' AND End_Date < '2024-01-01'` finds only periods that end before they start. */
function checkPeriods(ctx: ValidationContext, bounds: Map<string, { side: ColumnSide; bounds: Bound[] }>, add: Add): void {
  for (const { side } of bounds.values()) {
    const pairs = ctx.deps.dateRanges.get(side.column.table.toLowerCase()) ?? [];
    for (const [start, end] of pairs) {
      if (start !== side.column) continue;
      const prefix = `${side.use.entry?.id ?? 'out'}:`;
      const startBounds = bounds.get(prefix + columnKey(start.table, start.name))?.bounds ?? [];
      const endBounds = bounds.get(prefix + columnKey(end.table, end.name))?.bounds ?? [];
      const startLow = Math.max(...startBounds.filter((b) => b.op === '>' || b.op === '>=' || b.op === '=').map((b) => b.value));
      const endHigh = Math.min(...endBounds.filter((b) => b.op === '<' || b.op === '<=' || b.op === '=').map((b) => b.value));
      if (startLow > endHigh) {
        add('warning', `the conditions ask for ${start.name} after ${end.name}: periods that end before they start`, startBounds[0]?.location, `check the bounds: ${start.name} should not be later than ${end.name}`);
      }
    }
  }
}
