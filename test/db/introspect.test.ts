/**
 * Live introspection on a real PostgreSQL server: the GL schema loaded into
 * the server reads back as the catalog its DDL gives; views, enums, comments,
 * composite keys and two schemas; bounded sampling that never reads sensitive
 * columns; the fingerprinted cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../../src/db/introspect.js';
import { ServerDatabase } from '../../src/db/server.js';
import { buildCatalog } from '../../src/schema/catalog.js';
import type { Catalog, Table } from '../../src/schema/types.js';
import { loadParser } from '../../src/sql/parser.js';
import { GL_DDL, loadGlDatabase } from '../support/gl-database.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

let server: PostgresServer;
let cacheDir: string;
const open: ServerDatabase[] = [];

function connect(url: string, options: Partial<ConstructorParameters<typeof ServerDatabase>[0]> = {}): ServerDatabase {
  const db = new ServerDatabase({ url, cacheDir, ...options });
  open.push(db);
  return db;
}

beforeAll(async () => {
  await loadParser();
  server = await startPostgres();
  cacheDir = mkdtempSync(join(tmpdir(), 'gl-rl-introspect-'));
}, 120_000);

afterAll(async () => {
  await Promise.all(open.map((db) => db.close()));
  await server?.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** A table as the generator and validator see it: names folded as Postgres folds unquoted ones, synonyms of one type merged. */
function shape(table: Table) {
  const lower = (names: string[]) => names.map((n) => n.toLowerCase());
  return {
    name: table.name.toLowerCase(),
    columns: table.columns.map((c) => ({
      name: c.name.toLowerCase(),
      type: c.type.replace(/^decimal/, 'numeric'),
      category: c.category,
      nullable: c.nullable,
      primaryKey: c.primaryKey,
      unique: c.unique,
    })),
    primaryKey: lower(table.primaryKey),
    uniqueKeys: table.uniqueKeys.map(lower).map((k) => k.join(',')).sort(),
    foreignKeys: table.foreignKeys.map((fk) => `${lower(fk.columns)}->${fk.refTable.toLowerCase()}(${lower(fk.refColumns)})`).sort(),
    indexes: table.indexes.map((i) => `${i.unique ? 'unique ' : ''}${lower(i.columns)}`).sort(),
  };
}

function byName(catalog: Catalog) {
  return Object.fromEntries(catalog.tables.map((t) => [t.name.toLowerCase(), shape(t)]));
}

describe('introspection', () => {
  it('reads the GL schema loaded into the server as the same catalog as its DDL', async () => {
    const db = connect(await loadGlDatabase(server, 'gl'));
    const { catalog, cached, fingerprint } = await introspect(db);
    expect(cached).toBe(false);
    expect(fingerprint).toMatch(/^[0-9a-f]+$/);
    expect(byName(catalog)).toEqual(byName(buildCatalog(GL_DDL)));
    expect(catalog.tables.every((t) => t.kind === 'table' && t.schema === 'public')).toBe(true);
    // The rendered DDL builds the seeded databases: it must build a catalog again, the same one.
    expect(byName(buildCatalog(catalog.ddl))).toEqual(byName(catalog));
  });

  it('reads views, enums, comments, composite keys and two schemas, in the order given', async () => {
    const url = await server.createDatabase('rich');
    await server.sql(
      `CREATE SCHEMA sales; CREATE SCHEMA hr;
       CREATE TYPE sales.order_state AS ENUM ('open', 'shipped', 'closed');
       CREATE TABLE sales.regions (country char(2), region_code int, label text NOT NULL, PRIMARY KEY (country, region_code));
       CREATE TABLE sales.orders (
         order_id bigserial PRIMARY KEY,
         country char(2), region_code int,
         state sales.order_state NOT NULL DEFAULT 'open',
         total numeric(12,2),
         placed_at timestamptz DEFAULT now(),
         FOREIGN KEY (country, region_code) REFERENCES sales.regions (country, region_code),
         UNIQUE (country, region_code, placed_at));
       CREATE INDEX orders_total_idx ON sales.orders (total);
       COMMENT ON TABLE sales.orders IS 'Customer orders, one per checkout';
       COMMENT ON COLUMN sales.orders.total IS 'Order value in euros, tax included';
       CREATE VIEW sales.open_orders AS SELECT order_id, total FROM sales.orders WHERE state = 'open';
       CREATE TABLE hr.employees (employee_id int PRIMARY KEY, full_name text, region_country char(2));
       CREATE TABLE hr.orders (id int PRIMARY KEY);
       CREATE TABLE public.ignored (id int);`,
      'rich',
    );
    const { catalog, warnings } = await introspect(connect(url, { schemas: ['sales', 'hr'] }));
    expect(catalog.tables.map((t) => `${t.schema}.${t.name}:${t.kind}`)).toEqual([
      'sales.open_orders:view',
      'sales.orders:table',
      'sales.regions:table',
      'hr.employees:table',
    ]);
    expect(warnings).toEqual(['hr.orders is hidden by sales.orders (schemas are searched in the order given)']);
    const orders = catalog.table('orders')!;
    expect(orders.comment).toBe('Customer orders, one per checkout');
    expect(catalog.column('orders', 'total')).toMatchObject({ type: 'numeric(12,2)', category: 'number', comment: 'Order value in euros, tax included' });
    expect(catalog.column('orders', 'state')).toMatchObject({ nullable: false, valueDomain: ['open', 'shipped', 'closed'] });
    expect(catalog.column('orders', 'order_id')).toMatchObject({ type: 'bigserial', primaryKey: true });
    expect(catalog.column('orders', 'placed_at')).toMatchObject({ category: 'timestamp', default: 'now()' });
    expect(catalog.table('regions')!.primaryKey).toEqual(['country', 'region_code']);
    expect(orders.foreignKeys).toEqual([{ table: 'orders', columns: ['country', 'region_code'], refTable: 'regions', refColumns: ['country', 'region_code'] }]);
    expect(orders.uniqueKeys).toContainEqual(['country', 'region_code', 'placed_at']);
    expect(orders.indexes.map((i) => i.columns)).toEqual([['total']]);
    expect(catalog.table('open_orders')!.columns.map((c) => c.name)).toEqual(['order_id', 'total']);
    // Unqualified names resolve through the schemas in order, as the catalog says.
    const db = connect(url, { schemas: ['sales', 'hr'] });
    expect((await db.query('SELECT count(*) FROM orders JOIN regions USING (country, region_code)')).rows).toEqual([[0]]);
    expect((await db.query('SELECT count(*) FROM employees')).rows).toEqual([[0]]);
  });

  it('samples value domains from a bounded number of rows, and never a sensitive column', async () => {
    const url = await server.createDatabase('sampled');
    await server.sql(
      `CREATE TABLE accounts (id int PRIMARY KEY, tier text, region text, password_hash text, api_token text, nickname text);
       -- The first 1,000 rows hold two tiers; a third appears only after them.
       INSERT INTO accounts SELECT g, CASE WHEN g <= 1000 THEN (ARRAY['gold', 'silver'])[1 + g % 2] ELSE 'bronze' END,
              (ARRAY['north', 'south', 'east'])[1 + g % 3], (ARRAY['h1', 'h2'])[1 + g % 2], 't' || (g % 2), 'user' || g
         FROM generate_series(1, 5000) g;`,
      'sampled',
    );
    const db = connect(url, { sampleRows: 1000, refresh: true });
    const { catalog } = await introspect(db, { sensitive: ['*password*', 'accounts.api_token'], refresh: true });
    expect(catalog.column('accounts', 'tier')!.valueDomain!.sort()).toEqual(['gold', 'silver']);
    expect(catalog.column('accounts', 'region')!.valueDomain!.sort()).toEqual(['east', 'north', 'south']);
    expect(catalog.column('accounts', 'password_hash')).toMatchObject({ sensitive: true });
    expect(catalog.column('accounts', 'password_hash')!.valueDomain).toBeUndefined();
    expect(catalog.column('accounts', 'api_token')).toMatchObject({ sensitive: true });
    expect(catalog.column('accounts', 'api_token')!.valueDomain).toBeUndefined();
    // Values that barely repeat are no domain.
    expect(catalog.column('accounts', 'nickname')!.valueDomain).toBeUndefined();
    // What the server was asked: no statement named a sensitive column.
    const [statements] = await server.sql("SELECT query FROM pg_stat_activity WHERE application_name = 'gl-rl'");
    for (const { query } of statements!.rows as Array<{ query: string }>) expect(query).not.toMatch(/password_hash|api_token/);
  });

  it('keeps the catalog keyed by the definitions: reused while they stand, read again when they change or on refresh', async () => {
    const url = await server.createDatabase('cached');
    await server.sql("CREATE TABLE items (id int PRIMARY KEY, kind text); INSERT INTO items VALUES (1, 'a'), (2, 'a'), (3, 'b'), (4, 'b')", 'cached');
    const first = await introspect(connect(url));
    const again = await introspect(connect(url));
    expect(again).toMatchObject({ cached: true, fingerprint: first.fingerprint });
    expect(again.catalog.column('items', 'kind')!.valueDomain).toEqual(['a', 'b']);
    expect(again.catalog.table('ITEMS')!.name).toBe('items');
    // Data alone does not change the definitions: the sampled values stay until a refresh.
    await server.sql("INSERT INTO items VALUES (5, 'c'), (6, 'c')", 'cached');
    expect((await introspect(connect(url))).catalog.column('items', 'kind')!.valueDomain).toEqual(['a', 'b']);
    const refreshed = await introspect(connect(url, { refresh: true }), { refresh: true });
    expect(refreshed.cached).toBe(false);
    expect(refreshed.catalog.column('items', 'kind')!.valueDomain).toEqual(['a', 'b', 'c']);
    await server.sql('ALTER TABLE items ADD COLUMN label text', 'cached');
    const changed = await introspect(connect(url));
    expect(changed.cached).toBe(false);
    expect(changed.fingerprint).not.toBe(first.fingerprint);
    expect(changed.catalog.column('items', 'label')).toBeDefined();
  });
});
