/**
 * Finding 8 of the hostile-client run, and the serve half of finding 5: bad
 * schema files get a clean error with its code (never a stack trace), a
 * schema file runs definitions only, `ask --execute` runs only SQL its
 * validator passed, and a half-sent body does not keep `serve` from exiting.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion, reply, startChatServer, type ChatServer } from '../agents/query-generator/llm/chat-server.js';
import { BIN, ensureBuilt, run, type Run } from './bin.js';

beforeAll(() => ensureBuilt(), 300_000);

const dir = mkdtempSync(join(tmpdir(), 'gl-rl-hostile-cli-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const STACK = /\n\s+at .+\(.+:\d+:\d+\)|^\s+at .+:\d+:\d+$/m;

describe('bad schema files (ask --schema)', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['a syntax error', 'CREATE TABLE t (a int,\n', /line 1, column \d+: syntax error/],
    ['an empty file', '', /empty/i],
    ['a binary file', Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) % 256)), /NUL byte \(is this a binary file\?\)/],
    ['statements that fail', 'CREATE TABLE t (a int REFERENCES nowhere(x));\n', /nowhere/],
    ['no table', "CREATE TYPE mood AS ENUM ('a', 'b');\n", /defines no table/],
    ['a SELECT among the definitions', 'CREATE TABLE t (a int);\nSELECT pg_sleep(30);\n', /statement 2 \(line 2, column 1: "SELECT pg_sleep\(30\);"\) is not a definition/],
    ['a function', "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql;\n", /statement 2 .* is not a definition/],
  ];
  const runs = new Map<string, Run>();
  beforeAll(async () => {
    await Promise.all(
      cases.map(async ([name, content]) => runs.set(name, await run(['ask', 'how many rows are in t', '--schema', file(`${name.replaceAll(' ', '-')}.sql`, content)]))),
    );
  }, 300_000);

  it.each(cases)('%s: exit 1, one error line with its code, no stack trace', (name, _content, message) => {
    const r = runs.get(name)!;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).toMatch(/^error \[(SCHEMA_PARSE_ERROR|EXECUTION_FAILED)\] at initialization: /);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('the refused statement is not run: the SELECT pg_sleep(30) file answers at once', () => {
    // The refusal comes from the parse, before any database starts (a run of pg_sleep would take 30 s).
    expect(runs.get('a SELECT among the definitions')!.stderr).not.toContain('sample database');
  });
});

describe('ask --execute', () => {
  let chat: ChatServer;
  beforeAll(async () => {
    chat = await startChatServer();
    chat.handler = (_req, res) => reply(res, completion(['```sql\nSELECT No_Such_Column FROM PAC_MNT_PROJECTS\n```']));
  });
  afterAll(() => chat.close());

  it('does not run SQL its validator marked invalid', async () => {
    const env = { GL_RL_LLM_BASE_URL: chat.base_url, GL_RL_LLM_MODEL: 'scripted', GL_RL_MEMORY_FILE: join(dir, 'memory.jsonl') };
    const r = await run(['ask', 'list the projects', '--execute', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.validation.is_valid).toBe(false);
    expect(result.execution).toEqual({ skipped: 'the validator marked the SQL invalid, so it was not run' });
  }, 180_000);
});

describe('serve', () => {
  it('exits 0 on SIGTERM while a client has sent half a body', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('\n')) resolve(stdout.trim());
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query": "hal');
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
    socket.destroy();
    if (code !== 0) child.kill('SIGKILL');
    expect(code).toBe(0);
    expect(answer).toMatch(/^HTTP\/1\.1 503/);
    expect(answer).toContain('"error_code":"SHUTTING_DOWN"');
  }, 180_000);
});
