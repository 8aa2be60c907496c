/**
 * Reasoning and SQL out of a model's free text. Models answer in many shapes:
 * `<think>` blocks (closed, unclosed, or with the opening tag in the chat
 * template), ```sql fences, plain fences, or a bare statement inside prose.
 * Markdown and tags are found in the text; where the SQL starts and ends is
 * decided by the PostgreSQL parser, which also proves it to be one read-only
 * statement. Only the first statement is kept; a completion that also holds
 * a write is rejected as a whole, never trimmed into a SELECT.
 */
import { parseSql, type ParseTree } from '../../../sql/parser.js';
import { checkReadOnly, describeStatement, statementTypes } from '../../../sql/safety.js';

export type ExtractionForm = 'sql_fence' | 'fence' | 'bare';

export interface Extraction {
  /** The first statement, as the model wrote it (without the terminating semicolon). */
  sql: string;
  reasoning: string;
  form: ExtractionForm;
  /** Further read-only statements that followed the first and were dropped. */
  dropped_statements: number;
  /** Character range of `sql` in the completion text. */
  span: { start: number; end: number };
}

/** `unsafe`: the text holds a statement that is not read-only (the whole answer is rejected, never trimmed). */
export type ExtractionResult = { ok: true; extraction: Extraction } | { ok: false; reason: string; unsafe?: true };

const SQL_LANGUAGES = new Set(['sql', 'postgresql', 'postgres', 'pgsql', 'psql', 'plpgsql']);
const THINK_TAGS = ['think', 'thinking', 'reasoning'];

interface Region {
  start: number;
  text: string;
  form: ExtractionForm;
}

/**
 * `reasoningField` is the server's separate reasoning channel
 * (`reasoning_content` in vLLM and DeepSeek, `reasoning` in Ollama), used
 * when the text itself carries no think block.
 */
export function extractCompletion(content: string, reasoningField = ''): ExtractionResult {
  const think = maskThinking(content);
  if (think.unclosed && think.masked.trim() === '') {
    return { ok: false, reason: 'the completion ended inside its <think> block (max_tokens too low?)' };
  }
  const { fences, proseMask } = findFences(think.masked);
  const regions: Region[] = fences.length > 0 ? fences : bareRegions(proseMask);
  if (regions.length === 0) return { ok: false, reason: 'the completion holds no SQL statement' };
  let firstFailure = '';
  for (const region of regions) {
    const proved = proveRegion(region);
    if (proved.ok) {
      const { start, end } = proved.span;
      const prose = `${proseMask.slice(0, start)} ${proseMask.slice(end)}`;
      const reasoning = think.text || reasoningField.trim();
      return {
        ok: true,
        extraction: {
          sql: content.slice(start, end),
          reasoning: reasoning !== '' ? reasoning : tidyProse(prose),
          form: region.form,
          dropped_statements: proved.dropped,
          span: proved.span,
        },
      };
    }
    if (proved.fatal) return { ok: false, reason: proved.reason, unsafe: true };
    firstFailure ||= proved.reason;
  }
  return { ok: false, reason: firstFailure };
}

/** The text with every think block blanked out (same length, so offsets stay valid), and the blocks' text. */
function maskThinking(content: string): { masked: string; text: string; unclosed: boolean } {
  let masked = content;
  const parts: string[] = [];
  let unclosed = false;
  // Case-insensitive search on the text itself: lower-casing could change its length and shift offsets.
  const find = (needle: string, from: number): number => {
    const pattern = new RegExp(needle, 'gi');
    pattern.lastIndex = from;
    return pattern.exec(content)?.index ?? -1;
  };
  for (const tag of THINK_TAGS) {
    const open = `<${tag}>`;
    const close = `</${tag}>`;
    let from = 0;
    for (;;) {
      const closeAt = find(close, from);
      const openAt = find(open, from);
      if (openAt === -1 && closeAt === -1) break;
      // A closing tag with no opening one: the template opened the block, the text starts inside it.
      const start = openAt !== -1 && (closeAt === -1 || openAt < closeAt) ? openAt : from;
      const bodyStart = start === openAt ? openAt + open.length : from;
      const end = find(close, bodyStart);
      if (end === -1) unclosed = true;
      const stop = end === -1 ? content.length : end + close.length;
      parts.push(content.slice(bodyStart, end === -1 ? content.length : end).trim());
      masked = masked.slice(0, start) + ' '.repeat(stop - start) + masked.slice(stop);
      from = stop;
    }
  }
  return { masked, text: parts.filter((p) => p !== '').join('\n'), unclosed };
}

/**
 * Fenced blocks in SQL or no language, SQL-tagged ones first; a fence left
 * open by a truncated answer runs to the end. `proseMask` is the text with
 * every fence blanked, for the reasoning.
 */
function findFences(text: string): { fences: Region[]; proseMask: string } {
  const tagged: Region[] = [];
  const plain: Region[] = [];
  let proseMask = text;
  const fence = /```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g;
  for (const m of text.matchAll(fence)) {
    const language = m[1].toLowerCase();
    const bodyStart = m.index + m[0].indexOf('\n') + 1;
    const region = { start: bodyStart, text: m[2] };
    if (SQL_LANGUAGES.has(language)) tagged.push({ ...region, form: 'sql_fence' });
    else if (language === '') plain.push({ ...region, form: 'fence' });
    else continue;
    proseMask = proseMask.slice(0, m.index) + ' '.repeat(m[0].length) + proseMask.slice(m.index + m[0].length);
  }
  return { fences: [...tagged, ...plain], proseMask };
}

/**
 * Where a bare statement may start: SELECT or WITH, best first — at the
 * start of a line, then in upper case anywhere, then in any case — so that
 * "I will select the projects" in the prose loses to the real statement.
 */
function bareRegions(text: string): Region[] {
  const starts: Array<{ at: number; rank: number }> = [];
  for (const m of text.matchAll(/\b(select|with)\b/gi)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const atLineStart = text.slice(lineStart, m.index).trim() === '';
    const upper = m[0] === m[0].toUpperCase();
    starts.push({ at: m.index, rank: atLineStart ? 0 : upper ? 1 : 2 });
  }
  return starts
    .sort((a, b) => a.rank - b.rank || a.at - b.at)
    .map(({ at }) => ({ start: at, text: text.slice(at), form: 'bare' as const }));
}

type Proof =
  | { ok: true; span: { start: number; end: number }; dropped: number }
  | { ok: false; fatal: boolean; reason: string };

/**
 * A fence must parse whole. A bare region runs into the prose after it, so
 * it is cut back, longest first, at line ends, semicolons and backticks no
 * later than the parser's error position, until a prefix parses.
 */
function proveRegion(region: Region): Proof {
  const whole = parseSql(region.text);
  if (whole.ok) return proveStatements(region, region.text, whole.tree);
  if (region.form !== 'bare') return { ok: false, fatal: false, reason: `the SQL does not parse: ${whole.error.message}` };
  let limit = whole.error.position;
  for (let i = Math.min(limit, region.text.length - 1); i > 0; i--) {
    const c = region.text[i];
    if (i > limit || (c !== '\n' && c !== '`' && c !== ';')) continue;
    const prefix = region.text.slice(0, c === ';' ? i + 1 : i);
    const parsed = parseSql(prefix);
    if (parsed.ok && parsed.tree.stmts.length > 0) return proveStatements(region, prefix, parsed.tree);
    // A prefix that still holds the offending token fails the same way: skip the cut points above it.
    if (!parsed.ok) limit = Math.min(limit, parsed.error.position);
  }
  const word = region.text.split(/\s/, 1)[0];
  return { ok: false, fatal: false, reason: `the completion holds no SQL statement (the text from "${word}" does not parse: ${whole.error.message})` };
}

/** The first statement, proved read-only; any later write condemns the whole answer. */
function proveStatements(region: Region, text: string, tree: ParseTree): Proof {
  const statements = tree.stmts.map((s) => {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : text.length;
    return { start, end, sql: text.slice(start, end) };
  });
  if (statements.length === 0) return { ok: false, fatal: false, reason: 'the SQL block is empty' };
  for (const [i, statement] of statements.entries()) {
    const safety = checkReadOnly(statement.sql);
    if (!safety.ok) {
      const type = safety.tree ? describeStatement(statementTypes(safety.tree)[0] ?? '') : 'statement';
      const which = i === 0 ? 'the SQL' : `statement ${i + 1} (${type})`;
      return { ok: false, fatal: true, reason: `${which} is not read-only: ${safety.violations.map((v) => v.message).join('; ')}` };
    }
  }
  const first = statements[0];
  const leading = first.sql.length - first.sql.trimStart().length;
  const trimmed = first.sql.trim();
  return {
    ok: true,
    span: { start: region.start + first.start + leading, end: region.start + first.start + leading + trimmed.length },
    dropped: statements.length - 1,
  };
}

/** Prose left around the SQL, without the holes the SQL and fences left behind. */
function tidyProse(prose: string): string {
  return prose
    .split('\n')
    .map((line) => line.replace(/`\s*`/g, '').replace(/\s+([;,.:])/g, '$1').replace(/[ \t]+/g, ' ').trim())
    .filter((line) => /\p{L}/u.test(line))
    .join('\n');
}
