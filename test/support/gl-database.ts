/**
 * The bundled GL schema and its seed-1 sample data loaded into a database of
 * a test PostgreSQL server (see postgres-server.ts), as a user's ERP would be.
 */
import { readFileSync } from 'node:fs';
import { sampleDataSql } from '../../src/db/sample-data.js';
import { DEFAULT_SCHEMA_FILE } from '../../src/paths.js';
import { buildCatalog } from '../../src/schema/catalog.js';
import { loadParser } from '../../src/sql/parser.js';
import type { PostgresServer } from './postgres-server.js';

export const GL_DDL = readFileSync(DEFAULT_SCHEMA_FILE, 'utf8');

/** Creates `name` with the GL tables and rows; returns the superuser's URL to it. */
export async function loadGlDatabase(server: PostgresServer, name: string, seed = 1): Promise<string> {
  await loadParser();
  const url = await server.createDatabase(name);
  await server.sql(GL_DDL, name);
  await server.sql(sampleDataSql(buildCatalog(GL_DDL), seed, new Date('2026-01-15T00:00:00Z')), name);
  return url;
}

/** A login role with read access only (the recipe of docs/database.md); returns its URL to `database`. */
export async function createReaderRole(server: PostgresServer, database: string, role = 'gl_rl_reader'): Promise<string> {
  const password = 'reader-pass-1';
  await server.sql(`DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role} LOGIN PASSWORD '${password}'; GRANT pg_read_all_data TO ${role};`);
  await server.sql(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
  return server.urlFor(database, role, password);
}

/** A checksum of every table's rows (order-independent), to show that nothing changed. */
export async function checksum(server: PostgresServer, database: string): Promise<string> {
  const [tables] = await server.sql(
    "SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    database,
  );
  const parts: string[] = [];
  for (const { t } of tables!.rows as Array<{ t: string }>) {
    const [r] = await server.sql(`SELECT count(*) AS n, md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) AS h FROM ${t} x`, database);
    parts.push(`${t}:${r!.rows[0].n}:${r!.rows[0].h}`);
  }
  const [seq] = await server.sql("SELECT string_agg(format('%s=%s', sequencename, last_value), ',' ORDER BY sequencename) AS s FROM pg_sequences", database);
  return `${parts.join('|')}|${seq!.rows[0].s ?? ''}`;
}
