import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG } from '../../src/errors.js';
import { CONFIG_KEYS, DEFAULT_CONFIG, envName } from '../../src/orchestrator/config.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { buildProgram } from '../../src/cli/program.js';

const doc = (name: string) => readFileSync(join(PACKAGE_ROOT, name), 'utf8');

/** The rows of the first markdown table whose header starts with `first`, as cells without backticks. */
function table(markdown: string, first: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`));
  expect(start, `table starting "| ${first} |"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim().replaceAll('`', '')));
  }
  return rows;
}

describe('docs/configuration.md', () => {
  it('lists every setting with its environment variable and default, and nothing else', () => {
    const rows = table(doc('docs/configuration.md'), 'key');
    expect(rows.map((r) => r[0])).toEqual(CONFIG_KEYS);
    for (const [key, env, fallback] of rows) {
      const k = key as (typeof CONFIG_KEYS)[number];
      expect(env, key).toBe(envName(k));
      expect(fallback, key).toBe(JSON.stringify(DEFAULT_CONFIG[k]));
    }
  });
});

describe('docs/api.md', () => {
  it('lists every error code with its HTTP status, and nothing else', () => {
    const rows = table(doc('docs/api.md'), 'code');
    expect(rows.map((r) => r[0]).sort()).toEqual(Object.keys(ERROR_CATALOG).sort());
    for (const [code, status] of rows) expect(Number(status), code).toBe(ERROR_CATALOG[code as keyof typeof ERROR_CATALOG].status);
  });
});

describe('docs/cli.md and README.md', () => {
  it('document every command of the registry and every option of the documented commands', () => {
    const cli = doc('docs/cli.md');
    for (const command of buildProgram().commands) {
      expect(cli, command.name()).toContain(`## \`${command.name()}`);
      for (const option of command.options) expect(cli, `${command.name()} ${option.long}`).toContain(option.long!);
    }
  });

  it('README starts with the two set-up commands', () => {
    const readme = doc('README.md');
    expect(readme).toMatch(/^# gl-rl-model\n\n```sh\nnpm install && npx gl-rl ask "[^"]+"\nnpm test\n```/);
    for (const link of ['docs/api.md', 'docs/configuration.md', 'docs/cli.md']) expect(readme).toContain(`](${link})`);
  });
});
