/** Least privilege on a real server: a writing role is warned about, or refused with require_read_only_role; a reader passes quietly. */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPrivileges, enforceLeastPrivilege } from '../../src/db/privileges.js';
import { openUserDatabase } from '../../src/db/user-database.js';
import { createReaderRole } from '../support/gl-database.js';
import { glServer } from '../support/gl-server.js';
import type { PostgresServer } from '../support/postgres-server.js';

const { state, connect } = glServer();
let server: PostgresServer;
let url: string;

beforeAll(() => {
  ({ server, url } = state);
});

describe('least privilege', () => {
  it('warns about a superuser, naming a read-only role as the fix, and refuses it when required', async () => {
    const warnings: string[] = [];
    const report = await enforceLeastPrivilege(connect(url), { require: false, warn: (m) => warnings.push(m) });
    expect(report).toMatchObject({ role: 'postgres', superuser: true, readOnly: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/role postgres on postgres@127\.0\.0\.1:\d+\/gl is a superuser/);
    expect(warnings[0]).toContain('GRANT pg_read_all_data');
    await expect(enforceLeastPrivilege(connect(url), { require: true, warn: () => undefined })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'require_read_only_role' },
    });
  });

  it('names the tables a role may write to or owns', async () => {
    await server.sql("DROP ROLE IF EXISTS clerk; CREATE ROLE clerk LOGIN PASSWORD 'clerk-pass'; GRANT pg_read_all_data TO clerk", 'gl');
    await server.sql('GRANT INSERT ON srm_contacts TO clerk; CREATE TABLE clerk_notes (id int); ALTER TABLE clerk_notes OWNER TO clerk', 'gl');
    const report = await checkPrivileges(connect(server.urlFor('gl', 'clerk', 'clerk-pass')));
    expect(report).toMatchObject({ role: 'clerk', superuser: false, readOnly: false, writable: ['public.clerk_notes', 'public.srm_contacts'], owned: ['public.clerk_notes'] });
    const warnings: string[] = [];
    await enforceLeastPrivilege(connect(server.urlFor('gl', 'clerk', 'clerk-pass')), { require: false, warn: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/may write to public\.clerk_notes, public\.srm_contacts and owns public\.clerk_notes/);
  });

  it('lets a read-only role start quietly, even when one is required', async () => {
    const reader = await createReaderRole(server, 'gl');
    const warnings: string[] = [];
    const user = await openUserDatabase({ url: reader, requireReadOnlyRole: true, cacheDir: false, warn: (m) => warnings.push(m) });
    try {
      expect(user.privileges).toMatchObject({ role: 'gl_rl_reader', readOnly: true, writable: [], owned: [] });
      expect(warnings).toEqual([]);
      expect(user.catalog.tables.map((t) => t.name)).toContain('srm_companies');
      expect((await user.server.query('SELECT count(*) > 0 FROM srm_companies')).rows).toEqual([[true]]);
    } finally {
      await user.server.close();
    }
  });
});
