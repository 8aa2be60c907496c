/**
 * Postgres rewrites for the MySQL and SQL Server constructs that people and
 * language models write most: date-part functions, DATEDIFF, DATE_ADD/SUB
 * with MySQL intervals, IFNULL and friends, backtick quoting, `LIMIT a, b`
 * and `TOP n`. Work is on lexer tokens (the text need not parse) and each
 * rewrite is built from the argument texts the tokens delimit; callers prove
 * the results with the parser before offering them.
 */
import { scanSync } from 'libpg-query';
import { dictionary } from '../../dictionary.js';

export interface Token {
  /** Character offsets. */
  start: number;
  end: number;
  text: string;
  kind: string;
  /** 0 for identifiers and symbols; PostgreSQL keyword categories otherwise (4 = reserved). */
  keyword: number;
}

export interface DialectFix {
  start: number;
  end: number;
  original: string;
  replacement: string;
  /** What the construct is: `MySQL YEAR()`, `backtick quoting`, … */
  construct: string;
  /** The construct as written, when `original` spans more than it (TOP n moves to the end). */
  shown?: string;
  /** How to say the fix when "write <replacement>" would not read well. */
  advice?: string;
}

/** Lexer tokens of `text` with character offsets, comments left out; null if the text cannot be scanned. */
export function tokenize(text: string): Token[] | null {
  let raw;
  try {
    raw = scanSync(text).tokens;
  } catch {
    return null;
  }
  const ascii = Buffer.byteLength(text, 'utf8') === text.length;
  const bytes = ascii ? undefined : Buffer.from(text, 'utf8');
  const char = (byte: number) => (bytes ? bytes.subarray(0, byte).toString('utf8').length : byte);
  return raw
    .filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT')
    .map((t) => ({ start: char(t.start), end: char(t.end), text: t.text, kind: t.tokenName, keyword: t.keywordKind }));
}

interface Call {
  name: string;
  /** Token indexes: the name, and the closing parenthesis. */
  first: number;
  last: number;
  /** Token index ranges [from, to] of each argument. */
  args: Array<[number, number]>;
}

type Builder = (args: string[], argTokens: Token[][]) => string | undefined;

const DATE_PARTS = dictionary<string>({
  year: 'YEAR', month: 'MONTH', day: 'DAY', dayofmonth: 'DAY', hour: 'HOUR', minute: 'MINUTE', second: 'SECOND',
  quarter: 'QUARTER', week: 'WEEK', dayofyear: 'DOY', weekday: 'ISODOW',
});

const UNITS = dictionary<[number, string]>({
  microsecond: [1, 'microseconds'], second: [1, 'seconds'], minute: [1, 'minutes'], hour: [1, 'hours'], day: [1, 'days'],
  week: [1, 'weeks'], month: [1, 'months'], quarter: [3, 'months'], year: [1, 'years'],
});

const MYSQL_DATE_FORMAT = dictionary<string>({
  Y: 'YYYY', y: 'YY', m: 'MM', c: 'FMMM', d: 'DD', e: 'FMDD', H: 'HH24', h: 'HH12', i: 'MI', s: 'SS', S: 'SS',
  M: 'FMMonth', b: 'Mon', W: 'FMDay', a: 'Dy', p: 'AM', j: 'DDD', '%': '%',
});

const FUNCTIONS = dictionary<Builder>({
  ...Object.fromEntries(Object.entries(DATE_PARTS).map(([name, field]) => [name, one((x) => `EXTRACT(${field} FROM ${x})`)])),
  dayofweek: one((x) => `(EXTRACT(DOW FROM ${x}) + 1)`),
  datediff: (a) => (a.length === 2 ? `(${asDate(a[0])} - ${asDate(a[1])})` : undefined),
  date_sub: (a, t) => shiftDate(a, t, '-'),
  subdate: (a, t) => shiftDate(a, t, '-'),
  date_add: (a, t) => shiftDate(a, t, '+'),
  adddate: (a, t) => shiftDate(a, t, '+'),
  ifnull: two((a, b) => `COALESCE(${a}, ${b})`),
  nvl: two((a, b) => `COALESCE(${a}, ${b})`),
  isnull: (a) => (a.length === 1 ? `(${a[0]} IS NULL)` : a.length === 2 ? `COALESCE(${a[0]}, ${a[1]})` : undefined),
  if: (a) => (a.length === 3 ? `CASE WHEN ${a[0]} THEN ${a[1]} ELSE ${a[2]} END` : undefined),
  iif: (a) => (a.length === 3 ? `CASE WHEN ${a[0]} THEN ${a[1]} ELSE ${a[2]} END` : undefined),
  curdate: none('CURRENT_DATE'),
  curtime: none('CURRENT_TIME'),
  getdate: none('NOW()'),
  sysdate: none('NOW()'),
  rand: none('random()'),
  ucase: one((x) => `upper(${x})`),
  lcase: one((x) => `lower(${x})`),
  len: one((x) => `length(${x})`),
  instr: two((s, sub) => `strpos(${s}, ${sub})`),
  locate: two((sub, s) => `strpos(${s}, ${sub})`),
  truncate: two((x, n) => `trunc(${x}, ${n})`),
  last_day: one((x) => `(date_trunc('month', ${x}) + INTERVAL '1 month - 1 day')::date`),
  group_concat: groupConcat,
  date_format: (a, t) => withFormat('to_char', a, t),
  str_to_date: (a, t) => withFormat('to_date', a, t),
});

/** Names of functions that exist in MySQL or SQL Server but not in PostgreSQL, with a known rewrite. */
export const DIALECT_FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));

/**
 * Every dialect construct in `tokens` with its local rewrite. `callStarts`, when given,
 * restricts function rewrites to calls at those character offsets (the parser's FuncCall nodes).
 */
export function findDialectFixes(text: string, tokens: Token[], callStarts?: Set<number>): DialectFix[] {
  const fixes: DialectFix[] = [];
  const add = (first: number, last: number, replacement: string, construct: string) => {
    const start = tokens[first].start;
    const end = tokens[last].end;
    fixes.push({ start, end, original: text.slice(start, end), replacement, construct });
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const lower = t.text.toLowerCase();
    if (t.text === '`') {
      const close = tokens.findIndex((u, j) => j > i && u.text === '`');
      if (close === -1) continue;
      add(i, close, quoteIdentifier(text.slice(t.end, tokens[close].start)), 'backtick quoting');
      i = close;
    } else if (t.text === '<=>') {
      add(i, i, 'IS NOT DISTINCT FROM', 'MySQL <=> operator');
    } else if (lower === 'limit' && tokens[i + 2]?.text === ',' && isNumberLike(tokens[i + 1]) && isNumberLike(tokens[i + 3])) {
      add(i, i + 3, `LIMIT ${tokens[i + 3].text} OFFSET ${tokens[i + 1].text}`, 'MySQL LIMIT offset, count');
      i += 3;
    } else if (lower === 'top' && isTopPosition(tokens, i)) {
      const fix = topFix(text, tokens, i);
      if (fix) fixes.push(fix);
    } else if (lower === 'interval' && isNumberLike(tokens[i + 1]) && unitOf(tokens[i + 2]) && !isCallName(tokens, i)) {
      add(i, i + 2, intervalLiteral(tokens[i + 1].text, unitOf(tokens[i + 2])!), 'MySQL INTERVAL n UNIT');
      i += 2;
    } else if (FUNCTIONS[lower] && tokens[i + 1]?.text === '(' && (!callStarts || callStarts.has(t.start)) && !isQualifiedName(tokens, i)) {
      const call = callAt(tokens, i);
      if (!call) continue;
      const argTokens = call.args.map(([a, b]) => tokens.slice(a, b + 1));
      const args = call.args.map(([a, b]) => (a > b ? '' : text.slice(tokens[a].start, tokens[b].end).trim()));
      const replacement = FUNCTIONS[lower](args.length === 1 && args[0] === '' ? [] : args, argTokens);
      if (replacement !== undefined) add(call.first, call.last, replacement, `${t.text.toUpperCase()}()`);
    }
  }
  return nonOverlapping(fixes);
}

/** Applies fixes (non-overlapping) to `text`. */
export function applyFixes(text: string, fixes: DialectFix[]): string {
  let out = '';
  let at = 0;
  for (const fix of [...fixes].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, fix.start) + fix.replacement;
    at = fix.end;
  }
  return out + text.slice(at);
}

/** The text with every dialect construct rewritten, nested ones included (a few rounds, re-scanning each). */
export function rewriteDialect(text: string): string {
  let current = text;
  for (let round = 0; round < 6; round++) {
    const tokens = tokenize(current);
    if (!tokens) break;
    const fixes = findDialectFixes(current, tokens);
    if (fixes.length === 0) break;
    current = applyFixes(current, fixes);
  }
  return current;
}

function nonOverlapping(fixes: DialectFix[]): DialectFix[] {
  const kept: DialectFix[] = [];
  for (const fix of fixes.sort((a, b) => a.start - b.start || b.end - a.end)) {
    if (kept.length === 0 || fix.start >= kept[kept.length - 1].end) kept.push(fix);
  }
  return kept;
}

function callAt(tokens: Token[], nameIndex: number): Call | undefined {
  const args: Array<[number, number]> = [];
  let depth = 0;
  let argStart = nameIndex + 2;
  for (let j = nameIndex + 1; j < tokens.length; j++) {
    const text = tokens[j].text;
    if (text === '(' || text === '[') depth++;
    else if (text === ')' || text === ']') {
      depth--;
      if (depth === 0) {
        args.push([argStart, j - 1]);
        return { name: tokens[nameIndex].text.toLowerCase(), first: nameIndex, last: j, args };
      }
    } else if (text === ',' && depth === 1) {
      args.push([argStart, j - 1]);
      argStart = j + 1;
    }
  }
  return undefined;
}

function isQualifiedName(tokens: Token[], i: number): boolean {
  return tokens[i - 1]?.text === '.';
}

function isCallName(tokens: Token[], i: number): boolean {
  return tokens[i + 1]?.text === '(';
}

function isNumberLike(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === 'ICONST' || t.kind === 'FCONST' || t.kind === 'PARAM');
}

function unitOf(t: Token | undefined): [number, string] | undefined {
  return t ? UNITS[t.text.toLowerCase()] : undefined;
}

function intervalLiteral(value: string, [factor, unit]: [number, string]): string {
  const n = Number(value);
  if (Number.isFinite(n)) return `INTERVAL '${n * factor} ${unit}'`;
  return `(${value}) * INTERVAL '${factor} ${unit}'`;
}

/** `TOP n` right after SELECT (or SELECT DISTINCT): removed, and `LIMIT n` put at the end of the statement. */
function isTopPosition(tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1]?.text.toLowerCase();
  const prev2 = tokens[i - 2]?.text.toLowerCase();
  return prev === 'select' || (prev === 'distinct' && prev2 === 'select');
}

function topFix(text: string, tokens: Token[], i: number): DialectFix | undefined {
  const parenthesized = tokens[i + 1]?.text === '(' && tokens[i + 3]?.text === ')';
  const countToken = parenthesized ? tokens[i + 2] : tokens[i + 1];
  if (!isNumberLike(countToken)) return undefined;
  const last = parenthesized ? i + 3 : i + 1;
  let end = tokens.findIndex((t, j) => j > last && t.text === ';');
  if (end === -1) end = tokens.length;
  if (tokens.slice(last + 1, end).some((t) => t.text.toLowerCase() === 'limit')) return undefined;
  const stmtEnd = tokens[end - 1]?.end ?? text.length;
  const between = text.slice(tokens[last].end, stmtEnd);
  const start = tokens[i].start;
  return {
    start,
    end: stmtEnd,
    original: text.slice(start, stmtEnd),
    replacement: `${between.trimStart()} LIMIT ${countToken.text}`,
    construct: 'SQL Server TOP n',
    shown: text.slice(start, tokens[last].end),
    advice: `drop ${text.slice(start, tokens[last].end)} and end the statement with LIMIT ${countToken.text}`,
  };
}

function one(build: (x: string) => string): Builder {
  return (a) => (a.length === 1 && a[0] !== '' ? build(a[0]) : undefined);
}

function two(build: (x: string, y: string) => string): Builder {
  return (a) => (a.length === 2 ? build(a[0], a[1]) : undefined);
}

function none(replacement: string): Builder {
  return (a) => (a.length === 0 ? replacement : undefined);
}

/** `x::date` for a cast-free difference in days; a bare word or call needs no parentheses. */
function asDate(arg: string): string {
  const tokens = tokenize(arg) ?? [];
  const simple = tokens.length === 1 || tokens.every((t) => t.kind === 'IDENT' || t.text === '.');
  return simple ? `${arg}::date` : `(${arg})::date`;
}

/** DATE_SUB(d, INTERVAL n UNIT) → (d - INTERVAL 'n units'); DATE_ADD(d, n) adds days. */
function shiftDate(args: string[], argTokens: Token[][], op: '+' | '-'): string | undefined {
  if (args.length !== 2) return undefined;
  const t = argTokens[1];
  let interval = args[1];
  if (t[0]?.text.toLowerCase() === 'interval' && t.length >= 3 && unitOf(t[t.length - 1]) && t[1].kind !== 'SCONST') {
    const value = t.slice(1, -1).map((x) => x.text).join(' ');
    interval = intervalLiteral(value, unitOf(t[t.length - 1])!);
  } else if (t.length === 1 && t[0].kind === 'ICONST') {
    interval = `INTERVAL '${t[0].text} days'`;
  }
  return `(${args[0]} ${op} ${interval})`;
}

function groupConcat(args: string[], argTokens: Token[][]): string | undefined {
  if (args.length !== 1) return undefined;
  const t = argTokens[0];
  const sep = t.length >= 3 && t[t.length - 2].text.toLowerCase() === 'separator' && t[t.length - 1].kind === 'SCONST';
  const value = sep ? t.slice(0, -2).map((x) => x.text).join(' ') : args[0];
  return `string_agg(${value}::text, ${sep ? t[t.length - 1].text : "','"})`;
}

/** DATE_FORMAT / STR_TO_DATE with a literal MySQL format: the format is translated to PostgreSQL's. */
function withFormat(fn: string, args: string[], argTokens: Token[][]): string | undefined {
  if (args.length !== 2) return undefined;
  const fmt = argTokens[1];
  if (fmt.length !== 1 || fmt[0].kind !== 'SCONST' || !fmt[0].text.startsWith("'")) return `${fn}(${args[0]}, ${args[1]})`;
  const literal = fmt[0].text.slice(1, -1);
  let out = '';
  for (let k = 0; k < literal.length; k++) {
    const c = literal[k];
    if (c === '%' && k + 1 < literal.length) {
      out += MYSQL_DATE_FORMAT[literal[k + 1]] ?? literal[k + 1];
      k++;
    } else out += c;
  }
  return `${fn}(${args[0]}, '${out}')`;
}

/** A backticked name becomes a plain identifier when it is one, else a double-quoted one. */
function quoteIdentifier(name: string): string {
  const tokens = tokenize(name);
  const word = tokens?.length === 1 ? tokens[0] : undefined;
  const plain = word !== undefined && word.text === name && (word.kind === 'IDENT' || word.keyword === 1) && !name.startsWith('"');
  return plain ? name : `"${name.replaceAll('"', '""')}"`;
}
