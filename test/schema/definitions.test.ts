import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/schema/catalog.js';
import { loadParser } from '../../src/sql/parser.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

beforeAll(() => loadParser());

const refusal = (ddl: string) => {
  try {
    buildCatalog(ddl, { definitionsOnly: true });
    return undefined;
  } catch (err: any) {
    expect(err.code).toBe('SCHEMA_PARSE_ERROR');
    return { message: err.message as string, ...err.details };
  }
};

describe('a schema file holds definitions only', () => {
  it('accepts tables, views, types, domains, keys, sequences, indexes, comments and schemas', () => {
    const ddl = `
      CREATE SCHEMA erp;
      CREATE TYPE mood AS ENUM ('a', 'b');
      CREATE TYPE pair AS (x int, y int);
      CREATE DOMAIN money2 AS numeric(12, 2);
      CREATE SEQUENCE t_id_seq;
      CREATE TABLE t (id int DEFAULT nextval('t_id_seq'), m mood, amount money2);
      ALTER SEQUENCE t_id_seq OWNED BY t.id;
      ALTER TABLE t ADD PRIMARY KEY (id);
      CREATE INDEX t_m ON t (m);
      COMMENT ON TABLE t IS 'things';
      CREATE VIEW v AS SELECT id FROM t;`;
    expect(refusal(ddl)).toBeUndefined();
    expect(buildCatalog(ddl).tables.map((t) => t.name)).toEqual(['t']);
  });

  it.each([
    ['SELECT pg_sleep(30);', 'SELECT'],
    ["DO $$ BEGIN PERFORM pg_sleep(30); END $$;", 'DO'],
    ["CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql;", 'CREATE FUNCTION'],
    ['INSERT INTO t VALUES (1);', 'INSERT'],
    ["SET statement_timeout = 0;", 'SET'],
    ['CREATE TABLE u AS SELECT * FROM t;', 'CREATE TABLE AS'],
    ['CREATE MATERIALIZED VIEW mv AS SELECT * FROM t;', 'MATERIALIZED VIEW'],
  ])('refuses %s naming the statement and its position', (statement) => {
    const r = refusal(`CREATE TABLE t (a int);\n  -- a note\n  ${statement}\n`);
    expect(r).toMatchObject({ statement: 2, line: 3, column: 3 });
    expect(r!.message).toContain(`"${statement.slice(0, 60)}"`);
  });

  it('a DDL given in code (not a schema file) may hold other statements: they are skipped, not run', () => {
    expect(buildCatalog('CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);').tables).toHaveLength(1);
  });

  it('refuses a schema with no table, and text after a NUL byte', () => {
    expect(refusal("CREATE TYPE mood AS ENUM ('a');")?.message).toMatch(/defines no table/);
    expect(refusal('CREATE TABLE t (a int);\u0000SELECT pg_sleep(30);')).toMatchObject({ line: 1, column: 24 });
  });

  it('every bundled schema passes', () => {
    const schemas: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name === 'schema.sql') schemas.push(path);
      }
    };
    walk(join(PACKAGE_ROOT, 'data'));
    expect(schemas.length).toBeGreaterThan(0);
    for (const path of schemas) expect(refusal(readFileSync(path, 'utf8')), path).toBeUndefined();
  });
});
