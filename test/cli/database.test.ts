/**
 * `gl-rl … --database URL` on a real PostgreSQL server (built binary): the
 * answer runs on the user's data, the password shows nowhere (output, errors,
 * --help, logs), a writing role is warned about or refused, eval says which
 * databases it compared on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReaderRole, loadGlDatabase } from '../support/gl-database.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { ensureBuilt, run, type Run } from './bin.js';

let server: PostgresServer;
let url: string;
let reader: string;
let dir: string;
/** The default cache: a seeded database built from the introspected catalog is reused by later runs. */
let env: Record<string, string>;

beforeAll(async () => {
  ensureBuilt();
  server = await startPostgres();
  url = await loadGlDatabase(server, 'erp');
  reader = await createReaderRole(server, 'erp');
  dir = mkdtempSync(join(tmpdir(), 'gl-rl-cli-db-'));
  env = {};
}, 300_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function noSecret(r: Run): void {
  expect(r.stdout + r.stderr).not.toContain(server.password);
  expect(r.stdout + r.stderr).not.toContain('reader-pass-1');
}

describe('gl-rl with --database', () => {
  it('ask --execute answers from the user\'s data, read-only role, quietly', async () => {
    await server.sql("INSERT INTO srm_companies (company_id, company_name, company_code, industry, status) VALUES (9001, 'Only In The User Db', 'USR9001', 'Robotics', 'Active')", 'erp');
    const r = await run(['ask', '--database', reader, '--require-read-only-role', '--execute', '--json', 'list companies in the Robotics industry'], { env });
    noSecret(r);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sql).toMatch(/robotics/i);
    expect(out.validation.is_valid).toBe(true);
    expect(out.execution.rows.flat()).toContain('Only In The User Db');
    expect(r.stderr).not.toMatch(/warn|superuser/i);
  });

  it('warns about a writing role, refuses it with --require-read-only-role, and never prints the password', async () => {
    const warned = await run(['validate', '--database', url, 'SELECT company_name FROM srm_companies'], { env });
    noSecret(warned);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(/role postgres on postgres@127\.0\.0\.1:\d+\/erp is a superuser.*read-only role/);
    const refused = await run(['ask', '--require-read-only-role', '--json', 'how many projects'], { env: { ...env, GL_RL_DATABASE_URL: url } });
    noSecret(refused);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error_code: 'INVALID_CONFIG' });
    const help = await run(['ask', '--help'], { env: { ...env, GL_RL_DATABASE_URL: url } });
    noSecret(help);
    expect(help.stdout).toContain('--database <url>');
  });

  it('a server that is down: exit 1 with DATABASE_UNAVAILABLE naming the address, not the password', async () => {
    await server.halt();
    try {
      const r = await run(['ask', '--database', url, 'how many projects'], { env });
      noSecret(r);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[DATABASE_UNAVAILABLE]');
      expect(r.stderr).toContain(`connection refused at 127.0.0.1:${server.port}`);
    } finally {
      await server.start();
    }
  });

  it('analyze --refresh introspects again and reports the catalog', async () => {
    const r = await run(['analyze', '--database', reader, '--refresh', 'projects by status'], { env });
    noSecret(r);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/catalog of gl_rl_reader@127\.0\.0\.1:\d+\/erp refreshed in \d+ ms: 14 tables, 0 views, \d+ columns with value domains/);
    expect(r.stdout).toContain('pac_mnt_projects');
    const usage = await run(['analyze', '--refresh', 'projects'], { env: { ...env, GL_RL_DATABASE_URL: '' } });
    expect(usage.code).toBe(2);
  });

  it('eval compares on the user\'s database and on seeded ones, and says so', async () => {
    const dataset = join(dir, 'tiny.jsonl');
    writeFileSync(
      dataset,
      [
        { query: 'How many projects are there', sql: 'SELECT COUNT(*) FROM PAC_MNT_PROJECTS' },
        { query: 'Delete all projects', expect: 'refuse' },
      ].map((l) => JSON.stringify(l)).join('\n'),
    );
    const r = await run(['eval', '--dataset', dataset, '--database', reader, '--seeds', '1', '--json'], { env });
    noSecret(r);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(summary.databases).toEqual([expect.stringMatching(/^gl_rl_reader@127\.0\.0\.1:\d+\/erp$/), 'seed 1']);
    expect(summary.execution_accuracy).toBe(1);
    expect(summary.refusal_accuracy).toBe(1);
  }, 120_000);
});
