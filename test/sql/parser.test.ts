import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, locate, parseSql } from '../../src/sql/parser.js';

beforeAll(() => loadParser());

describe('parseSql', () => {
  it('returns the Postgres parse tree of a valid statement', () => {
    const r = parseSql('SELECT a FROM t WHERE b = 1');
    expect(r.ok).toBe(true);
    if (r.ok) expect(Object.keys(r.tree.stmts[0].stmt)).toEqual(['SelectStmt']);
  });

  it('reports the position, line, column and a caret excerpt of a syntax error', () => {
    const r = parseSql('SELECT a\nFROM t WHER b = 1');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toMatch(/syntax error/);
      expect(r.error.line).toBe(2);
      expect(r.error.excerpt.split('\n')[0]).toBe('FROM t WHER b = 1');
      expect(r.error.excerpt.split('\n')[1]).toMatch(/\^$/);
    }
  });

  it('locates offsets on later lines', () => {
    expect(locate('ab\ncd', 4)).toMatchObject({ line: 2, column: 2, excerpt: 'cd\n ^' });
  });
});
