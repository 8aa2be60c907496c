import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt, run, type Run } from './bin.js';

const COMMANDS = ['ask', 'analyze', 'validate', 'sample-db', 'machines', 'learn', 'serve', 'batch', 'eval', 'train', 'score', 'reward-report'];

/** The whole of stdout is one JSON document (JSON.parse refuses trailing text). */
function oneJson(r: Run): any {
  return JSON.parse(r.stdout);
}

beforeAll(() => ensureBuilt(), 300_000);

describe('gl-rl usage (built binary)', () => {
  it('runs by its own path, as npx and a shell run it (shebang, executable)', async () => {
    const r = await new Promise<Run>((resolve) => {
      execFile(BIN, ['--help'], (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: gl-rl');
  });

  it('--help lists every command on stdout and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c);
    expect(r.stderr).toBe('');
  });

  it.each(COMMANDS)('%s --help exits 0', async (command) => {
    const r = await run([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: gl-rl ${command}`);
  });

  it.each([
    [[], /Usage: gl-rl/],
    [['nonsense'], /unknown command 'nonsense'/],
    [['ask'], /missing required argument 'question'/],
    [['ask', 'q', '--bogus'], /unknown option '--bogus'/],
    [['ask', 'q', '--mode', 'fast'], /argument 'fast' is invalid/],
    [['sample-db', '--seed', 'x'], /--seed must be an integer/],
    [['machines', '--format', 'svg'], /argument 'svg' is invalid/],
    [['machines', '--machine', 'nope'], /unknown machine "nope"/],
    [['learn'], /required option '--dataset <file>' not specified/],
    [['validate'], /the SQL is empty/],
    [['validate', 'SELECT 1', '--file', 'x.sql'], /not both/],
  ])('usage error %j → exit 2 with a message on stderr', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('runs that cannot be done', () => {
  it('an unreadable file exits 1 with the reason on stderr', async () => {
    const r = await run(['validate', '--file', '/nonexistent/query.sql']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOENT|no such file/);
    expect(r.stdout).toBe('');
  });
});

describe('start-up cost', () => {
  it('--help and machines load neither PGlite, the parser nor Fastify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-rl-hooks-'));
    writeFileSync(
      join(dir, 'hooks.mjs'),
      "export async function resolve(s, c, next) { const r = await next(s, c); if (/pglite|libpg-query|fastify/.test(r.url)) process.stderr.write('HEAVY ' + r.url + '\\n'); return r; }\n",
    );
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${join(dir, 'hooks.mjs')}`)});\n`);
    for (const args of [['--help'], ['machines', '--format', 'json'], ['ask', '--help']]) {
      const r = await new Promise<Run>((resolve) => {
        const child = spawn(process.execPath, ['--import', join(dir, 'register.mjs'), BIN, ...args]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr, args.join(' ')).not.toContain('HEAVY');
    }
    // The probe itself works: sample-db does load the parser.
    const probe = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', join(dir, 'register.mjs'), BIN, 'sample-db']);
      let stderr = '';
      child.stdout.resume();
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', () => resolve(stderr));
    });
    expect(probe).toContain('HEAVY');
  });
});

describe('machines and sample-db', () => {
  it('machines --format json prints one JSON document of every chart', async () => {
    const r = await run(['machines', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(Object.keys(oneJson(r)).sort()).toEqual(['circuit_breaker', 'session', 'workflow']);
  });

  it('machines --machine workflow prints its Mermaid chart', async () => {
    const r = await run(['machines', '--machine', 'workflow']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^%% workflow\nstateDiagram-v2\n/);
    expect(r.stdout).toContain('schema_analysis');
  });

  it('sample-db prints the seeded data as SQL, the same for the same seed and day', async () => {
    const [a, b, c] = await Promise.all([
      run(['sample-db', '--seed', '2', '--today', '2025-06-30']),
      run(['sample-db', '--seed', '2', '--today', '2025-06-30']),
      run(['sample-db', '--seed', '3', '--today', '2025-06-30', '--ddl']),
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout.startsWith('-- gl-rl-model sample data: seed 2')).toBe(true);
    expect(a.stdout).toContain('INSERT INTO');
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).toMatch(/CREATE TABLE/i);
    expect(c.stdout).not.toBe(a.stdout);
  });
});

describe('with the shipped agents (end to end)', () => {
  const runs: Record<string, Run> = {};
  const memory = join(mkdtempSync(join(tmpdir(), 'gl-rl-cli-')), 'memory.jsonl');
  const dataset = join(tmpdir(), `gl-rl-cli-${process.pid}.jsonl`);

  beforeAll(async () => {
    writeFileSync(
      dataset,
      [JSON.stringify({ query: 'how many tables are there', sql: 'SELECT count(*) FROM PAC_MNT_PROJECTS' }), '{broken', JSON.stringify({ query: 'drop it', expect: 'refuse' })].join('\n'),
    );
    // Independent runs, started together: each boots its own databases.
    const jobs: Record<string, Promise<Run>> = {
      ask: run(['ask', 'list the active projects', '--json']),
      askVerbose: run(['ask', 'how many employees are there', '--json', '--verbose']),
      askHuman: run(['ask', 'list the active projects', '--execute', '--rows', '3']),
      write: run(['ask', 'delete all customers', '--json']),
      validValid: run(['validate', '--json'], { input: "SELECT Company_Name FROM SRM_COMPANIES WHERE Status = 'Active'" }),
      validInvalid: run(['validate'], { input: 'SELECT no_such_column FROM SRM_COMPANIES' }),
      analyze: run(['analyze', 'projects over budget', '--json']),
      learn: run(['learn', '--dataset', dataset, '--memory', memory, '--json']),
    };
    await Promise.all(Object.entries(jobs).map(async ([k, p]) => (runs[k] = await p)));
  }, 600_000);

  it('ask --json prints exactly one JSON document, the result, and exits 0', () => {
    const r = runs.ask!;
    expect(r.code, r.stderr).toBe(0);
    const result = oneJson(r);
    expect(result.workflow_stage).toBe('completed');
    expect(result.sql.toUpperCase()).toContain('PAC_MNT_PROJECTS');
  });

  it('logs go to stderr only: --verbose fills stderr and leaves stdout one JSON document', () => {
    const r = runs.askVerbose!;
    expect(r.code, r.stderr).toBe(0);
    expect(oneJson(r).workflow_stage).toBe('completed');
    const logs = r.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.some((l) => JSON.parse(l).msg === 'workflow completed')).toBe(true);
  });

  it('human output shows the SQL by clause, confidence, validation and the rows', () => {
    const r = runs.askHuman!;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SQL\n {2}SELECT/);
    expect(r.stdout).toMatch(/\n {2}FROM PAC_MNT_PROJECTS/i);
    expect(r.stdout).toMatch(/Confidence {2}0\.\d\d/);
    expect(r.stdout).toContain('Validation  valid');
    expect(r.stdout).toMatch(/\(3 rows, more not shown\)|\(\d rows?\)/);
    expect(r.stderr).toBe('');
  });

  it('a refused question exits 1 and prints the error response as JSON', () => {
    const r = runs.write!;
    expect(r.code).toBe(1);
    expect(oneJson(r)).toMatchObject({ error_code: 'WRITE_NOT_ALLOWED', failed_stage: 'query_generation' });
  });

  it('validate reads stdin: exit 0 when valid (one JSON document), 1 when not', () => {
    expect(runs.validValid!.code, runs.validValid!.stderr).toBe(0);
    expect(oneJson(runs.validValid!).is_valid).toBe(true);
    expect(runs.validInvalid!.code).toBe(1);
    expect(runs.validInvalid!.stdout).toContain('INVALID');
    expect(runs.validInvalid!.stdout).toContain('no_such_column');
  });

  it('analyze --json prints the schema analysis', () => {
    const r = runs.analyze!;
    expect(r.code, r.stderr).toBe(0);
    const analysis = oneJson(r);
    expect(analysis.relevant_tables.map((t: { table_name: string }) => t.table_name)).toContain('PAC_MNT_PROJECTS');
  });

  it('learn adds the pairs, reports the bad line on stderr and writes the memory file', () => {
    const r = runs.learn!;
    expect(r.code, r.stderr).toBe(0);
    expect(oneJson(r)).toMatchObject({ added: 1, skipped: 1, memory });
    expect(r.stderr).toMatch(/line 2/);
    expect(readFileSync(memory, 'utf8')).toContain('PAC_MNT_PROJECTS');
  });
});

describe('serve', () => {
  it('prints its URL, answers /health, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--api-key', 'k'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('\n')) resolve(stdout.trim());
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 180_000);
});
