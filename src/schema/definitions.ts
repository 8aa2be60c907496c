/**
 * A schema file holds definitions only. Its text is run as it is when a
 * sample database is built, so anything else in it (a SELECT, a DO block, a
 * function, a SET) would run too: a `SELECT pg_sleep(30)` would hold every
 * start. Each statement is checked on the parse tree before the file is used,
 * and the first that is not a definition is refused, by its position.
 */
import { AppError } from '../errors.js';
import { locate, type ParseTree } from '../sql/parser.js';

/** Statement kinds a schema file may hold: tables, views, types, keys and the sequences behind them, indexes, comments, schemas. */
const DEFINITIONS: Record<string, string> = {
  CreateStmt: 'CREATE TABLE',
  ViewStmt: 'CREATE VIEW',
  CreateEnumStmt: 'CREATE TYPE … AS ENUM',
  CompositeTypeStmt: 'CREATE TYPE … AS (…)',
  CreateDomainStmt: 'CREATE DOMAIN',
  AlterTableStmt: 'ALTER TABLE',
  IndexStmt: 'CREATE INDEX',
  CommentStmt: 'COMMENT ON',
  CreateSchemaStmt: 'CREATE SCHEMA',
  CreateSeqStmt: 'CREATE SEQUENCE',
  AlterSeqStmt: 'ALTER SEQUENCE',
};

/** Throws SCHEMA_PARSE_ERROR naming the first statement of `tree` that is not a definition, and when no table is defined. */
export function checkDefinitions(tree: ParseTree, ddl: string): void {
  // The parser stops at a NUL byte: text after one would be run without having been checked.
  const nul = ddl.indexOf('\u0000');
  if (nul !== -1) {
    const { line, column } = locate(ddl, nul);
    throw new AppError('SCHEMA_PARSE_ERROR', `line ${line}, column ${column}: a NUL byte (is this a binary file?); a schema file is SQL text`, { line, column, position: nul });
  }
  tree.stmts.forEach(({ stmt, stmt_location = 0 }, i) => {
    const kind = Object.keys(stmt)[0] ?? 'unknown';
    if (kind in DEFINITIONS) return;
    const position = statementStart(ddl, Buffer.from(ddl, 'utf8').subarray(0, stmt_location).toString('utf8').length);
    const { line, column, excerpt } = locate(ddl, position);
    const text = ddl.slice(position).split('\n')[0]!.slice(0, 60);
    throw new AppError(
      'SCHEMA_PARSE_ERROR',
      `statement ${i + 1} (line ${line}, column ${column}: "${text}") is not a definition; a schema file holds only tables, views, types, keys, indexes and comments (${[...new Set(Object.values(DEFINITIONS))].join(', ')})`,
      { line, column, position, statement: i + 1, excerpt },
    );
  });
  if (!tree.stmts.some(({ stmt }) => stmt.CreateStmt)) {
    throw new AppError('SCHEMA_PARSE_ERROR', 'the schema defines no table (a schema file needs at least one CREATE TABLE)', { line: 1, column: 1, position: 0 });
  }
}

/** The first character of the statement at `offset`: libpg-query's statement location includes the blanks and comments before it. */
function statementStart(ddl: string, offset: number): number {
  let i = offset;
  for (;;) {
    while (i < ddl.length && /\s/.test(ddl[i]!)) i++;
    if (ddl.startsWith('--', i)) i = ddl.indexOf('\n', i) === -1 ? ddl.length : ddl.indexOf('\n', i);
    else if (ddl.startsWith('/*', i)) i = ddl.indexOf('*/', i) === -1 ? ddl.length : ddl.indexOf('*/', i) + 2;
    else return Math.min(i, Math.max(0, ddl.length - 1));
  }
}
