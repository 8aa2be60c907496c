import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractCompletion } from '../../../../src/agents/query-generator/llm/extract.js';
import { loadParser } from '../../../../src/sql/parser.js';
import { checkReadOnly } from '../../../../src/sql/safety.js';

beforeAll(async () => {
  await loadParser();
});

function sqlOf(content: string): string {
  const result = extractCompletion(content);
  if (!result.ok) throw new Error(result.reason);
  return result.extraction.sql;
}

describe('extractCompletion', () => {
  it.each([
    ['a think block and an sql fence', "<think>1. projects</think>\n```sql\nSELECT a FROM t WHERE b = 'x';\n```", "SELECT a FROM t WHERE b = 'x'"],
    ['a postgresql-tagged fence', '```postgresql\nSELECT a FROM t\n```', 'SELECT a FROM t'],
    ['a plain fence', 'Query:\n```\nSELECT a FROM t\n```\nDone.', 'SELECT a FROM t'],
    ['an sql fence before a plain one', '```\nnot sql at all\n```\n```sql\nSELECT a FROM t\n```', 'SELECT a FROM t'],
    ['a fence left open by a cut-off answer', '```sql\nSELECT a FROM t', 'SELECT a FROM t'],
    ['a one-line fence', 'Use ```SELECT a FROM t``` here.', 'SELECT a FROM t'],
    ['inline code', 'Run `SELECT count(*) FROM t` to count.', 'SELECT count(*) FROM t'],
    ['prose after a bare statement on the next lines', 'Here:\nSELECT a\nFROM t\nWHERE b > 1\n\nThis lists them.', 'SELECT a\nFROM t\nWHERE b > 1'],
    ['prose after a semicolon on the same line', 'The answer is SELECT a FROM t WHERE b = 1; it returns a.', 'SELECT a FROM t WHERE b = 1'],
    ['a CTE', 'WITH x AS (SELECT a FROM t) SELECT * FROM x', 'WITH x AS (SELECT a FROM t) SELECT * FROM x'],
    ['"select" as an English word before the statement', 'I will select the projects\nSELECT name FROM projects', 'SELECT name FROM projects'],
    ['"with" as an English word before the statement', 'Here is the query with a filter: SELECT a FROM t WHERE b = 2', 'SELECT a FROM t WHERE b = 2'],
    ['a closing think tag without the opening one', 'the template opened it</think>\nSELECT a FROM t', 'SELECT a FROM t'],
    ['SQL-looking text inside the reasoning', '<think>maybe SELECT x FROM y?</think>\n```sql\nSELECT a FROM t\n```', 'SELECT a FROM t'],
  ])('%s', (_name, content, expected) => {
    expect(sqlOf(content)).toBe(expected);
  });

  it('keeps the first statement and counts the dropped ones', () => {
    const result = extractCompletion('```sql\nSELECT a FROM t; SELECT b FROM u;\n```');
    expect(result.ok && result.extraction).toMatchObject({ sql: 'SELECT a FROM t', dropped_statements: 1, form: 'sql_fence' });
  });

  it.each([
    '<think>x</think>\n```sql\n  SELECT a FROM t;\n```',
    'İİ <THINK>upper-case tags after characters whose lower case is longer</THINK>\nSELECT a FROM t',
  ])('reports the span of the SQL in the text: %s', (content) => {
    const result = extractCompletion(content);
    if (!result.ok) throw new Error(result.reason);
    const { start, end } = result.extraction.span;
    expect(content.slice(start, end)).toBe('SELECT a FROM t');
  });

  it.each([
    ['no SQL', 'Sorry, I cannot help with that.', /no SQL statement/],
    ['a write in a fence', '```sql\nUPDATE t SET a = 1\n```', /not read-only/],
    ['a write after a read', '```sql\nSELECT a FROM t; TRUNCATE t;\n```', /statement 2 \(TRUNCATE\)/],
    ['a data-modifying CTE', 'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', /not read-only/],
    ['a fence that does not parse', '```sql\nSELECT a FROM\n```', /does not parse/],
    ['an unclosed think block', '<think>still thinking about SELECT a FROM t', /inside its <think> block/],
  ])('rejects %s', (_name, content, reason) => {
    const result = extractCompletion(content);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('never throws, and whatever it extracts passes the read-only gate', () => {
    const pieces = fc.constantFrom(
      'SELECT a FROM t', 'select', 'WITH', ' ', '\n', ';', '```', '```sql\n', '`', '<think>', '</think>', 'DELETE FROM t',
      'DROP TABLE t', 'FROM', 'WHERE a = 1', "'", '--', '/*', '*/', 'pg_sleep(1)', 'Here is the query:', '(', ')',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 12 }), (parts) => {
        const result = extractCompletion(parts.join(''));
        if (result.ok) expect(checkReadOnly(result.extraction.sql).ok).toBe(true);
        else expect(result.reason).not.toBe('');
      }),
      { numRuns: 500 },
    );
  });
});
