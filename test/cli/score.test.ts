/** `gl-rl score` through the built binary: one output line per input line, in order, bad lines reported. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, run } from './bin.js';

beforeAll(() => ensureBuilt(), 300_000);

const GOLD = 'SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Budget > 100000';

describe('gl-rl score', () => {
  it('writes one line per input line in input order, and a summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-rl-score-'));
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    writeFileSync(input, [
      JSON.stringify({ id: 'a', query: 'big projects', expected_sql: GOLD, completions: [`\`\`\`sql\n${GOLD}\n\`\`\``, 'SELECT Project_Code FROM PAC_MNT_PROJECTS', 'no sql'] }),
      'not json',
      JSON.stringify({ query: 'q', completions: 'x', expected_sql: GOLD }),
      '',
      JSON.stringify({ query: 'q', completions: [GOLD], expected_sql: 'DROP TABLE PAC_MNT_PROJECTS' }),
    ].join('\n'));
    const r = await run(['score', '--input', input, '--output', output, '--preset', 'sparse', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 5]);
    expect(lines[0]).toMatchObject({ id: 'a', query: 'big projects' });
    expect(lines[0].results.map((x: { total_reward: number }) => x.total_reward)).toEqual([1, 0.1, 0]);
    expect(lines[0].advantages).toHaveLength(3);
    expect(lines[1]).toMatchObject({ error_code: 'INVALID_INPUT', field: 'line' });
    expect(lines[2]).toMatchObject({ error_code: 'INVALID_INPUT', field: 'completions' });
    expect(lines[3]).toMatchObject({ error_code: 'UNSAFE_SQL', field: 'expected_sql', results: [] });
    expect(JSON.parse(r.stdout)).toMatchObject({ preset: 'sparse', lines: 4, completions: 3, failed_lines: 3 });
  }, 120_000);

  it('refuses an unknown preset as a usage error', async () => {
    const r = await run(['score', '--input', '-', '--output', '-', '--preset', 'best']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--preset/);
  });
});
