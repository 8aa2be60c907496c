/**
 * The PostgreSQL parser (libpg-query: Postgres' own grammar compiled to WASM).
 * `loadParser()` must have resolved once before the synchronous `parseSql`;
 * the product awaits it at start-up, next to the database boot.
 */
import { loadModule, parseSync } from 'libpg-query';

let loading: Promise<void> | undefined;
let loaded = false;

export function loadParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  return loading;
}

export function isParserLoaded(): boolean {
  return loaded;
}

/** A raw libpg-query parse tree: `{ version, stmts: [{ stmt: { SelectStmt: … }, stmt_location?, stmt_len? }] }`. */
export interface ParseTree {
  version: number;
  stmts: Array<{ stmt: Record<string, any>; stmt_location?: number; stmt_len?: number }>;
}

export interface ParseFailure {
  message: string;
  /** 0-based character offset of the error in the text. */
  position: number;
  line: number;
  column: number;
  /** The offending line with a caret under the error position. */
  excerpt: string;
}

export type ParseResult = { ok: true; tree: ParseTree } | { ok: false; error: ParseFailure };

export function parseSql(sql: string): ParseResult {
  if (!loaded) throw new Error('parseSql called before loadParser() resolved');
  try {
    return { ok: true, tree: parseSync(sql) as ParseTree };
  } catch (err) {
    const e = err as { message?: string; sqlDetails?: { cursorPosition?: number } };
    const position = clampPosition(sql, e.sqlDetails?.cursorPosition ?? 0);
    return { ok: false, error: { message: e.message ?? String(err), ...locate(sql, position) } };
  }
}

function clampPosition(text: string, position: number): number {
  return Math.max(0, Math.min(position, Math.max(0, text.length - 1)));
}

/** Line (1-based), column (1-based) and a caret excerpt for a 0-based character offset. */
export function locate(text: string, position: number): Omit<ParseFailure, 'message'> {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', position);
  const lineText = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const column = position - lineStart + 1;
  return { position, line, column, excerpt: `${lineText}\n${' '.repeat(column - 1)}^` };
}
