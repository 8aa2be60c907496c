/**
 * A user's database as a domain's source: connected (the pool), checked
 * (it answers; the role's privileges), and described (the catalog, from live
 * introspection or from a DDL file given as well). What it returns plugs into
 * the same places as the sample database: the agents never ask which it is.
 */
import { buildCatalog } from '../schema/catalog.js';
import type { Catalog } from '../schema/types.js';
import { DEFAULT_SENSITIVE, introspect, markSensitive, type Introspection } from './introspect.js';
import { enforceLeastPrivilege, type PrivilegeReport } from './privileges.js';
import { ServerDatabase } from './server.js';
import { dataDirKey } from './datadir-cache.js';

export interface UserDatabaseOptions {
  url: string;
  schemas?: string[];
  /** The catalog from this DDL instead of introspection; the server still plans and runs. */
  ddl?: string;
  sensitive?: string[] | null;
  statementTimeoutMs?: number;
  requireReadOnlyRole?: boolean;
  /** Introspect and sample again, ignoring the cache. */
  refresh?: boolean;
  cacheDir?: string | false;
  warn?: (message: string) => void;
}

export interface UserDatabase {
  server: ServerDatabase;
  catalog: Catalog;
  privileges: PrivilegeReport;
  /** Absent when the catalog came from a DDL file. */
  introspection?: Omit<Introspection, 'catalog'>;
}

/** The pool alone (no check, no catalog): connections open on first use. */
export function connectServer(options: Pick<UserDatabaseOptions, 'url' | 'schemas' | 'statementTimeoutMs' | 'refresh' | 'cacheDir'>): ServerDatabase {
  return new ServerDatabase({
    url: options.url,
    schemas: options.schemas,
    statementTimeoutMs: options.statementTimeoutMs,
    refresh: options.refresh,
    cacheDir: options.cacheDir,
  });
}

export async function openUserDatabase(options: UserDatabaseOptions): Promise<UserDatabase> {
  const server = connectServer(options);
  try {
    const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
    const privileges = await enforceLeastPrivilege(server, { require: options.requireReadOnlyRole === true, warn });
    const sensitive = options.sensitive ?? DEFAULT_SENSITIVE;
    if (options.ddl !== undefined) {
      server.fingerprint = dataDirKey([options.ddl, server.target.label, JSON.stringify(sensitive)]);
      return { server, catalog: markSensitive(buildCatalog(options.ddl, { definitionsOnly: true }), sensitive), privileges };
    }
    const { catalog, ...introspection } = await introspect(server, { sensitive, refresh: options.refresh, cacheDir: options.cacheDir });
    for (const warning of introspection.warnings) warn(warning);
    return { server, catalog, privileges, introspection };
  } catch (err) {
    await server.close();
    throw err;
  }
}
