/**
 * Human output of the command line: SQL laid out one clause per line (from
 * Postgres' own scanner, so keywords inside strings or identifiers are never
 * mistaken for clauses), reasoning steps, a validation summary and aligned
 * result tables.
 */
import { scanSync, type ScanToken } from 'libpg-query';
import { loadParser } from '../sql/parser.js';

/** Clause keywords that start a new line at their nesting depth. */
const CLAUSES = new Set(['SELECT', 'FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'INTERSECT', 'EXCEPT', 'WINDOW', 'WITH', 'FETCH']);
/** Words that may open a join; the whole run (`LEFT OUTER JOIN`) stays on one line. */
const JOIN_WORDS = new Set(['JOIN', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'CROSS', 'NATURAL', 'OUTER']);
/** Clauses whose AND/OR conditions go one per line. */
const CONDITION_CLAUSES = new Set(['WHERE', 'HAVING', 'ON']);
const INDENT = '  ';

/** The SQL with each clause on its own line, subqueries indented; text the scanner rejects is returned as given. */
export async function formatSql(sql: string): Promise<string> {
  await loadParser();
  let tokens: ScanToken[];
  try {
    tokens = scanSync(sql).tokens;
  } catch {
    return sql.trim();
  }
  if (tokens.length === 0) return sql.trim();
  const out: string[] = [];
  let depth = 0;
  // Per nesting level: the clause in force, and whether BETWEEN is waiting for its AND.
  const clause: string[] = [''];
  const between: boolean[] = [false];
  let previous: ScanToken | undefined;
  for (const token of tokens) {
    const word = token.keywordKind > 0 ? token.text.toUpperCase() : '';
    if (token.text === ')') {
      depth = Math.max(0, depth - 1);
      clause.length = depth + 1;
      between.length = depth + 1;
    }
    // Inside parentheses only a subquery (a level where SELECT was seen) is laid out; EXTRACT(YEAR FROM x) is not.
    const laidOut = depth === 0 || clause[depth] !== '';
    const breaks = previous !== undefined && laidOut && startsLine(word, previous, clause[depth]!, between[depth]!);
    if (previous !== undefined) {
      const gap = sql.slice(previous.end, token.start);
      const comment = gap.trim();
      if (breaks) out.push(`${comment ? ` ${comment}` : ''}\n${INDENT.repeat(depth)}${CONDITION_CLAUSES.has(clause[depth]!) && (word === 'AND' || word === 'OR') ? INDENT : ''}`);
      else out.push(comment ? ` ${comment} ` : gap.length > 0 ? ' ' : '');
    }
    out.push(sql.slice(token.start, token.end));
    if (CLAUSES.has(word) || word === 'ON') clause[depth] = word;
    if (word === 'BETWEEN') between[depth] = true;
    else if (word === 'AND' && between[depth]) between[depth] = false;
    if (token.text === '(') {
      depth++;
      clause[depth] = '';
      between[depth] = false;
    }
    previous = token;
  }
  const tail = sql.slice(previous!.end).trim();
  return out.join('') + (tail ? ` ${tail}` : '');
}

function startsLine(word: string, previous: ScanToken, clause: string, inBetween: boolean): boolean {
  if (!word || previous.text === '(') return false;
  const prev = previous.keywordKind > 0 ? previous.text.toUpperCase() : '';
  if (CLAUSES.has(word)) return !(word === 'SELECT' && (prev === 'UNION' || prev === 'ALL' || prev === 'INTERSECT' || prev === 'EXCEPT')) && prev !== 'WITHIN';
  if (JOIN_WORDS.has(word)) return !JOIN_WORDS.has(prev) && (clause === 'FROM' || clause === 'ON');
  if (word === 'AND' || word === 'OR') return CONDITION_CLAUSES.has(clause) && !(word === 'AND' && inBetween);
  return false;
}

/** Reasoning as numbered steps, whether the generator wrapped it in <think> tags or not. */
export function reasoningSteps(reasoning: string): string[] {
  const body = reasoning.replace(/<\/?think>/g, '').trim();
  if (!body) return [];
  return body
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

export interface ValidationView {
  is_valid: boolean;
  details: Record<string, unknown> & { issues?: unknown[]; suggestions?: unknown[] };
}

const CHECKS: Array<[string, string]> = [
  ['syntax_valid', 'syntax'],
  ['schema_compliant', 'schema'],
  ['business_logic_valid', 'business rules'],
  ['performance_acceptable', 'performance'],
];

/** One line of verdicts, then one line per issue and suggestion. */
export function validationSummary(validation: ValidationView): string[] {
  const checks = CHECKS.map(([key, label]) => `${label} ${validation.details[key] === false ? '✗' : '✓'}`).join('  ');
  const lines = [`${validation.is_valid ? 'valid' : 'INVALID'}  (${checks})`];
  for (const issue of validation.details.issues ?? []) lines.push(`  issue: ${describeIssue(issue)}`);
  for (const suggestion of validation.details.suggestions ?? []) lines.push(`  suggestion: ${typeof suggestion === 'string' ? suggestion : JSON.stringify(suggestion)}`);
  return lines;
}

function describeIssue(issue: unknown): string {
  if (typeof issue === 'string') return issue;
  const i = (issue ?? {}) as Record<string, unknown>;
  const where = typeof i.line === 'number' ? ` (line ${i.line}${typeof i.column === 'number' ? `, column ${i.column}` : ''})` : '';
  const tag = [i.severity, i.layer].filter((x) => typeof x === 'string').join(' ');
  const message = typeof i.message === 'string' ? i.message : JSON.stringify(issue);
  return `${tag ? `[${tag}] ` : ''}${message}${where}`;
}

/** Rows as an aligned text table, header underlined; NULL shown as `NULL`. */
export function textTable(columns: string[], rows: unknown[][]): string {
  const cells = rows.map((row) => row.map(cellText));
  const widths = columns.map((name, i) => Math.max(name.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)].join('\n');
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}
