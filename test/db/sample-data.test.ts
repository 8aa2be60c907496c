import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEMA_FILE } from '../../src/paths.js';
import { buildCatalog } from '../../src/schema/catalog.js';
import type { Catalog } from '../../src/schema/types.js';
import { generateSampleData, insertOrder, sampleDataSql, sqlIdentifier, sqlLiteral, type TableData } from '../../src/db/sample-data.js';
import { loadParser } from '../../src/sql/parser.js';

let catalog: Catalog;
const TODAY = new Date(Date.UTC(2026, 10, 25));

beforeAll(async () => {
  await loadParser();
  catalog = buildCatalog(readFileSync(DEFAULT_SCHEMA_FILE, 'utf8'));
});

function byTable(data: TableData[]): Map<string, TableData> {
  return new Map(data.map((d) => [d.table.toLowerCase(), d]));
}

function values(data: TableData, column: string): unknown[] {
  const k = data.columns.findIndex((c) => c.toLowerCase() === column.toLowerCase());
  return data.rows.map((r) => r[k]);
}

/** Every key unique and every foreign-key value present in the referenced table; returns the problems found. */
function integrityProblems(cat: Catalog, data: TableData[]): string[] {
  const tables = byTable(data);
  const problems: string[] = [];
  for (const table of cat.tables) {
    const rows = tables.get(table.name.toLowerCase())!;
    for (const key of [table.primaryKey, ...table.uniqueKeys].filter((k) => k.length > 0)) {
      const tuples = rows.rows
        .map((_, i) => key.map((c) => values(rows, c)[i]))
        .filter((t) => t.every((v) => v !== null))
        .map((t) => JSON.stringify(t));
      if (new Set(tuples).size !== tuples.length) problems.push(`${table.name}(${key}) has duplicates`);
      if (table.primaryKey === key && tuples.length !== rows.rows.length) problems.push(`${table.name} has a NULL key`);
    }
    for (const fk of table.foreignKeys) {
      const parent = tables.get(fk.refTable.toLowerCase())!;
      const present = new Set(parent.rows.map((_, i) => JSON.stringify(fk.refColumns.map((c) => values(parent, c)[i]))));
      rows.rows.forEach((_, i) => {
        const tuple = fk.columns.map((c) => values(rows, c)[i]);
        if (tuple.some((v) => v === null)) return;
        if (!present.has(JSON.stringify(tuple))) problems.push(`${table.name}(${fk.columns}) → ${fk.refTable}: ${JSON.stringify(tuple)} missing`);
      });
    }
  }
  return problems;
}

describe('sample data generator', () => {
  it('is deterministic for a seed and a day', () => {
    expect(sampleDataSql(catalog, 7, TODAY)).toBe(sampleDataSql(catalog, 7, TODAY));
  });

  it('gives different data of the same shape for different seeds', () => {
    const a = generateSampleData(catalog, { seed: 1, today: TODAY });
    const b = generateSampleData(catalog, { seed: 2, today: TODAY });
    expect(a.map((t) => t.table)).toEqual(b.map((t) => t.table));
    expect(a.map((t) => t.columns)).toEqual(b.map((t) => t.columns));
    expect(sampleDataSql(catalog, 1, TODAY)).not.toBe(sampleDataSql(catalog, 2, TODAY));
    const budgets = (d: TableData[]) => values(byTable(d).get('pac_mnt_projects')!, 'Budget');
    expect(budgets(a)).not.toEqual(budgets(b));
  });

  it('fills every table with tens to a few hundred rows', () => {
    for (const t of generateSampleData(catalog, { seed: 1, today: TODAY })) {
      expect(t.rows.length, t.table).toBeGreaterThanOrEqual(5);
      expect(t.rows.length, t.table).toBeLessThanOrEqual(400);
    }
  });

  it('orders tables so that referenced tables come first', () => {
    const order = insertOrder(catalog).map((t) => t.name.toLowerCase());
    for (const table of catalog.tables) {
      for (const fk of table.foreignKeys) {
        if (fk.refTable.toLowerCase() === table.name.toLowerCase()) continue;
        expect(order.indexOf(fk.refTable.toLowerCase()), `${fk.refTable} before ${table.name}`).toBeLessThan(
          order.indexOf(table.name.toLowerCase()),
        );
      }
    }
  });

  it('keeps keys unique and foreign keys resolvable', () => {
    expect(integrityProblems(catalog, generateSampleData(catalog, { seed: 1, today: TODAY }))).toEqual([]);
  });

  it('respects NOT NULL, VARCHAR lengths and DECIMAL ranges', () => {
    for (const data of generateSampleData(catalog, { seed: 3, today: TODAY })) {
      const table = catalog.table(data.table)!;
      for (const column of table.columns) {
        const vs = values(data, column.name);
        if (!column.nullable) expect(vs.includes(null), `${data.table}.${column.name}`).toBe(false);
        const varchar = /varchar\((\d+)\)/.exec(column.type);
        if (varchar) for (const v of vs) if (typeof v === 'string') expect(v.length).toBeLessThanOrEqual(Number(varchar[1]));
        const decimal = /decimal\((\d+),(\d+)\)/.exec(column.type);
        if (decimal) for (const v of vs) if (typeof v === 'number') expect(Math.abs(v)).toBeLessThan(10 ** (Number(decimal[1]) - Number(decimal[2])));
      }
    }
  });

  it('places every value of every value domain, and some NULLs in nullable columns', () => {
    const data = byTable(generateSampleData(catalog, { seed: 1, today: TODAY }));
    let nullableWithNulls = 0;
    for (const table of catalog.tables) {
      for (const column of table.columns) {
        const vs = values(data.get(table.name.toLowerCase())!, column.name);
        for (const v of column.valueDomain ?? []) expect(vs, `${table.name}.${column.name} = ${v}`).toContain(v);
        if (vs.includes(null)) nullableWithNulls++;
      }
    }
    expect(nullableWithNulls).toBeGreaterThan(10);
  });

  it('writes INSERT statements with safely quoted literals', () => {
    const sql = sampleDataSql(catalog, 1, TODAY);
    expect(sql).toMatch(/^-- gl-rl-model sample data: seed 1/);
    expect(sql).toContain('INSERT INTO SRM_COMPANIES (Company_ID, Company_Name');
    expect(sqlLiteral("O'Brien; DROP TABLE x")).toBe("'O''Brien; DROP TABLE x'");
    expect([sqlLiteral(null), sqlLiteral(true), sqlLiteral(12.5)]).toEqual(['NULL', 'TRUE', '12.5']);
    expect(sqlIdentifier('Weird Name')).toBe('"Weird Name"');
  });

  it('works on another schema: composite keys, self-references, cycles, enums', () => {
    const other = buildCatalog(`
      CREATE TYPE mood AS ENUM ('happy', 'sad', 'calm');
      CREATE TABLE dept (dept_no CHAR(4) PRIMARY KEY, dept_name VARCHAR(40) NOT NULL UNIQUE, manager_id INT);
      CREATE TABLE employee (
        emp_no INT PRIMARY KEY, first_name VARCHAR(14) NOT NULL, hire_date DATE NOT NULL,
        dept_no CHAR(4) NOT NULL REFERENCES dept, boss INT REFERENCES employee (emp_no), feeling mood, salary NUMERIC(8,2)
      );
      CREATE TABLE dept_emp (
        emp_no INT REFERENCES employee, dept_no CHAR(4) REFERENCES dept, from_date DATE, to_date DATE,
        PRIMARY KEY (emp_no, dept_no)
      );
      ALTER TABLE dept ADD FOREIGN KEY (manager_id) REFERENCES employee (emp_no);
    `);
    const data = generateSampleData(other, { seed: 5, today: TODAY });
    expect(data.map((d) => d.table).sort()).toEqual(['dept', 'dept_emp', 'employee']);
    expect(integrityProblems(other, data)).toEqual([]);
    const employees = byTable(data).get('employee')!;
    expect(values(employees, 'boss').some((v) => v !== null)).toBe(true);
    expect(new Set(values(employees, 'feeling'))).toEqual(new Set(['happy', 'sad', 'calm']));
  });

  it('property: keys stay unique and foreign keys resolve for any seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        expect(integrityProblems(catalog, generateSampleData(catalog, { seed, today: TODAY }))).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });
});
