/**
 * Live introspection: a user's PostgreSQL schemas read from `pg_catalog` into
 * the same catalog type a DDL file gives. The definitions (relations,
 * columns, keys, indexes, enums, comments) are rendered as DDL and built by
 * the one DDL reader (schema/catalog.ts), so both paths agree by
 * construction, and the rendered DDL also builds the seeded test-suite
 * databases. Views read like tables (with `kind: 'view'`), and unqualified
 * names resolve through the schemas in the order given (a name found in an
 * earlier schema hides a later one, as `search_path` does).
 *
 * The catalog, with its sampled value domains, is kept on disk keyed by a
 * fingerprint of the definitions read: a start whose definitions have not
 * changed reads it back instead of sampling again (`refresh` forces it).
 */
import { buildCatalog, catalogOf, withValueDomains } from '../schema/catalog.js';
import type { Catalog, Column, Table } from '../schema/types.js';
import { dataDirKey, defaultCacheDir, readCached, writeCached } from './datadir-cache.js';
import { sqlIdentifier, sqlLiteral } from './sample-data.js';
import type { ServerDatabase } from './server.js';
import { join } from 'node:path';

export interface IntrospectOptions {
  /** `table.column` or `column` patterns (`*` any characters, case-insensitive) never sampled. */
  sensitive?: string[];
  /** Sample again even when the definitions have not changed. */
  refresh?: boolean;
  /** Where catalogs are kept; `false` disables. */
  cacheDir?: string | false;
  /** Distinct values that still make a column's value domain. Default 12. */
  maxDistinct?: number;
}

export interface Introspection {
  catalog: Catalog;
  fingerprint: string;
  /** Whether the catalog came from the cache. */
  cached: boolean;
  /** Names hidden by an earlier schema, and the like. */
  warnings: string[];
  ms: number;
}

/** Columns that look like secrets or personal data are never sampled unless the settings say otherwise. */
export const DEFAULT_SENSITIVE = ['*password*', '*passwd*', '*secret*', '*token*', '*ssn*', '*social_security*', '*iban*', '*card_number*', '*salary*'];

interface RelationRow { oid: number; schema: string; name: string; kind: string; comment: string | null }
interface ColumnRow {
  oid: number; name: string; num: number; type: string; notnull: boolean; default: string | null; comment: string | null;
  typtype: string; type_schema: string; type_name: string; identity: string; base_type: string | null;
}
interface ConstraintRow { oid: number; name: string; type: 'p' | 'u' | 'f'; keys: number[]; ref_oid: number | null; ref_keys: number[] | null }
interface IndexRow { oid: number; name: string; unique: boolean; keys: number[] }
interface EnumRow { oid: number; schema: string; name: string; labels: string[] }

const KINDS = `('r', 'p', 'v', 'm', 'f')`;

async function readDefinitions(db: ServerDatabase) {
  const schemas = db.schemas;
  // One read-only transaction: one consistent view of the definitions, few round trips.
  const [relations, columns, constraints, indexes, enums] = (await db.catalogQueries([
    { text: `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ${KINDS} AND NOT c.relispartition
      ORDER BY array_position($1::text[], n.nspname::text), c.relname`, values: [schemas] },
    { text: `SELECT a.attrelid::int8 AS oid, a.attname AS name, a.attnum::int AS num, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS default, col_description(a.attrelid, a.attnum) AS comment,
            t.typtype::text AS typtype, tn.nspname AS type_schema, t.typname AS type_name, a.attidentity::text AS identity,
            CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ${KINDS} AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`, values: [schemas] },
    { text: `SELECT con.conrelid::int8 AS oid, con.conname AS name, con.contype::text AS type, con.conkey::int[] AS keys,
            NULLIF(con.confrelid, 0)::int8 AS ref_oid, con.confkey::int[] AS ref_keys
       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND con.contype IN ('p', 'u', 'f')
      ORDER BY con.conrelid, con.contype, con.conname`, values: [schemas] },
    { text: `SELECT i.indrelid::int8 AS oid, ic.relname AS name, i.indisunique AS unique, i.indkey::int2[]::int[] AS keys
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u'))
      ORDER BY i.indrelid, ic.relname`, values: [schemas] },
    { text: `SELECT t.oid::int8 AS oid, n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      GROUP BY t.oid, n.nspname, t.typname ORDER BY n.nspname, t.typname` },
  ])) as [RelationRow[], ColumnRow[], ConstraintRow[], IndexRow[], EnumRow[]];
  return { schemas, relations, columns, constraints, indexes, enums };
}

type Definitions = Awaited<ReturnType<typeof readDefinitions>>;

export async function introspect(db: ServerDatabase, options: IntrospectOptions = {}): Promise<Introspection> {
  const started = performance.now();
  const definitions = await readDefinitions(db);
  const sensitive = options.sensitive ?? DEFAULT_SENSITIVE;
  const maxDistinct = options.maxDistinct ?? 12;
  const fingerprint = dataDirKey([JSON.stringify(definitions), JSON.stringify(sensitive), String(maxDistinct), db.target.label]);
  db.fingerprint = fingerprint;
  const dir = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultCacheDir());
  const file = dir && join(dir, `server-${fingerprint}.catalog.json`);
  const kept = file && !options.refresh ? readCached(file) : undefined;
  if (kept) {
    try {
      const { ddl, tables, warnings } = JSON.parse(Buffer.from(kept).toString('utf8')) as { ddl: string; tables: Table[]; warnings: string[] };
      return { catalog: catalogOf(ddl, tables), fingerprint, cached: true, warnings, ms: Math.round(performance.now() - started) };
    } catch {
      // A torn file: introspected again below.
    }
  }
  const { ddl, details, warnings } = renderDdl(definitions);
  const built = annotate(buildCatalog(ddl), details, sensitive);
  const catalog = withValueDomains(built, await db.sampleValueDomains(built, maxDistinct));
  if (file) writeCached(dir, file, Buffer.from(JSON.stringify({ ddl, tables: catalog.tables, warnings })));
  return { catalog, fingerprint, cached: false, warnings, ms: Math.round(performance.now() - started) };
}

interface TableDetails { kind: 'table' | 'view'; schema: string }

/** The definitions as DDL the catalog reader (and a sample database) accepts. */
export function renderDdl(defs: Definitions): { ddl: string; details: Map<string, TableDetails>; warnings: string[] } {
  const warnings: string[] = [];
  const kept = new Map<number, RelationRow>();
  const byName = new Map<string, RelationRow>();
  for (const rel of defs.relations) {
    const key = rel.name.toLowerCase();
    const earlier = byName.get(key);
    if (earlier) {
      warnings.push(`${rel.schema}.${rel.name} is hidden by ${earlier.schema}.${earlier.name} (schemas are searched in the order given)`);
      continue;
    }
    byName.set(key, rel);
    kept.set(rel.oid, rel);
  }
  const columnsOf = new Map<number, ColumnRow[]>();
  for (const c of defs.columns) if (kept.has(c.oid)) (columnsOf.get(c.oid) ?? columnsOf.set(c.oid, []).get(c.oid)!).push(c);
  const columnName = (oid: number, num: number) => columnsOf.get(oid)?.find((c) => c.num === num)?.name;
  const enumsUsed = new Map<number, EnumRow>();
  const enumByName = new Map(defs.enums.map((e) => [`${e.schema}.${e.name}`, e]));
  const lines: string[] = [];
  const after: string[] = [];
  const details = new Map<string, TableDetails>();
  for (const rel of kept.values()) {
    const view = rel.kind === 'v' || rel.kind === 'm';
    details.set(rel.name.toLowerCase(), { kind: view ? 'view' : 'table', schema: rel.schema });
    const body: string[] = [];
    for (const c of columnsOf.get(rel.oid) ?? []) {
      const enumType = c.typtype === 'e' ? enumByName.get(`${c.type_schema}.${c.type_name}`) : undefined;
      if (enumType) enumsUsed.set(enumType.oid, enumType);
      body.push(`  ${sqlIdentifier(c.name)} ${columnType(c, enumType)}${c.notnull && !view ? ' NOT NULL' : ''}${safeDefault(c.default)}`);
    }
    if (!view) {
      for (const con of defs.constraints.filter((k) => k.oid === rel.oid)) {
        const cols = con.keys.map((k) => columnName(rel.oid, k)).filter((n): n is string => n !== undefined).map(sqlIdentifier);
        if (con.type === 'p') body.push(`  PRIMARY KEY (${cols.join(', ')})`);
        else if (con.type === 'u') body.push(`  UNIQUE (${cols.join(', ')})`);
        else if (con.ref_oid !== null && kept.has(con.ref_oid)) {
          const ref = kept.get(con.ref_oid)!;
          const refCols = (con.ref_keys ?? []).map((k) => columnName(ref.oid, k)).filter((n): n is string => n !== undefined).map(sqlIdentifier);
          after.push(`ALTER TABLE ${sqlIdentifier(rel.name)} ADD FOREIGN KEY (${cols.join(', ')}) REFERENCES ${sqlIdentifier(ref.name)} (${refCols.join(', ')});`);
        }
      }
      for (const index of defs.indexes.filter((i) => i.oid === rel.oid)) {
        const cols = index.keys.map((k) => columnName(rel.oid, k)).filter((n): n is string => n !== undefined);
        if (cols.length === 0) continue;
        after.push(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${sqlIdentifier(index.name)} ON ${sqlIdentifier(rel.name)} (${cols.map(sqlIdentifier).join(', ')});`);
      }
    }
    lines.push(`${view ? `-- view ${rel.schema}.${rel.name}\n` : ''}CREATE TABLE ${sqlIdentifier(rel.name)} (\n${body.join(',\n')}\n);`);
    if (rel.comment) after.push(`COMMENT ON TABLE ${sqlIdentifier(rel.name)} IS ${sqlLiteral(rel.comment)};`);
    for (const c of columnsOf.get(rel.oid) ?? []) {
      if (c.comment) after.push(`COMMENT ON COLUMN ${sqlIdentifier(rel.name)}.${sqlIdentifier(c.name)} IS ${sqlLiteral(c.comment)};`);
    }
  }
  const types = [...enumsUsed.values()].map((e) => `CREATE TYPE ${sqlIdentifier(e.name)} AS ENUM (${e.labels.map((l) => sqlLiteral(l)).join(', ')});`);
  return { ddl: [...types, ...lines, ...after].join('\n\n') + '\n', details, warnings };
}

/** Built-in types as Postgres writes them; an enum by its name; anything else (extension types) as text. */
function columnType(c: ColumnRow, enumType: EnumRow | undefined): string {
  const serial = c.default?.startsWith('nextval(') || c.identity === 'a' || c.identity === 'd';
  if (serial && (c.type === 'integer' || c.type === 'bigint' || c.type === 'smallint')) {
    return { integer: 'serial', bigint: 'bigserial', smallint: 'smallserial' }[c.type];
  }
  if (enumType) return sqlIdentifier(enumType.name);
  if (c.typtype === 'd' && c.base_type) return c.base_type;
  if (c.type_schema === 'pg_catalog') return c.type;
  return 'text';
}

/** Constants and the current time keep their default; an expression over the user's own objects would not build elsewhere. */
function safeDefault(text: string | null): string {
  if (!text || text.startsWith('nextval(')) return '';
  const constant = /^(?:'(?:[^']|'')*'(?:::[a-z ]+(?:\(\d+(?:,\d+)?\))?)?|-?\d+(?:\.\d+)?|true|false|NULL|CURRENT_(?:DATE|TIMESTAMP|TIME)|now\(\))$/i;
  return constant.test(text) ? ` DEFAULT ${text}` : '';
}

function annotate(catalog: Catalog, details: Map<string, TableDetails>, sensitive: string[]): Catalog {
  const patterns = sensitive.map(patternOf);
  const isSensitive = (table: string, column: string) =>
    patterns.some((p) => p.test(column.toLowerCase()) || p.test(`${table}.${column}`.toLowerCase()));
  const tables = catalog.tables.map((t): Table => {
    const d = details.get(t.name.toLowerCase());
    const columns = t.columns.map((c): Column => (isSensitive(t.name, c.name) ? { ...c, sensitive: true } : c));
    return { ...t, ...(d ? { kind: d.kind, schema: d.schema } : {}), columns };
  });
  return catalogOf(catalog.ddl, tables);
}

/** Marks the catalog's columns matched by the sensitive patterns (for a catalog from a DDL file used with a server). */
export function markSensitive(catalog: Catalog, sensitive: string[] = DEFAULT_SENSITIVE): Catalog {
  return annotate(catalog, new Map(), sensitive);
}

function patternOf(glob: string): RegExp {
  const body = glob.toLowerCase().split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}
