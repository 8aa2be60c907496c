/**
 * Deliberately broken variants of a gold query, for measuring how well a
 * reward separates right from wrong. The real PostgreSQL parser finds what
 * to break (the nodes of the parse tree and their source locations) and its
 * scanner the tokens to edit; every variant is parsed again and kept only if
 * it is one read-only statement different from the gold. Whether a variant
 * is actually wrong is decided later, by execution match, not assumed here.
 */
import { scanSync, type ScanToken } from 'libpg-query';
import { collect, functionName, nameParts, type AstNode } from '../sql/ast.js';
import { parseSql } from '../sql/parser.js';
import { checkReadOnly } from '../sql/safety.js';

export const MUTATIONS = ['wrong_filter_value', 'missing_condition', 'wrong_aggregate', 'wrong_join', 'extra_rows'] as const;
export type MutationKind = (typeof MUTATIONS)[number];

export interface Mutant {
  kind: MutationKind;
  sql: string;
}

const CLAUSE_ENDS = new Set(['GROUP', 'ORDER', 'LIMIT', 'OFFSET', 'HAVING', 'UNION', 'EXCEPT', 'INTERSECT', 'WINDOW', 'FETCH', 'FOR', ';']);
const AGGREGATE_SWAPS: Record<string, string> = { sum: 'avg', avg: 'sum', min: 'max', max: 'min' };

/** Every applicable mutation of `sql` (at most one per kind). The parser must be loaded. */
export function mutate(sql: string): Mutant[] {
  const parsed = parseSql(sql);
  // Byte offsets of the scanner are character offsets only for ASCII text.
  if (!parsed.ok || parsed.tree.stmts.length !== 1 || /[^\x00-\x7f]/.test(sql)) return [];
  const select = parsed.tree.stmts[0]!.stmt.SelectStmt as AstNode | undefined;
  if (!select) return [];
  const tokens = scanSync(sql).tokens;
  const candidates: Array<[MutationKind, string | undefined]> = [
    ['wrong_filter_value', wrongFilterValue(sql, select, tokens)],
    ['missing_condition', missingCondition(sql, select, tokens)],
    ['wrong_aggregate', wrongAggregate(sql, select, tokens)],
    ['wrong_join', wrongJoin(sql, select, tokens)],
    ['extra_rows', extraRows(sql, select, tokens)],
  ];
  const gold = sql.trim();
  return candidates.flatMap(([kind, text]) =>
    text !== undefined && text.trim() !== gold && checkReadOnly(text).ok ? [{ kind, sql: text.trim() }] : []);
}

const tokenAt = (tokens: ScanToken[], at: number) => tokens.find((t) => t.start === at);
const splice = (sql: string, start: number, end: number, text: string) => sql.slice(0, start) + text + sql.slice(end);

/** The first literal compared in the WHERE (or HAVING) clause, changed: a string gets a suffix, a number doubles. */
function wrongFilterValue(sql: string, select: AstNode, tokens: ScanToken[]): string | undefined {
  const literal = collect([select.whereClause, select.havingClause], 'A_Const').find((c) => c.location !== undefined && !c.isnull);
  const token = literal && tokenAt(tokens, literal.location);
  if (!token) return undefined;
  if (token.text.startsWith("'")) return splice(sql, token.end - 1, token.end - 1, 'X');
  const n = Number(token.text);
  return Number.isFinite(n) ? splice(sql, token.start, token.end, String(n === 0 ? 1 : n * 2)) : undefined;
}

/** Tokens with their parenthesis depth. */
function depths(tokens: ScanToken[]): number[] {
  let depth = 0;
  return tokens.map((t) => {
    if (t.text === '(') return depth++;
    if (t.text === ')') return --depth;
    return depth;
  });
}

/** The first conjunct of a top-level AND in the WHERE clause dropped, or a lone condition's whole WHERE. */
function missingCondition(sql: string, select: AstNode, tokens: ScanToken[]): string | undefined {
  if (!select.whereClause) return undefined;
  const depth = depths(tokens);
  const where = tokens.findIndex((t, i) => t.text.toUpperCase() === 'WHERE' && depth[i] === 0);
  if (where < 0) return undefined;
  const and = select.whereClause.BoolExpr?.boolop === 'AND_EXPR' ? tokens.findIndex((t) => t.start === select.whereClause.BoolExpr.location) : -1;
  if (and > where) return splice(sql, tokens[where + 1]!.start, tokens[and + 1]!.start, '');
  let end = where + 1;
  while (end < tokens.length && !(depth[end] === 0 && CLAUSE_ENDS.has(tokens[end]!.text.toUpperCase())) && depth[end]! >= 0) end++;
  return splice(sql, tokens[where]!.start, end < tokens.length ? tokens[end]!.start : sql.length, '');
}

/** The first SUM/AVG/MIN/MAX of the select list swapped for its counterpart. */
function wrongAggregate(sql: string, select: AstNode, tokens: ScanToken[]): string | undefined {
  const call = collect(select.targetList, 'FuncCall').find((f) => AGGREGATE_SWAPS[functionName(f)] !== undefined);
  const token = call && tokens.find((t) => t.start === call.location && t.text.toLowerCase() === functionName(call));
  return token ? splice(sql, token.start, token.end, AGGREGATE_SWAPS[functionName(call)]!.toUpperCase()) : undefined;
}

/** The first join condition's equality turned into an inequality: every row joined to the wrong partners. */
function wrongJoin(sql: string, select: AstNode, tokens: ScanToken[]): string | undefined {
  const join = collect(select.fromClause, 'JoinExpr').find((j) => j.quals);
  const equality = join && collect(join.quals, 'A_Expr').find((e) => nameParts(e.name)[0] === '=');
  const token = equality && tokenAt(tokens, equality.location);
  return token?.text === '=' ? splice(sql, token.start, token.end, '<>') : undefined;
}

/** The LIMIT dropped when there is one, else every row returned twice. */
function extraRows(sql: string, select: AstNode, tokens: ScanToken[]): string | undefined {
  const body = sql.trim().replace(/;\s*$/, '');
  if (select.limitCount) {
    const depth = depths(tokens);
    const limit = tokens.findIndex((t, i) => t.text.toUpperCase() === 'LIMIT' && depth[i] === 0);
    if (limit >= 0) {
      let end = limit + 1;
      while (end < tokens.length && !(depth[end] === 0 && CLAUSE_ENDS.has(tokens[end]!.text.toUpperCase()))) end++;
      return splice(sql, tokens[limit]!.start, end < tokens.length ? tokens[end]!.start : sql.length, '');
    }
  }
  return `SELECT * FROM (${body}) AS a UNION ALL SELECT * FROM (${body}) AS b`;
}
