/**
 * The schema catalog: what the system knows about a database, built from DDL
 * by the real PostgreSQL parser (src/schema/catalog.ts). Names keep the case
 * written in the DDL (`PAC_MNT_PROJECTS`); look-ups are case-insensitive.
 */

export type TypeCategory = 'number' | 'text' | 'date' | 'timestamp' | 'boolean' | 'other';

export interface Column {
  name: string;
  table: string;
  /** SQL type as written, normalized: `integer`, `varchar(255)`, `decimal(15,2)`, `date`, … */
  type: string;
  category: TypeCategory;
  nullable: boolean;
  default?: string;
  primaryKey: boolean;
  unique: boolean;
  /** Known values: from a `-- A | B | C` DDL comment, then from the database for low-cardinality text columns. */
  valueDomain?: string[];
  /** The trailing `--` comment of the column line, or its `COMMENT ON COLUMN` text. */
  comment?: string;
  /** Configured as sensitive: its values are never sampled (see docs/database.md). */
  sensitive?: boolean;
}

export interface ForeignKey {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

export interface Index {
  name: string;
  table: string;
  columns: string[];
  unique: boolean;
}

export interface Table {
  name: string;
  /** A view reads like a table; introspected ones say so. */
  kind?: 'table' | 'view';
  /** The PostgreSQL schema it was introspected from. */
  schema?: string;
  /** Its `COMMENT ON TABLE` text. */
  comment?: string;
  columns: Column[];
  primaryKey: string[];
  uniqueKeys: string[][];
  foreignKeys: ForeignKey[];
  indexes: Index[];
}

export interface Catalog {
  /** The DDL text the catalog was built from (used to create the database). */
  ddl: string;
  tables: Table[];
  /** Case-insensitive table look-up. */
  table(name: string): Table | undefined;
  /** Case-insensitive column look-up. */
  column(table: string, column: string): Column | undefined;
  /** Every foreign key, both directions reachable from `table`. */
  foreignKeysOf(table: string): ForeignKey[];
}
