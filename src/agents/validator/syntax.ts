/**
 * Syntax layer: the parser's verdict with position, caret excerpt and a hint,
 * and the foreign-dialect constructs (MySQL, SQL Server) that either fail to
 * parse or parse as calls to functions PostgreSQL does not have. Each gets a
 * concrete rewrite; the whole statement's rewrite is offered only when the
 * parser accepts it.
 */
import { closest } from '../../schema/fuzzy.js';
import { functionName } from '../../sql/ast.js';
import { parseSql } from '../../sql/parser.js';
import type { ValidationIssue } from './contract.js';
import type { ValidationContext } from './context.js';
import { DIALECT_FUNCTIONS, findDialectFixes, rewriteDialect, tokenize, type DialectFix, type Token } from './rewrites.js';
import type { LayerReport } from './types.js';

const KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'ORDER', 'BY', 'HAVING', 'LIMIT', 'OFFSET', 'JOIN', 'INNER', 'LEFT', 'RIGHT',
  'FULL', 'OUTER', 'CROSS', 'ON', 'USING', 'AND', 'OR', 'NOT', 'IN', 'AS', 'DISTINCT', 'UNION', 'INTERSECT', 'EXCEPT',
  'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'BETWEEN', 'LIKE', 'ILIKE', 'IS', 'NULL', 'WITH', 'EXISTS', 'DESC', 'ASC',
];

export function syntaxLayer(ctx: ValidationContext): LayerReport {
  const issues: ValidationIssue[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const suggestions: string[] = [];
  const fixes = dialectFixes(ctx);
  for (const fix of fixes) {
    const message = `${fix.construct} is not PostgreSQL: \`${fix.shown ?? fix.original}\``;
    issues.push({ layer: 'syntax', severity: 'error', message, position: fix.start, suggestion: fix.advice ?? `write \`${fix.replacement}\`` });
    errors.push(message);
  }
  if (fixes.length > 0) {
    const rewritten = rewriteDialect(ctx.sql);
    if (rewritten !== ctx.sql && parseSql(rewritten).ok) suggestions.push(`PostgreSQL rewrite: ${rewritten}`);
  }
  const failure = ctx.parseError;
  if (failure && fixes.length === 0 && ctx.sql.trim() !== '') {
    const message = `${failure.message} (line ${failure.line}, column ${failure.column})`;
    issues.push({ layer: 'syntax', severity: 'error', message, position: failure.position, suggestion: hintFor(ctx, tokenize(ctx.sql)) });
    errors.push(`${message}\n${failure.excerpt}`);
  }
  if (ctx.sql.trim() === '') {
    issues.push({ layer: 'syntax', severity: 'error', message: 'the SQL text is empty', suggestion: 'write one SELECT statement' });
    errors.push('the SQL text is empty');
  } else if (ctx.tree && ctx.tree.stmts.length === 0) {
    issues.push({ layer: 'syntax', severity: 'error', message: 'the SQL text holds no statement (only comments or semicolons)' });
    errors.push('no statement');
  }
  return { layer: 'syntax', issues, suggestions, details: { syntax_valid: errors.length === 0, syntax_errors: errors, syntax_warnings: warnings } };
}

/**
 * Dialect fixes: when the text parsed, only where the tree holds a call to a function PostgreSQL
 * lacks (or MySQL's <=>), so clean queries are not scanned; when it did not parse, from the tokens.
 */
function dialectFixes(ctx: ValidationContext): DialectFix[] {
  if (!ctx.tree) {
    const tokens = tokenize(ctx.sql);
    return tokens ? findDialectFixes(ctx.sql, tokens) : [];
  }
  const calls = new Set<number>();
  for (const call of ctx.nodes('FuncCall')) {
    const position = ctx.position(call.location);
    if (DIALECT_FUNCTIONS.has(functionName(call)) && position !== undefined) calls.add(position);
  }
  const operator = ctx.nodes('A_Expr').some((e) => e.name?.[0]?.String?.sval === '<=>');
  if (calls.size === 0 && !operator) return [];
  const tokens = tokenize(ctx.sql);
  return tokens ? findDialectFixes(ctx.sql, tokens, calls) : [];
}

/** A hint for a parse error, from the token the parser stopped at and the one before it. */
function hintFor(ctx: ValidationContext, tokens: Token[] | null): string {
  const failure = ctx.parseError!;
  const message = failure.message.toLowerCase();
  if (message.includes('unterminated quoted string')) return "close the string literal with a single quote; write a quote inside a string as ''";
  if (message.includes('unterminated quoted identifier')) return 'close the double-quoted identifier';
  if (message.includes('unterminated /* comment')) return 'close the /* comment with */, or remove it';
  if (message.includes('at end of input')) return 'the statement is incomplete: look for a missing expression, closing parenthesis or clause at its end';
  const at = tokens?.findIndex((t) => t.start <= failure.position && failure.position < t.end) ?? -1;
  const token = at >= 0 ? tokens![at] : undefined;
  const previous = at > 0 ? tokens![at - 1] : undefined;
  for (const candidate of [token, previous]) {
    if (candidate?.kind !== 'IDENT') continue;
    const keyword = closest(candidate.text.toUpperCase(), KEYWORDS, { max: 1, minSimilarity: 0.6 })[0];
    if (keyword && keyword.distance > 0) return `did you mean the keyword ${keyword.value} instead of "${candidate.text}"?`;
  }
  if (token && previous?.text === ',' && token.keyword === 4) return `remove the comma before ${token.text.toUpperCase()}`;
  if (token?.text === ')' ) return 'a parenthesis closes nothing, or an expression before it is missing';
  if (token?.text === '"') return 'double quotes are for identifiers; string literals take single quotes';
  return token ? `check the SQL near "${token.text}"` : 'check the SQL near the position shown';
}
