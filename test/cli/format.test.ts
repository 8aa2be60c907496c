import fc from 'fast-check';
import { scanSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatSql, reasoningSteps, textTable, validationSummary } from '../../src/cli/format.js';
import { createProgress, progressLine } from '../../src/cli/progress.js';
import { logLevel } from '../../src/cli/shared.js';
import { loadParser } from '../../src/sql/parser.js';

beforeAll(() => loadParser());

const tokens = (sql: string) => scanSync(sql).tokens.map((t) => t.text);

describe('formatSql', () => {
  it('puts each clause on its own line, joins whole, conditions indented', async () => {
    const sql =
      "SELECT p.Project_Name, count(*) FROM PAC_MNT_PROJECTS p LEFT OUTER JOIN PROJSTAFF s ON s.Project_ID = p.Project_ID AND s.Role = 'Lead' WHERE p.Budget BETWEEN 1 AND 5 OR p.Status = 'Active' GROUP BY 1 ORDER BY 2 DESC LIMIT 5";
    expect(await formatSql(sql)).toBe(
      [
        'SELECT p.Project_Name, count(*)',
        'FROM PAC_MNT_PROJECTS p',
        'LEFT OUTER JOIN PROJSTAFF s ON s.Project_ID = p.Project_ID',
        "  AND s.Role = 'Lead'",
        'WHERE p.Budget BETWEEN 1 AND 5',
        "  OR p.Status = 'Active'",
        'GROUP BY 1',
        'ORDER BY 2 DESC',
        'LIMIT 5',
      ].join('\n'),
    );
  });

  it('lays out subqueries indented, and leaves FROM inside EXTRACT and keywords inside strings alone', async () => {
    const out = await formatSql("SELECT 'select from where' AS s FROM t WHERE EXTRACT(YEAR FROM d) = 2024 AND id IN (SELECT id FROM u WHERE x = 1)");
    expect(out).toBe(
      [
        "SELECT 'select from where' AS s",
        'FROM t',
        'WHERE EXTRACT(YEAR FROM d) = 2024',
        '  AND id IN (SELECT id',
        '  FROM u',
        '  WHERE x = 1)',
      ].join('\n'),
    );
  });

  it('returns text the scanner rejects unchanged', async () => {
    expect(await formatSql("SELECT 'unterminated")).toBe("SELECT 'unterminated");
  });

  it('never changes the tokens of the statement (property)', async () => {
    const pieces = ['SELECT', 'a', 'FROM', 't', 'WHERE', 'x', '=', '1', 'AND', 'y', 'OR', '(', ')', 'JOIN', 'ON', 'GROUP BY', 'ORDER BY', 'LIMIT', "'s t'", ',', 'BETWEEN'];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), async (parts) => {
        const sql = parts.join(' ');
        let before: string[];
        try {
          before = tokens(sql);
        } catch {
          return;
        }
        expect(tokens(await formatSql(sql))).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});

describe('human output helpers', () => {
  it('splits reasoning into steps without the think tags', () => {
    expect(reasoningSteps('<think>\n1. a\n\n2. b\n</think>')).toEqual(['1. a', '2. b']);
    expect(reasoningSteps('')).toEqual([]);
  });

  it('summarizes validation with every issue and suggestion', () => {
    const lines = validationSummary({
      is_valid: false,
      details: { syntax_valid: true, schema_compliant: false, issues: [{ layer: 'schema', severity: 'error', message: 'column x does not exist' }, 'plain'], suggestions: ['use y'] },
    });
    expect(lines[0]).toBe('INVALID  (syntax ✓  schema ✗  business rules ✓  performance ✓)');
    expect(lines.slice(1)).toEqual(['  issue: [error schema] column x does not exist', '  issue: plain', '  suggestion: use y']);
  });

  it('aligns table columns and shows NULL', () => {
    expect(textTable(['id', 'name'], [[1, 'Ann'], [22, null]])).toBe(['id | name', '---+-----', '1  | Ann', '22 | NULL'].join('\n'));
  });
});

describe('progress', () => {
  it('draws nothing when stderr is not a terminal, unless forced', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (t: string) => written.push(t) };
    const quiet = createProgress({ total: 3, stream });
    quiet.tick();
    quiet.done();
    expect(written).toEqual([]);
    let now = 0;
    const loud = createProgress({ total: 3, stream, force: true, interval: 100, now: () => now });
    loud.tick();
    now = 50;
    loud.tick();
    now = 1000;
    loud.tick();
    loud.done();
    expect(written.length).toBe(3);
    expect(written.at(-1)).toContain('3/3 100%');
  });

  it('renders a bar with rate and eta', () => {
    expect(progressLine('eval', 5, 10, 5000)).toBe('eval [###############---------------] 5/10 50% (1.0/s, eta 5s)');
  });
});

describe('log level of the command line', () => {
  it('is warn unless --verbose or GL_RL_LOG_LEVEL', () => {
    expect(logLevel({}, {})).toBe('warn');
    expect(logLevel({ verbose: true }, { GL_RL_LOG_LEVEL: 'error' })).toBe('info');
    expect(logLevel({}, { GL_RL_LOG_LEVEL: 'debug' })).toBeUndefined();
  });
});

describe('agents from the environment', () => {
  it('keep the shipped agents without an LLM, and put the LLM before the embedded generator with one', async () => {
    const { agentsFromEnv } = await import('../../src/cli/shared.js');
    expect(await agentsFromEnv({})).toBeUndefined();
    const agents = await agentsFromEnv({ GL_RL_LLM_BASE_URL: 'http://127.0.0.1:9/v1', GL_RL_LLM_MODEL: 'm', GL_RL_MEMORY_FILE: '/nonexistent/memory.jsonl' });
    const list = agents!.query_generator as Array<{ name: string }>;
    expect(list.map((a) => a.name)).toEqual(['llm:m', 'embedded']);
    await expect(agentsFromEnv({ GL_RL_LLM_BASE_URL: 'http://127.0.0.1:9/v1' })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
