/** Vitest hooks for a test file's server (kept apart from gl-database.ts, which the benchmarks import outside vitest). */
import { afterAll, beforeAll } from 'vitest';
import { ServerDatabase, type ServerDatabaseOptions } from '../../src/db/server.js';
import { loadGlDatabase } from './gl-database.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

/**
 * A test file's server with the GL database, and the pools it opens: started
 * in `beforeAll`, every pool closed and the server stopped in `afterAll`.
 */
export function glServer(options: { cacheDir?: string | false } = {}) {
  const state = { server: undefined as unknown as PostgresServer, url: '' };
  const open: ServerDatabase[] = [];
  beforeAll(async () => {
    state.server = await startPostgres();
    state.url = await loadGlDatabase(state.server, 'gl');
  }, 120_000);
  afterAll(async () => {
    await Promise.all(open.map((db) => db.close()));
    await state.server?.stop();
  });
  const connect = (target: string, more: Partial<ServerDatabaseOptions> = {}): ServerDatabase => {
    const db = new ServerDatabase({ url: target, cacheDir: options.cacheDir ?? false, ...more });
    open.push(db);
    return db;
  };
  return { state, connect };
}
