/**
 * The schema catalog, built from DDL by PostgreSQL's own parser and lexer
 * (libpg-query). The parser lower-cases unquoted identifiers, so every name
 * is read back from the lexer token at the node's `location`: the catalog
 * keeps the case written in the DDL. Comments are lexer tokens too, which is
 * how a column's trailing `-- A | B | C` becomes its value domain.
 */
import { readFileSync } from 'node:fs';
import { scanSync, type ScanToken } from 'libpg-query';
import { AppError } from '../errors.js';
import { parseSql } from '../sql/parser.js';
import { collect, nameParts, type AstNode } from '../sql/ast.js';
import { checkDefinitions } from './definitions.js';
import type { Catalog, Column, ForeignKey, Index, Table, TypeCategory } from './types.js';
import { dictionary } from '../dictionary.js';

export interface BuildOptions {
  /**
   * Refuse any statement that is not a definition, and a DDL with no table
   * (see definitions.ts): for a schema file, whose text a sample database runs.
   */
  definitionsOnly?: boolean;
}

export function buildCatalog(ddl: string, options: BuildOptions = {}): Catalog {
  const parsed = parseSql(ddl);
  if (!parsed.ok) {
    const { message, position, line, column } = parsed.error;
    throw new AppError('SCHEMA_PARSE_ERROR', `line ${line}, column ${column}: ${message}`, { line, column, position });
  }
  if (options.definitionsOnly) checkDefinitions(parsed.tree, ddl);
  const source = new Source(ddl);
  const builder = new CatalogBuilder(source);
  for (const { stmt } of parsed.tree.stmts) builder.statement(stmt);
  return makeCatalog(ddl, builder.finish());
}

export function loadCatalogFile(path: string): Catalog {
  let ddl: string;
  try {
    ddl = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_INPUT', `schema file ${path} cannot be read (${(err as Error).message})`, { field: 'schema', file: path });
  }
  return buildCatalog(ddl, { definitionsOnly: true });
}

/**
 * Adds value domains read from the database (table → column → distinct values)
 * to columns that have none from the DDL. Keys are matched case-insensitively.
 */
export function withValueDomains(catalog: Catalog, domains: Record<string, Record<string, string[]>>): Catalog {
  const byTable = new Map<string, Map<string, string[]>>();
  for (const [table, columns] of Object.entries(domains)) {
    const cols = new Map<string, string[]>();
    for (const [column, values] of Object.entries(columns)) cols.set(column.toLowerCase(), values);
    byTable.set(table.toLowerCase(), cols);
  }
  const tables = catalog.tables.map((t) => {
    const cols = byTable.get(t.name.toLowerCase());
    const columns = t.columns.map((c) => {
      const values = cols?.get(c.name.toLowerCase());
      return c.valueDomain || !values || values.length === 0 ? { ...c } : { ...c, valueDomain: [...values] };
    });
    return { ...t, columns };
  });
  return makeCatalog(catalog.ddl, tables);
}

/** A catalog over tables already built (an introspected database's, annotated). */
export function catalogOf(ddl: string, tables: Table[]): Catalog {
  return makeCatalog(ddl, tables);
}

function makeCatalog(ddl: string, tables: Table[]): Catalog {
  const byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]));
  const columnMaps = new Map(tables.map((t) => [t.name.toLowerCase(), new Map(t.columns.map((c) => [c.name.toLowerCase(), c]))]));
  // Each key under both of its tables, once (a self-reference is one key of one table).
  const keysByTable = new Map<string, ForeignKey[]>();
  for (const fk of tables.flatMap((t) => t.foreignKeys)) {
    for (const name of new Set([fk.table.toLowerCase(), fk.refTable.toLowerCase()])) {
      let list = keysByTable.get(name);
      if (!list) keysByTable.set(name, (list = []));
      list.push(fk);
    }
  }
  return {
    ddl,
    tables,
    table: (name) => byName.get(name.toLowerCase()),
    column: (table, column) => columnMaps.get(table.toLowerCase())?.get(column.toLowerCase()),
    foreignKeysOf: (name) => [...(keysByTable.get(name.toLowerCase()) ?? [])],
  };
}

/** The DDL text with its lexer tokens, addressed by the parser's byte offsets. */
class Source {
  readonly tokens: ScanToken[];
  private readonly tokenAt = new Map<number, number>();
  private readonly bytes: Buffer;

  constructor(readonly text: string) {
    this.tokens = scanSync(text).tokens;
    this.tokens.forEach((t, i) => this.tokenAt.set(t.start, i));
    this.bytes = Buffer.from(text, 'utf8');
  }

  indexAt(byteOffset: number | undefined): number | undefined {
    return byteOffset === undefined ? undefined : this.tokenAt.get(byteOffset);
  }

  /** The text between two byte offsets (libpg-query counts bytes, JavaScript counts UTF-16 units). */
  slice(startByte: number, endByte: number): string {
    return this.bytes.subarray(startByte, endByte).toString('utf8');
  }

  /** The last part of the (possibly qualified) name written at `location`, as written. */
  nameAt(location: number | undefined, fallback: string): string {
    let i = this.indexAt(location);
    if (i === undefined) return fallback;
    while (this.tokens[i + 1]?.text === '.' && this.tokens[i + 2]) i += 2;
    return identifierText(this.tokens[i].text);
  }

}

function identifierText(token: string): string {
  return token.startsWith('"') && token.endsWith('"') ? token.slice(1, -1).replaceAll('""', '"') : token;
}

interface PendingForeignKey {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

class CatalogBuilder {
  private readonly tables = new Map<string, Table>();
  private readonly enums = new Map<string, string[]>();
  private readonly pendingForeignKeys: PendingForeignKey[] = [];

  constructor(private readonly source: Source) {}

  statement(stmt: AstNode): void {
    if (stmt.CreateStmt) this.createTable(stmt.CreateStmt);
    else if (stmt.IndexStmt) this.createIndex(stmt.IndexStmt);
    else if (stmt.CreateEnumStmt) this.createEnum(stmt.CreateEnumStmt);
    else if (stmt.AlterTableStmt) this.alterTable(stmt.AlterTableStmt);
    else if (stmt.CommentStmt) this.comment(stmt.CommentStmt);
  }

  finish(): Table[] {
    for (const fk of this.pendingForeignKeys) {
      const table = this.lookup(fk.table);
      if (!table) continue;
      const ref = this.lookup(fk.refTable);
      const refColumns = fk.refColumns.length > 0 ? fk.refColumns : (ref?.primaryKey ?? []);
      const resolved: ForeignKey = {
        table: table.name,
        columns: fk.columns.map((c) => columnName(table, c)),
        refTable: ref?.name ?? fk.refTable,
        refColumns: ref ? refColumns.map((c) => columnName(ref, c)) : refColumns,
      };
      table.foreignKeys.push(resolved);
    }
    for (const table of this.tables.values()) {
      for (const column of table.columns) {
        column.primaryKey = table.primaryKey.some((k) => sameName(k, column.name));
        if (column.primaryKey) column.nullable = false;
        column.unique ||= [table.primaryKey, ...table.uniqueKeys].some((key) => key.length === 1 && sameName(key[0], column.name));
      }
    }
    return [...this.tables.values()];
  }

  private lookup(name: string): Table | undefined {
    return this.tables.get(name.toLowerCase());
  }

  private createEnum(node: AstNode): void {
    const parts = nameParts(node.typeName);
    this.enums.set(parts[parts.length - 1].toLowerCase(), nameParts(node.vals));
  }

  private createTable(node: AstNode): void {
    const name = this.source.nameAt(node.relation.location, node.relation.relname);
    const table: Table = { name, columns: [], primaryKey: [], uniqueKeys: [], foreignKeys: [], indexes: [] };
    this.tables.set(name.toLowerCase(), table);
    for (const element of node.tableElts ?? []) {
      if (element.ColumnDef) this.column(table, element.ColumnDef);
      else if (element.Constraint) this.tableConstraint(table, element.Constraint);
    }
  }

  private column(table: Table, def: AstNode): void {
    const name = this.source.nameAt(def.location, def.colname);
    const { type, category, typeKey } = normalizeType(def.typeName, this.source);
    const column: Column = { name, table: table.name, type, category, nullable: true, primaryKey: false, unique: false };
    const constraints: AstNode[] = (def.constraints ?? []).map((c: AstNode) => c.Constraint);
    const end = this.columnEnd(def.location);
    constraints.forEach((c, i) => {
      switch (c.contype) {
        case 'CONSTR_NOTNULL':
        case 'CONSTR_IDENTITY':
          column.nullable = false;
          break;
        case 'CONSTR_PRIMARY':
          table.primaryKey = [name];
          break;
        case 'CONSTR_UNIQUE':
          column.unique = true;
          table.uniqueKeys.push([name]);
          break;
        case 'CONSTR_DEFAULT':
          column.default = this.defaultText(c.location, constraints[i + 1]?.location ?? end.endByte);
          break;
        case 'CONSTR_FOREIGN':
          this.pendingForeignKeys.push({
            table: table.name,
            columns: [name],
            refTable: this.source.nameAt(c.pktable.location, c.pktable.relname),
            refColumns: nameParts(c.pk_attrs),
          });
          break;
      }
    });
    const comment = this.trailingComment(end.lastToken);
    if (comment !== undefined) {
      column.comment = comment;
      const domain = valueDomainOf(comment);
      if (domain) column.valueDomain = domain;
    }
    const enumValues = typeKey ? this.enums.get(typeKey) : undefined;
    if (!column.valueDomain && enumValues) column.valueDomain = [...enumValues];
    table.columns.push(column);
  }

  private tableConstraint(table: Table, c: AstNode): void {
    const keys = nameParts(c.keys);
    switch (c.contype) {
      case 'CONSTR_PRIMARY':
        table.primaryKey = keys.map((k) => columnName(table, k));
        break;
      case 'CONSTR_UNIQUE':
        table.uniqueKeys.push(keys.map((k) => columnName(table, k)));
        break;
      case 'CONSTR_FOREIGN':
        this.pendingForeignKeys.push({
          table: table.name,
          columns: nameParts(c.fk_attrs),
          refTable: this.source.nameAt(c.pktable.location, c.pktable.relname),
          refColumns: nameParts(c.pk_attrs),
        });
        break;
    }
  }

  private alterTable(node: AstNode): void {
    const table = this.lookup(this.source.nameAt(node.relation?.location, node.relation?.relname ?? ''));
    if (!table) return;
    for (const { AlterTableCmd: cmd } of node.cmds ?? []) {
      if (cmd?.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) this.tableConstraint(table, cmd.def.Constraint);
    }
  }

  private createIndex(node: AstNode): void {
    const table = this.lookup(this.source.nameAt(node.relation.location, node.relation.relname));
    if (!table) return;
    // An expression index (`lower(label)`) covers the columns its expression reads.
    const names = (node.indexParams ?? []).flatMap((p: AstNode) =>
      typeof p.IndexElem?.name === 'string' ? [p.IndexElem.name] : collect(p.IndexElem?.expr, 'ColumnRef').map((ref) => nameParts(ref.fields).at(-1) ?? ''),
    );
    const columns = [...new Set<string>(names.filter((n: string) => n !== ''))].map((n) => columnName(table, n));
    const name = node.idxname ?? [table.name, ...columns, 'idx'].join('_');
    const index: Index = { name, table: table.name, columns, unique: Boolean(node.unique) };
    table.indexes.push(index);
    if (index.unique && columns.length > 0) table.uniqueKeys.push(columns);
  }

  /** `COMMENT ON COLUMN t.c IS '…'` documents a column like a trailing `--` comment; `COMMENT ON TABLE` its table. */
  private comment(node: AstNode): void {
    if (typeof node.comment !== 'string') return;
    if (node.objtype === 'OBJECT_TABLE' || node.objtype === 'OBJECT_VIEW') {
      const table = this.lookup(nameParts(node.object?.List?.items).at(-1) ?? '');
      if (table) table.comment = node.comment;
      return;
    }
    if (node.objtype !== 'OBJECT_COLUMN') return;
    const parts = nameParts(node.object?.List?.items);
    const table = this.lookup(parts[parts.length - 2] ?? '');
    const column = table?.columns.find((c) => sameName(c.name, parts[parts.length - 1]));
    if (!column) return;
    column.comment = node.comment;
    const domain = valueDomainOf(node.comment);
    if (domain) column.valueDomain = domain;
  }

  /** Where a column definition ends: its last token, and the byte offset after it. */
  private columnEnd(location: number): { lastToken: number; endByte: number } {
    const tokens = this.source.tokens;
    let i = this.source.indexAt(location) ?? 0;
    let depth = 0;
    let last = i;
    for (; i < tokens.length; i++) {
      const text = tokens[i].text;
      if (isComment(tokens[i])) continue;
      if (text === '(') depth++;
      else if (text === ')') {
        if (depth === 0) break;
        depth--;
      } else if (text === ',' && depth === 0) break;
      last = i;
    }
    return { lastToken: last, endByte: tokens[last].end };
  }

  /** The default's expression as written: from after DEFAULT to the next constraint or the end of the column. */
  private defaultText(defaultKeyword: number, endByte: number): string | undefined {
    const tokens = this.source.tokens;
    const start = (this.source.indexAt(defaultKeyword) ?? -1) + 1;
    if (start === 0 || !tokens[start]) return undefined;
    let last = start;
    for (let i = start; i < tokens.length && tokens[i].end <= endByte; i++) {
      if (!isComment(tokens[i])) last = i;
    }
    return this.source.slice(tokens[start].start, tokens[last].end).trim();
  }

  /** A `--` comment on the same line as the column's last token (after its comma, if any). */
  private trailingComment(lastToken: number): string | undefined {
    const tokens = this.source.tokens;
    let i = lastToken + 1;
    if (tokens[i]?.text === ',') i++;
    const candidate = tokens[i];
    if (candidate?.tokenName !== 'SQL_COMMENT') return undefined;
    if (this.source.slice(tokens[lastToken].end, candidate.start).includes('\n')) return undefined;
    return candidate.text.replace(/^--\s*/, '').trim();
  }
}

function isComment(token: ScanToken): boolean {
  return token.tokenName === 'SQL_COMMENT' || token.tokenName === 'C_COMMENT';
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The column's name as written in its table, for a name the parser lower-cased. */
function columnName(table: Table, name: string): string {
  return table.columns.find((c) => sameName(c.name, name))?.name ?? name;
}

/** `A | B | C` (two or more non-empty parts) lists a column's values. */
function valueDomainOf(comment: string): string[] | undefined {
  if (!comment.includes('|')) return undefined;
  const parts = comment.split('|').map((p) => p.trim());
  return parts.length >= 2 && parts.every((p) => p.length > 0) ? parts : undefined;
}

const TYPE_NAMES = dictionary<string>({
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  bpchar: 'char',
  timestamptz: 'timestamptz',
  timetz: 'timetz',
});

const CATEGORIES = dictionary<TypeCategory>({
  smallint: 'number', integer: 'number', bigint: 'number', real: 'number', 'double precision': 'number',
  numeric: 'number', decimal: 'number', money: 'number', serial: 'number', bigserial: 'number', smallserial: 'number',
  varchar: 'text', char: 'text', text: 'text', citext: 'text', name: 'text',
  date: 'date', timestamp: 'timestamp', timestamptz: 'timestamp',
  boolean: 'boolean',
});

/** `pg_catalog.numeric` with typmods (15,2), written `DECIMAL(15,2)` → `decimal(15,2)`, category number. */
function normalizeType(typeName: AstNode, source: Source): { type: string; category: TypeCategory; typeKey?: string } {
  const parts = nameParts(typeName?.names);
  const internal = (parts[parts.length - 1] ?? 'unknown').toLowerCase();
  const isBuiltin = parts[0] === 'pg_catalog' || parts.length === 1;
  let base = TYPE_NAMES[internal] ?? internal;
  const at = source.indexAt(typeName?.location);
  const written = at === undefined ? '' : source.tokens[at].text.toLowerCase();
  if (internal === 'numeric' && written === 'decimal') base = 'decimal';
  if (['serial', 'bigserial', 'smallserial'].includes(written)) base = written;
  const mods = (typeName?.typmods ?? [])
    .map((m: AstNode) => String(m.A_Const?.ival?.ival ?? 0));
  const array = Array.isArray(typeName?.arrayBounds) && typeName.arrayBounds.length > 0;
  const type = `${base}${mods.length > 0 ? `(${mods.join(',')})` : ''}${array ? '[]' : ''}`;
  const category = array || !isBuiltin ? 'other' : (CATEGORIES[base] ?? 'other');
  return { type, category, typeKey: parts.length === 1 || !isBuiltin ? internal : undefined };
}
