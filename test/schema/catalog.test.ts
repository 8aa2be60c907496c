import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { DEFAULT_SCHEMA_FILE } from '../../src/paths.js';
import { buildCatalog, loadCatalogFile, withValueDomains } from '../../src/schema/catalog.js';
import type { Catalog } from '../../src/schema/types.js';
import { loadParser } from '../../src/sql/parser.js';

let gl: Catalog;

beforeAll(async () => {
  await loadParser();
  gl = loadCatalogFile(DEFAULT_SCHEMA_FILE);
});

describe('catalog of the GL schema', () => {
  it('has the 14 tables with their names as written', () => {
    expect(gl.tables.map((t) => t.name)).toEqual([
      'SRM_COMPANIES', 'SRM_PROJECTS', 'SRM_CONTACTS', 'PAC_MNT_PROJECTS', 'PAC_MNT_RESOURCES', 'CLNTCLASS', 'CLNTSUPP',
      'CLNTRESPONS', 'PROJCNTRTS', 'PROJSTAFF', 'PROJEVISION', 'BIZ_OPP_GEN_PROPERTIES', 'BIZ_COM_SUP_PROPERTIES',
      'PAC_PURGE_FINANCIAL_LIST',
    ]);
    expect(gl.table('pac_mnt_projects')?.name).toBe('PAC_MNT_PROJECTS');
    expect(gl.column('pac_mnt_projects', 'actual_cost')?.name).toBe('Actual_Cost');
    expect(gl.table('nope')).toBeUndefined();
  });

  it('normalizes types and categories', () => {
    const col = (t: string, c: string) => gl.column(t, c)!;
    expect(col('PAC_MNT_PROJECTS', 'Budget')).toMatchObject({ type: 'decimal(15,2)', category: 'number' });
    expect(col('PAC_MNT_PROJECTS', 'Project_Code')).toMatchObject({ type: 'varchar(50)', category: 'text' });
    expect(col('SRM_COMPANIES', 'Company_ID')).toMatchObject({ type: 'integer', category: 'number' });
    expect(col('SRM_PROJECTS', 'Description')).toMatchObject({ type: 'text', category: 'text' });
    expect(col('SRM_PROJECTS', 'Start_Date')).toMatchObject({ type: 'date', category: 'date' });
    expect(col('SRM_PROJECTS', 'Created_Date')).toMatchObject({ type: 'timestamp', category: 'timestamp' });
    expect(col('SRM_CONTACTS', 'Is_Primary')).toMatchObject({ type: 'boolean', category: 'boolean' });
  });

  it('reads nullability, defaults, primary and unique keys', () => {
    const companies = gl.table('SRM_COMPANIES')!;
    expect(companies.primaryKey).toEqual(['Company_ID']);
    expect(companies.uniqueKeys).toEqual([['Company_Code']]);
    expect(gl.column('SRM_COMPANIES', 'Company_ID')).toMatchObject({ nullable: false, primaryKey: true, unique: true });
    expect(gl.column('SRM_COMPANIES', 'Company_Name')).toMatchObject({ nullable: false, primaryKey: false, unique: false });
    expect(gl.column('SRM_COMPANIES', 'Company_Code')).toMatchObject({ nullable: false, unique: true });
    expect(gl.column('SRM_COMPANIES', 'Industry')?.nullable).toBe(true);
    expect(gl.column('SRM_COMPANIES', 'Status')?.default).toBe("'Active'");
    expect(gl.column('SRM_COMPANIES', 'Created_Date')?.default).toBe('CURRENT_TIMESTAMP');
    expect(gl.column('PAC_MNT_PROJECTS', 'Actual_Cost')?.default).toBe('0');
    expect(gl.column('PAC_MNT_RESOURCES', 'Capacity')?.default).toBe('100.00');
    expect(gl.column('SRM_CONTACTS', 'Is_Primary')?.default).toBe('FALSE');
    expect(gl.column('SRM_COMPANIES', 'Industry')?.default).toBeUndefined();
    expect(gl.table('PAC_MNT_PROJECTS')?.primaryKey).toEqual(['Project_Code']);
  });

  it('reads foreign keys, the self-reference included', () => {
    expect(gl.table('PROJCNTRTS')?.foreignKeys).toEqual([
      { table: 'PROJCNTRTS', columns: ['Project_Code'], refTable: 'PAC_MNT_PROJECTS', refColumns: ['Project_Code'] },
      { table: 'PROJCNTRTS', columns: ['Company_Code'], refTable: 'SRM_COMPANIES', refColumns: ['Company_Code'] },
    ]);
    expect(gl.table('SRM_PROJECTS')?.foreignKeys).toContainEqual(
      { table: 'SRM_PROJECTS', columns: ['Parent_ID'], refTable: 'SRM_PROJECTS', refColumns: ['Project_ID'] },
    );
    expect(gl.table('CLNTSUPP')?.foreignKeys.map((fk) => fk.refTable)).toEqual(['SRM_COMPANIES', 'CLNTCLASS']);
    const total = gl.tables.reduce((n, t) => n + t.foreignKeys.length, 0);
    expect(total).toBe(13);
  });

  it('finds foreign keys in both directions', () => {
    const ofCompanies = gl.foreignKeysOf('srm_companies');
    expect(ofCompanies.map((fk) => fk.table).sort()).toEqual(
      ['BIZ_COM_SUP_PROPERTIES', 'BIZ_OPP_GEN_PROPERTIES', 'CLNTSUPP', 'PROJCNTRTS', 'SRM_CONTACTS', 'SRM_PROJECTS'],
    );
    expect(gl.foreignKeysOf('PAC_PURGE_FINANCIAL_LIST')).toEqual([]);
    expect(gl.foreignKeysOf('SRM_PROJECTS').filter((fk) => fk.columns[0] === 'Parent_ID')).toHaveLength(1);
  });

  it('reads indexes', () => {
    expect(gl.table('SRM_PROJECTS')?.indexes).toContainEqual(
      { name: 'idx_project_dates', table: 'SRM_PROJECTS', columns: ['Start_Date', 'End_Date'], unique: false },
    );
    expect(gl.tables.reduce((n, t) => n + t.indexes.length, 0)).toBe(17);
  });

  it('turns `A | B | C` comments into value domains and keeps other comments', () => {
    expect(gl.column('PAC_MNT_PROJECTS', 'Status')?.valueDomain).toEqual(['Active', 'Completed', 'On Hold', 'Cancelled']);
    expect(gl.column('PROJCNTRTS', 'Contract_Type')?.valueDomain).toEqual(['Fixed Price', 'Time and Materials', 'Retainer']);
    expect(gl.column('CLNTSUPP', 'Priority')?.valueDomain).toEqual(['Low', 'Medium', 'High', 'Critical']);
    expect(gl.column('SRM_PROJECTS', 'Parent_ID')).toMatchObject({ comment: 'project hierarchy' });
    expect(gl.column('SRM_PROJECTS', 'Parent_ID')?.valueDomain).toBeUndefined();
    expect(gl.column('PAC_MNT_RESOURCES', 'Capacity')?.comment).toBe('percent');
    expect(gl.column('SRM_PROJECTS', 'Status')?.valueDomain).toBeUndefined();
    expect(gl.column('SRM_PROJECTS', 'Status')?.comment).toBeUndefined();
  });
});

describe('other DDL', () => {
  it('handles table constraints, quoted names, ALTER TABLE keys, enums and COMMENT ON', () => {
    const catalog = buildCatalog(`
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE TABLE public."Orders" (
        "OrderId" serial,
        Cust_No int NOT NULL,
        Line int,
        Note text DEFAULT 'a, b' NOT NULL, -- free text
        Feeling mood,
        Tags text[],
        PRIMARY KEY ("OrderId"),
        UNIQUE (Cust_No, Line),
        CONSTRAINT fk_c FOREIGN KEY (Cust_No) REFERENCES Customers
      );
      CREATE TABLE Customers (No int, Name varchar(20));
      ALTER TABLE ONLY Customers ADD CONSTRAINT customers_pk PRIMARY KEY (No);
      CREATE UNIQUE INDEX ux_name ON Customers (Name);
      COMMENT ON COLUMN Customers.Name IS 'Ann | Bob';
      INSERT INTO Customers VALUES (1, 'Ann');
      SELECT 1;
    `);
    const orders = catalog.table('orders')!;
    expect(orders.name).toBe('Orders');
    expect(orders.primaryKey).toEqual(['OrderId']);
    expect(orders.uniqueKeys).toEqual([['Cust_No', 'Line']]);
    expect(orders.foreignKeys).toEqual([{ table: 'Orders', columns: ['Cust_No'], refTable: 'Customers', refColumns: ['No'] }]);
    expect(catalog.column('Orders', 'orderid')).toMatchObject({ type: 'serial', category: 'number', nullable: false, primaryKey: true });
    expect(catalog.column('Orders', 'Note')).toMatchObject({ default: "'a, b'", nullable: false, comment: 'free text' });
    expect(catalog.column('Orders', 'Feeling')).toMatchObject({ category: 'other', valueDomain: ['sad', 'ok', 'happy'] });
    expect(catalog.column('Orders', 'Tags')).toMatchObject({ type: 'text[]', category: 'other' });
    expect(catalog.column('Orders', 'Cust_No')?.unique).toBe(false);
    const customers = catalog.table('CUSTOMERS')!;
    expect(customers.primaryKey).toEqual(['No']);
    expect(customers.indexes).toEqual([{ name: 'ux_name', table: 'Customers', columns: ['Name'], unique: true }]);
    expect(catalog.column('Customers', 'Name')).toMatchObject({ unique: true, valueDomain: ['Ann', 'Bob'] });
    expect(catalog.foreignKeysOf('customers')).toHaveLength(1);
  });

  it('reads pg_dump-style DDL: schema-qualified names, sequences, identity, expression indexes', () => {
    const catalog = buildCatalog(`
      SET statement_timeout = 0;
      CREATE SCHEMA app;
      CREATE SEQUENCE app.t_id_seq;
      CREATE TABLE IF NOT EXISTS app.t (
        id integer DEFAULT nextval('app.t_id_seq'::regclass) NOT NULL,
        created timestamp with time zone DEFAULT now() CHECK (created > '2000-01-01'),
        amount numeric DEFAULT (1 + 2) * 3, -- Low | High
        g int GENERATED ALWAYS AS IDENTITY,
        label character varying(20) COLLATE "C"
      );
      ALTER TABLE ONLY app.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);
      CREATE VIEW v AS SELECT 1;
      CREATE INDEX ON app.t USING btree (created);
      CREATE INDEX lower_label ON app.t (lower(label));
    `);
    expect(catalog.tables.map((t) => t.name)).toEqual(['t']);
    expect(catalog.column('t', 'id')).toMatchObject({ default: "nextval('app.t_id_seq'::regclass)", nullable: false, primaryKey: true });
    expect(catalog.column('t', 'created')).toMatchObject({ type: 'timestamptz', category: 'timestamp', default: 'now()' });
    expect(catalog.column('t', 'amount')).toMatchObject({ default: '(1 + 2) * 3', valueDomain: ['Low', 'High'] });
    expect(catalog.column('t', 'g')?.nullable).toBe(false);
    expect(catalog.column('t', 'label')).toMatchObject({ type: 'varchar(20)', category: 'text' });
    expect(catalog.table('t')?.indexes).toEqual([
      { name: 't_created_idx', table: 't', columns: ['created'], unique: false },
      { name: 'lower_label', table: 't', columns: ['label'], unique: false },
    ]);
  });

  it('keeps non-ASCII names and comments intact', () => {
    const catalog = buildCatalog('CREATE TABLE "Café" (Crème varchar(9) DEFAULT \'é\', Prix int); -- fin');
    expect(catalog.table('café')?.columns.map((c) => c.name)).toEqual(['Crème', 'Prix']);
    expect(catalog.column('Café', 'Crème')?.default).toBe("'é'");
  });

  it('reports the line and position of a DDL that does not parse', () => {
    const ddl = 'CREATE TABLE a (\n  x int,\n  y int NOT NULLL\n);';
    let caught: unknown;
    try {
      buildCatalog(ddl);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    const err = caught as AppError;
    expect(err.code).toBe('SCHEMA_PARSE_ERROR');
    expect(err.details.line).toBe(3);
    expect(err.details.position).toBe(ddl.indexOf('NULLL'));
    expect(err.details.column).toBe(13);
    expect(err.message).toContain('line 3');
  });

  it('either builds a catalog or throws SCHEMA_PARSE_ERROR, for any text', () => {
    const pieces = fc.constantFrom(
      'CREATE TABLE', 'CREATE INDEX i ON', 'ALTER TABLE', 'ADD CONSTRAINT c', 'PRIMARY KEY', 'REFERENCES', 'UNIQUE', 'DEFAULT',
      'NOT NULL', 't', '"Q"', 'x', 'int', 'varchar(5)', '(', ')', ',', ';', '-- a | b\n', "'s'", '1', 'é',
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(pieces, { maxLength: 25 }).map((p) => p.join(' '))), (ddl) => {
        try {
          const catalog = buildCatalog(ddl);
          for (const t of catalog.tables) expect(catalog.table(t.name)).toBe(t);
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
          expect((err as AppError).code).toBe('SCHEMA_PARSE_ERROR');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('names an unreadable schema file', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'missing.sql');
    expect(() => loadCatalogFile(missing)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining(missing) }));
  });

  it('loads any DDL file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'mini.sql');
    writeFileSync(file, 'CREATE TABLE t (id int PRIMARY KEY);');
    expect(loadCatalogFile(file).tables.map((t) => t.name)).toEqual(['t']);
  });
});

describe('withValueDomains', () => {
  it('adds database values only where the DDL gave none, and returns a new catalog', () => {
    const merged = withValueDomains(gl, {
      srm_projects: { status: ['Planning', 'Active'] },
      PAC_MNT_PROJECTS: { Status: ['X'], Department: ['IT', 'Finance'] },
      UNKNOWN: { a: ['b'] },
    });
    expect(merged.column('SRM_PROJECTS', 'Status')?.valueDomain).toEqual(['Planning', 'Active']);
    expect(merged.column('PAC_MNT_PROJECTS', 'Status')?.valueDomain).toEqual(['Active', 'Completed', 'On Hold', 'Cancelled']);
    expect(merged.column('PAC_MNT_PROJECTS', 'Department')?.valueDomain).toEqual(['IT', 'Finance']);
    expect(gl.column('SRM_PROJECTS', 'Status')?.valueDomain).toBeUndefined();
    expect(merged.foreignKeysOf('SRM_COMPANIES')).toHaveLength(6);
    expect(merged.ddl).toBe(gl.ddl);
  });
});
