/**
 * Least privilege: what the connected role may do. Every statement the system
 * sends already runs read-only, but a role that can write is one mistake (or
 * one server-side bug) away from changing the user's data, so it is reported
 * at start, naming a read-only role as the fix; `require_read_only_role`
 * refuses to start with it.
 */
import { AppError } from '../errors.js';
import type { ServerDatabase } from './server.js';

export interface PrivilegeReport {
  role: string;
  superuser: boolean;
  /** Tables (schema.name) the role may INSERT, UPDATE, DELETE or TRUNCATE. */
  writable: string[];
  /** Tables the role owns (or is a member of the owner of). */
  owned: string[];
  /** No write, no ownership, no superuser. */
  readOnly: boolean;
}

export async function checkPrivileges(db: ServerDatabase): Promise<PrivilegeReport> {
  const [who] = await db.catalogQuery<{ role: string; superuser: boolean }>(
    'SELECT current_user AS role, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
  );
  const tables = await db.catalogQuery<{ name: string; writable: boolean; owned: boolean }>(
    `SELECT n.nspname || '.' || c.relname AS name,
            has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') AS writable,
            pg_has_role(c.relowner, 'USAGE') AS owned
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
      ORDER BY 1`,
  );
  const writable = tables.filter((t) => t.writable).map((t) => t.name);
  const owned = tables.filter((t) => t.owned).map((t) => t.name);
  const superuser = who?.superuser === true;
  return { role: who?.role ?? '?', superuser, writable, owned, readOnly: !superuser && writable.length === 0 && owned.length === 0 };
}

/** What the role may do that a read-only role may not, in a sentence; undefined for a read-only role. */
export function privilegeWarning(report: PrivilegeReport, label: string): string | undefined {
  if (report.readOnly) return undefined;
  const list = (names: string[]) => `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
  const powers = report.superuser
    ? ['is a superuser']
    : [report.writable.length > 0 ? `may write to ${list(report.writable)}` : '', report.owned.length > 0 ? `owns ${list(report.owned)}` : ''].filter(Boolean);
  return (
    `role ${report.role} on ${label} ${powers.join(' and ')}; statements run read-only, but connect as a read-only role ` +
    `(e.g. CREATE ROLE gl_rl_reader LOGIN PASSWORD '…'; GRANT pg_read_all_data TO gl_rl_reader; see docs/database.md)`
  );
}

/** Warns about a writing role, or refuses it when a read-only role is required. */
export async function enforceLeastPrivilege(
  db: ServerDatabase,
  options: { require: boolean; warn: (message: string) => void },
): Promise<PrivilegeReport> {
  const report = await checkPrivileges(db);
  const warning = privilegeWarning(report, db.label);
  if (warning && options.require) {
    throw new AppError('INVALID_CONFIG', `require_read_only_role is set and ${warning}`, { field: 'require_read_only_role', role: report.role });
  }
  if (warning) options.warn(warning);
  return report;
}
