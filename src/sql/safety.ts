/**
 * The gate in front of every database: a SQL text may run only when the
 * PostgreSQL parser shows it to be exactly one read-only statement with no
 * forbidden function and no read of the system catalogs. Validation,
 * execution, evaluation and rewards (a client's `expected_sql` included) all
 * pass through `checkReadOnly` before anything reaches PGlite.
 */
import { functionName, walk } from './ast.js';
import { parseSql, type ParseFailure, type ParseTree } from './parser.js';

/** Functions that sleep, read or write files, reach other servers, change settings or locks, or touch sequences. */
const FORBIDDEN_FUNCTIONS = new Set([
  'pg_sleep', 'pg_sleep_for', 'pg_sleep_until',
  'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'pg_ls_logdir', 'pg_ls_waldir',
  'pg_ls_tmpdir', 'pg_ls_archive_statusdir', 'pg_file_write', 'pg_file_rename', 'pg_file_unlink',
  'set_config', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_terminate_backend', 'pg_cancel_backend',
  'pg_promote', 'pg_switch_wal', 'pg_create_restore_point', 'pg_backup_start', 'pg_backup_stop',
  'nextval', 'setval', 'currval', 'lastval',
  'query_to_xml', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'table_to_xml', 'database_to_xml',
  'pg_notify', 'txid_current', 'pg_current_xact_id', 'pg_logical_emit_message',
  'pg_import_system_collations', 'pg_replication_origin_create', 'pg_drop_replication_slot',
  'pg_create_logical_replication_slot', 'pg_create_physical_replication_slot',
]);

const FORBIDDEN_PREFIXES = ['lo_', 'dblink', 'pg_advisory', 'pg_try_advisory', 'pg_catalog.pg_sleep'];

const WRITE_STATEMENTS = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Schemas of the server's own catalogs: roles and password hashes (`pg_shadow`, `pg_authid`), settings, activity. */
export const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set(['pg_catalog', 'information_schema', 'pg_toast']);

/**
 * Whether a relation is one of the server's catalogs: in a system schema, or
 * named with the `pg_` prefix Postgres keeps for its own (a CTE of that name
 * aside, which the caller rules out).
 */
export function isSystemRelation(name: string, schema: string | undefined): boolean {
  return (schema !== undefined && SYSTEM_SCHEMAS.has(schema.toLowerCase())) || name.toLowerCase().startsWith('pg_');
}

export type SafetyViolationKind =
  | 'parse_error'
  | 'empty'
  | 'multiple_statements'
  | 'not_select'
  | 'data_modifying'
  | 'select_into'
  | 'row_locking'
  | 'forbidden_function'
  | 'system_catalog';

export interface SafetyViolation {
  kind: SafetyViolationKind;
  message: string;
  position?: number;
}

export type SafetyResult =
  | { ok: true; tree: ParseTree }
  | { ok: false; violations: SafetyViolation[]; parseError?: ParseFailure; tree?: ParseTree };

export function isForbiddenFunction(name: string): boolean {
  const n = name.toLowerCase();
  return FORBIDDEN_FUNCTIONS.has(n) || FORBIDDEN_PREFIXES.some((p) => n.startsWith(p));
}

/** Statement node type names (`SelectStmt`, `DeleteStmt`, …) in source order. */
export function statementTypes(tree: ParseTree): string[] {
  return tree.stmts.map((s) => Object.keys(s.stmt)[0] ?? 'Unknown');
}

export function checkReadOnly(sql: string): SafetyResult {
  if (sql.trim() === '') return { ok: false, violations: [{ kind: 'empty', message: 'no SQL statement' }] };
  const parsed = parseSql(sql);
  if (!parsed.ok) {
    return {
      ok: false,
      parseError: parsed.error,
      violations: [{ kind: 'parse_error', message: parsed.error.message, position: parsed.error.position }],
    };
  }
  const violations = readOnlyViolations(parsed.tree);
  return violations.length === 0 ? { ok: true, tree: parsed.tree } : { ok: false, violations, tree: parsed.tree };
}

/** The gate's verdict on a tree already parsed (callers that parse once and check many things). */
export function readOnlyViolations(tree: ParseTree): SafetyViolation[] {
  const violations: SafetyViolation[] = [];
  const types = statementTypes(tree);
  if (types.length === 0) violations.push({ kind: 'empty', message: 'no SQL statement' });
  if (types.length > 1) {
    violations.push({
      kind: 'multiple_statements',
      message: `${types.length} statements; exactly one is allowed`,
      position: tree.stmts[1]?.stmt_location,
    });
  }
  types.forEach((type, i) => {
    if (type !== 'SelectStmt') {
      violations.push({
        kind: 'not_select',
        message: `${type === 'GrantStmt' && !tree.stmts[i].stmt.GrantStmt.is_grant ? 'REVOKE' : describeStatement(type)} is not a read-only query`,
        position: tree.stmts[i]?.stmt_location ?? 0,
      });
    }
  });
  const calls: SafetyViolation[] = [];
  const ctes = new Set<string>();
  const relations: Array<{ name: string; schema?: string; location?: number }> = [];
  // One pass over the tree: this runs on every validation.
  walk(tree, ({ type, node }) => {
    if (type === 'CommonTableExpr') ctes.add(String(node.ctename).toLowerCase());
    else if (type === 'RangeVar') relations.push({ name: String(node.relname), schema: node.schemaname, location: node.location });
    if (WRITE_STATEMENTS.has(type)) {
      violations.push({ kind: 'data_modifying', message: `data-modifying ${describeStatement(type)} inside the query` });
    } else if (type === 'SelectStmt' && node.intoClause) {
      violations.push({ kind: 'select_into', message: 'SELECT INTO creates a table' });
    } else if (type === 'SelectStmt' && node.lockingClause) {
      violations.push({ kind: 'row_locking', message: 'FOR UPDATE/SHARE takes row locks' });
    } else if (type === 'FuncCall' && isForbiddenFunction(functionName(node))) {
      calls.push({ kind: 'forbidden_function', message: `function ${functionName(node)}() is not allowed`, position: node.location });
    }
  });
  for (const rel of relations) {
    if (rel.schema === undefined && ctes.has(rel.name.toLowerCase())) continue;
    if (isSystemRelation(rel.name, rel.schema)) {
      const name = rel.schema ? `${rel.schema}.${rel.name}` : rel.name;
      calls.push({ kind: 'system_catalog', message: `reads the system catalog ${name}`, position: rel.location });
    }
  }
  return [...violations, ...calls];
}

export function describeStatement(type: string): string {
  const names: Record<string, string> = {
    SelectStmt: 'SELECT', InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE',
    CreateStmt: 'CREATE TABLE', DropStmt: 'DROP', TruncateStmt: 'TRUNCATE', AlterTableStmt: 'ALTER TABLE',
    GrantStmt: 'GRANT', GrantRoleStmt: 'GRANT', CopyStmt: 'COPY', VariableSetStmt: 'SET', TransactionStmt: 'transaction control',
    CreateTableAsStmt: 'CREATE TABLE AS', ExplainStmt: 'EXPLAIN', DoStmt: 'DO', CallStmt: 'CALL', IndexStmt: 'CREATE INDEX',
    ViewStmt: 'CREATE VIEW', CreateFunctionStmt: 'CREATE FUNCTION', VacuumStmt: 'VACUUM', LockStmt: 'LOCK',
  };
  return names[type] ?? type.replace(/Stmt$/, '').toUpperCase();
}
