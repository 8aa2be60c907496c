import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../src/sql/parser.js';
import { checkReadOnly } from '../../src/sql/safety.js';

beforeAll(() => loadParser());

const kinds = (sql: string) => {
  const r = checkReadOnly(sql);
  return r.ok ? [] : r.violations.map((v) => v.kind);
};

describe('checkReadOnly', () => {
  it.each([
    'SELECT 1',
    'SELECT * FROM t WHERE a = 1',
    'WITH x AS (SELECT 1 AS a) SELECT a FROM x',
    'SELECT a FROM t UNION SELECT b FROM u',
    'WITH pg_recent AS (SELECT 1 AS a) SELECT a FROM pg_recent',
  ])('passes the single read-only statement %s', (sql) => {
    expect(checkReadOnly(sql).ok).toBe(true);
  });

  it.each([
    ['DELETE FROM t', 'not_select'],
    ['SELECT 1; DROP TABLE t', 'multiple_statements'],
    ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', 'data_modifying'],
    ['SELECT * INTO x FROM t', 'select_into'],
    ['SELECT * FROM t FOR UPDATE', 'row_locking'],
    ['SELECT pg_sleep(10)', 'forbidden_function'],
    ['SELECT lo_import(\'/etc/passwd\')', 'forbidden_function'],
    ['SELECT set_config(\'a\', \'b\', false)', 'forbidden_function'],
    ['SET search_path = x', 'not_select'],
    ['BEGIN', 'not_select'],
    ['SELECT * FROM pg_shadow', 'system_catalog'],
    ['SELECT rolpassword FROM pg_catalog.pg_authid', 'system_catalog'],
    ['SELECT a FROM t WHERE a IN (SELECT usename FROM pg_user)', 'system_catalog'],
    ['SELECT table_name FROM information_schema.tables', 'system_catalog'],
    ['TABLE pg_settings', 'system_catalog'],
    ['SELEC 1', 'parse_error'],
    ['', 'empty'],
  ])('rejects %s as %s', (sql, kind) => {
    expect(kinds(sql)).toContain(kind);
  });
});
