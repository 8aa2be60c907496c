import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../src/errors.js';
import {
  checkBusinessRules,
  createValidator,
  defaultBusinessRules,
  toSpecValidation,
  validateSql,
  type ValidationResult,
  type ValidatorDeps,
} from '../../../src/agents/validator/index.js';
import { loadParser, parseSql } from '../../../src/sql/parser.js';
import type { Catalog } from '../../../src/schema/types.js';
import { CORPUS } from './corpus.js';
import { glCatalog, goldSql } from './helpers.js';

let catalog: Catalog;
let deps: ValidatorDeps;

beforeAll(async () => {
  await loadParser();
  catalog = glCatalog();
  deps = { catalog };
});

const errors = (r: ValidationResult) => r.issues.filter((i) => i.severity === 'error');
const text = (r: ValidationResult) => r.issues.map((i) => `${i.message} ${i.suggestion ?? ''}`).join('\n');

describe('gold SQL of the dev set', () => {
  it.each(goldSql().map((sql) => [sql]))('is valid: %s', async (sql) => {
    const r = await validateSql(sql, deps);
    expect(errors(r)).toEqual([]);
    expect(r.is_valid).toBe(true);
    expect(r.details.tables_used.length).toBeGreaterThan(0);
    for (const ref of r.details.columns_referenced) {
      const [table, column] = ref.split('.');
      expect(catalog.column(table, column)?.name).toBe(column);
      expect(catalog.table(table)?.name).toBe(table);
    }
  });
});

describe('name resolution accepts what PostgreSQL accepts', () => {
  it.each([
    'WITH big AS (SELECT Project_Code, Budget FROM PAC_MNT_PROJECTS WHERE Budget > 1000) SELECT b.Project_Code FROM big b ORDER BY b.Budget',
    'SELECT x.total FROM (SELECT SUM(Budget) AS total FROM PAC_MNT_PROJECTS) x',
    'SELECT Department, SUM(Budget) AS total FROM PAC_MNT_PROJECTS GROUP BY Department ORDER BY total DESC',
    'SELECT Department AS d, COUNT(*) FROM PAC_MNT_PROJECTS GROUP BY d',
    'SELECT Project_Name FROM PAC_MNT_PROJECTS p WHERE EXISTS (SELECT 1 FROM PROJSTAFF s WHERE s.Project_Code = p.Project_Code)',
    'SELECT Project_Name, (SELECT COUNT(*) FROM PROJSTAFF s WHERE s.Project_Code = p.Project_Code) AS staff FROM PAC_MNT_PROJECTS p',
    'SELECT Project_Code, Role FROM PAC_MNT_PROJECTS JOIN PROJSTAFF USING (Project_Code)',
    'SELECT child.Project_Name, parent.Project_Name FROM SRM_PROJECTS child JOIN SRM_PROJECTS parent ON child.Parent_ID = parent.Project_ID',
    'SELECT p.Project_Name, s.n FROM PAC_MNT_PROJECTS p CROSS JOIN LATERAL (SELECT COUNT(*) AS n FROM PROJSTAFF WHERE Project_Code = p.Project_Code) s',
    'SELECT Project_Name AS name FROM PAC_MNT_PROJECTS UNION SELECT Project_Name FROM SRM_PROJECTS ORDER BY name',
    'SELECT Project_Name, RANK() OVER (PARTITION BY Department ORDER BY Budget DESC) AS r FROM PAC_MNT_PROJECTS',
    'SELECT g FROM generate_series(1, 3) AS g',
    'SELECT v.a FROM (VALUES (1), (2)) AS v(a)',
    'WITH RECURSIVE tree AS (SELECT Project_ID, Parent_ID FROM SRM_PROJECTS WHERE Parent_ID IS NULL UNION ALL SELECT s.Project_ID, s.Parent_ID FROM SRM_PROJECTS s JOIN tree t ON s.Parent_ID = t.Project_ID) SELECT COUNT(*) FROM tree',
    'SELECT pac_mnt_projects.status FROM pac_mnt_projects',
    "SELECT * FROM PAC_MNT_PROJECTS WHERE Status ILIKE 'active'",
    "SELECT * FROM PAC_MNT_PROJECTS WHERE Status LIKE 'Act%'",
    "SELECT * FROM PAC_MNT_PROJECTS WHERE lower(Status) = 'on hold'",
    'SELECT * FROM PAC_MNT_PROJECTS WHERE Budget BETWEEN 1000 AND 5000 AND Budget <> 2000',
  ])('%s', async (sql) => {
    const r = await validateSql(sql, deps);
    expect(errors(r), text(r)).toEqual([]);
  });
});

describe('performance findings stay quiet on intended shapes', () => {
  it.each([
    'SELECT Department, SUM(Budget) * 100.0 / t.total FROM PAC_MNT_PROJECTS, (SELECT SUM(Budget) AS total FROM PAC_MNT_PROJECTS) t GROUP BY Department, t.total',
    'WITH totals AS (SELECT SUM(Budget) AS total FROM PAC_MNT_PROJECTS) SELECT p.Project_Name, p.Budget / t.total FROM PAC_MNT_PROJECTS p CROSS JOIN totals t',
    'SELECT p.Project_Name, g.n FROM PAC_MNT_PROJECTS p CROSS JOIN generate_series(1, 2) AS g(n)',
  ])('pairing with one row or a function is no cartesian product: %s', async (sql) => {
    const r = await validateSql(sql, deps, { strict: true });
    expect(r.issues.filter((i) => i.severity !== 'info'), text(r)).toEqual([]);
  });
});

describe('suggestions', () => {
  it('names tables by their words: projects → PAC_MNT_PROJECTS', async () => {
    const r = await validateSql('SELECT Project_Name FROM projects', deps);
    expect(r.issues[0]).toMatchObject({ layer: 'schema', severity: 'error', position: 25 });
    expect(r.issues[0].suggestion).toContain('PAC_MNT_PROJECTS');
  });

  it('offers the nearest column, qualified the way the query names its table', async () => {
    const r = await validateSql('SELECT p.Project_Nmae FROM PAC_MNT_PROJECTS p', deps);
    expect(r.issues[0].suggestion).toBe('did you mean p.Project_Name?');
  });

  it('names the valid values of a categorical column', async () => {
    const r = await validateSql("SELECT * FROM PAC_MNT_PROJECTS WHERE Status = 'Running'", deps);
    expect(r.details.business_violations[0]).toContain('Active, Completed, On Hold, Cancelled');
    expect(r.details.business_logic_valid).toBe(false);
  });

  it('fixes the case of a value', async () => {
    const r = await validateSql("SELECT * FROM CLNTSUPP WHERE Status = 'in progress'", deps);
    expect(r.issues[0].suggestion).toBe("write 'In Progress'");
  });

  it('suggests the nearest value of a misspelled one', async () => {
    const r = await validateSql("SELECT * FROM PROJCNTRTS WHERE Status = 'Sigend'", deps);
    expect(r.issues[0].suggestion).toBe("did you mean 'Signed'?");
  });

  const dialect = CORPUS.filter((c) => c.layer === 'syntax');
  it('rewrites foreign-dialect SQL into PostgreSQL that parses and names no foreign function', async () => {
    let rewritten = 0;
    for (const c of dialect) {
      const r = await validateSql(c.sql, deps);
      if (!r.issues.some((i) => i.message.includes('is not PostgreSQL'))) continue;
      const rewrite = r.suggestions.find((s) => s.startsWith('PostgreSQL rewrite: '));
      expect(rewrite, `${c.sql}\n${text(r)}`).toBeDefined();
      const pg = rewrite!.slice('PostgreSQL rewrite: '.length);
      expect(parseSql(pg).ok).toBe(true);
      const again = await validateSql(pg, deps);
      expect(again.issues.filter((i) => i.layer === 'syntax'), text(again)).toEqual([]);
      rewritten++;
    }
    expect(rewritten).toBeGreaterThanOrEqual(15);
  });

  it('gives a parse error its position, line, column and caret excerpt', async () => {
    const r = await validateSql('SELECT Project_Name\nFROM PAC_MNT_PROJECTS\nWHERE Budget >', deps);
    expect(r.details.syntax_valid).toBe(false);
    expect(r.issues[0].position).toBe(r.validated_sql.length - 1);
    expect(r.details.syntax_errors[0]).toContain('line 3');
    expect(r.details.syntax_errors[0]).toMatch(/WHERE Budget >\n {13}\^/);
  });
});

describe('the result', () => {
  it('fills every detail and the metadata', async () => {
    const r = await validateSql("SELECT p.Project_Name, s.Role FROM PAC_MNT_PROJECTS p JOIN PROJSTAFF s ON p.Project_Code = s.Project_Code WHERE p.Status = 'Active'", deps);
    expect(r).toMatchObject({
      is_valid: true,
      details: {
        syntax_valid: true, syntax_errors: [], syntax_warnings: [],
        schema_compliant: true, schema_errors: [],
        tables_used: ['PAC_MNT_PROJECTS', 'PROJSTAFF'],
        business_logic_valid: true, business_violations: [], business_warnings: [],
        performance_acceptable: true, performance_issues: [],
        security_passed: true, security_risks: [], injection_detected: false,
      },
      metadata: { layers_executed: ['syntax', 'schema', 'business_logic', 'performance', 'security'], performance_basis: 'ast' },
    });
    expect(r.details.columns_referenced).toEqual(expect.arrayContaining(['PAC_MNT_PROJECTS.Project_Name', 'PROJSTAFF.Role', 'PAC_MNT_PROJECTS.Status']));
    expect(r.details.complexity_score).toBeGreaterThan(0);
    expect(r.metadata.validation_time).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeGreaterThan(0.8);
  });

  it('runs only syntax and security on a text that does not parse', async () => {
    const r = await validateSql('SELECT FROM WHERE', deps);
    expect(r.metadata.layers_executed).toEqual(['syntax', 'security']);
    expect(r.is_valid).toBe(false);
    expect(r.confidence).toBeLessThanOrEqual(0.4);
  });

  it('fails warnings in strict mode only', async () => {
    const sql = 'SELECT p.Project_Name FROM PAC_MNT_PROJECTS p, PAC_MNT_RESOURCES r';
    expect((await validateSql(sql, deps)).is_valid).toBe(true);
    const strict = await validateSql(sql, deps, { strict: true });
    expect(strict.is_valid).toBe(false);
    expect(strict.details.performance_acceptable).toBe(false);
  });

  it('derives the specification validation block', async () => {
    const r = await validateSql("SELECT * FROM PAC_MNT_PROJECTS WHERE Status = 'Running'", deps);
    expect(toSpecValidation(r)).toEqual({
      is_valid: false,
      details: {
        syntax_valid: true, schema_compliant: true, business_logic_valid: false, performance_acceptable: true,
        issues: r.issues, suggestions: r.suggestions,
      },
    });
  });

  it('applies configured sensitive columns and restricted tables', async () => {
    const secured = { catalog, security: { sensitiveColumns: ['SRM_CONTACTS.Email'], restrictedTables: ['BIZ_COM_SUP_PROPERTIES'] } };
    expect(text(await validateSql('SELECT Email FROM SRM_CONTACTS', secured))).toContain('sensitive column SRM_CONTACTS.Email');
    expect(text(await validateSql('SELECT * FROM SRM_CONTACTS', secured))).toContain('sensitive column');
    expect(text(await validateSql('SELECT Rating FROM BIZ_COM_SUP_PROPERTIES', secured))).toContain('restricted table');
    expect((await validateSql('SELECT Contact_Name FROM SRM_CONTACTS', secured)).is_valid).toBe(true);
  });

  it('reports positions in characters, not bytes', async () => {
    const sql = "SELECT 'déjà vu' AS x, Budjet FROM PAC_MNT_PROJECTS";
    const r = await validateSql(sql, deps);
    expect(r.issues[0].position).toBe(sql.indexOf('Budjet'));
  });
});

describe('the planner', () => {
  const plan = (rows: number, cost: number) => [{ Plan: { 'Node Type': 'Seq Scan', 'Total Cost': cost, 'Plan Rows': rows } }];

  it('is never shown SQL that the security layer rejects', async () => {
    const explain = vi.fn(async () => plan(1, 1));
    const planned = { catalog, explain };
    for (const c of CORPUS.filter((x) => x.layer === 'security')) {
      await validateSql(c.sql, planned);
    }
    await validateSql('SELEC 1', planned);
    expect(explain).not.toHaveBeenCalled();
    await validateSql('SELECT Project_Name FROM PAC_MNT_PROJECTS', planned);
    expect(explain).toHaveBeenCalledTimes(1);
  });

  it('gives its cost and row estimate', async () => {
    const r = await validateSql('SELECT Project_Name FROM PAC_MNT_PROJECTS', { catalog, explain: async () => plan(12, 34.5) });
    expect(r.metadata).toMatchObject({ performance_basis: 'explain', plan: { total_cost: 34.5, estimated_rows: 12 } });
    expect(r.issues.some((i) => i.message.includes('no database'))).toBe(false);
  });

  it('warns about a large result with no WHERE and no LIMIT, and fails an extreme plan', async () => {
    const big = await validateSql('SELECT Project_Name FROM PAC_MNT_PROJECTS', { catalog, explain: async () => plan(50_000, 900) });
    expect(big.is_valid).toBe(true);
    expect(big.details.performance_issues[0]).toContain('no WHERE and no LIMIT');
    const limited = await validateSql('SELECT Project_Name FROM PAC_MNT_PROJECTS LIMIT 10', { catalog, explain: async () => plan(50_000, 900) });
    expect(limited.details.performance_issues).toEqual([]);
    const extreme = await validateSql('SELECT Project_Name FROM PAC_MNT_PROJECTS', { catalog, explain: async () => plan(1e12, 1e12) });
    expect(extreme.is_valid).toBe(false);
    expect(extreme.details.performance_acceptable).toBe(false);
  });

  it('turns the planner rejecting a query into an issue of the layer concerned', async () => {
    const err = Object.assign(new Error('column "project_name" must appear in the GROUP BY clause'), { code: '42803' });
    const r = await validateSql('SELECT Project_Name, COUNT(*) FROM PAC_MNT_PROJECTS', { catalog, explain: async () => { throw err; } });
    expect(r.is_valid).toBe(false);
    expect(r.issues).toContainEqual(expect.objectContaining({ layer: 'syntax', severity: 'error', message: expect.stringContaining('GROUP BY') }));
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const explain = (_sql: string, signal?: AbortSignal) =>
      new Promise<unknown>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    const pending = validateSql('SELECT Project_Name FROM PAC_MNT_PROJECTS', { catalog, explain }, { signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
  });
});

describe('createValidator', () => {
  const session = { session_id: 's', turn: 1 };
  const content = (sql: unknown, strict_mode: unknown = false) => ({ query: 'q', context: {}, mode: 'generate' as const, sql, strict_mode }) as never;

  it('validates the input sql with the strict flag', async () => {
    const agent = createValidator(deps);
    const r = (await agent(content('SELECT * FROM PAC_MNT_PROJECTS p, PROJSTAFF s', true), { signal: new AbortController().signal, session })) as ValidationResult;
    expect(r.is_valid).toBe(false);
  });

  it('rejects input without sql as INVALID_INPUT naming the field', async () => {
    const agent = createValidator(deps);
    const call = agent(content(42), { signal: new AbortController().signal, session });
    await expect(call).rejects.toBeInstanceOf(AppError);
    await expect(call).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'sql' } });
  });

  it('does not start work under an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(createValidator(deps)(content('SELECT 1'), { signal: controller.signal, session })).rejects.toThrow('gone');
  });
});

describe('business rules as data', () => {
  it('ships rules that pass their own check', () => {
    expect(checkBusinessRules(structuredClone(defaultBusinessRules()))).toBeTruthy();
  });

  it('names the wrong key of a malformed rules object', () => {
    const broken = { ...structuredClone(defaultBusinessRules()), performance: { large_result_rows: 'many' } };
    expect(() => checkBusinessRules(broken)).toThrow(/performance\.large_result_rows/);
  });

  it('applies to columns by their words: a money column of a new table is checked too', async () => {
    const { buildCatalog } = await import('../../../src/schema/catalog.js');
    const other = buildCatalog('CREATE TABLE invoices (id int PRIMARY KEY, total_amount decimal(10,2), discount_pct numeric);');
    expect(text(await validateSql('SELECT id FROM invoices WHERE total_amount < -1', { catalog: other }))).toContain('never negative');
    expect(text(await validateSql('SELECT id FROM invoices WHERE discount_pct > 150', { catalog: other }))).toContain('0–100');
  });
});

describe('likeMatches', () => {
  it('matches SQL LIKE patterns, escapes and case folding', async () => {
    const { likeMatches } = await import('../../../src/agents/validator/business.js');
    expect(likeMatches('On%', 'On Hold', false)).toBe(true);
    expect(likeMatches('%hold', 'On Hold', false)).toBe(false);
    expect(likeMatches('%hold', 'On Hold', true)).toBe(true);
    expect(likeMatches('A_tive', 'Active', false)).toBe(true);
    expect(likeMatches('100\\%', '100%', false)).toBe(true);
    expect(likeMatches('100\\%', '1000', false)).toBe(false);
    expect(likeMatches('%a%a%a%a%a%a%a%a%a%a%a%a%b', 'a'.repeat(40), false)).toBe(false);
  });
});

describe('value domains read from the sample data', () => {
  it('are warnings, not errors: the sample may miss real values', async () => {
    const { withValueDomains } = await import('../../../src/schema/catalog.js');
    const sampled = withValueDomains(glCatalog(), { PAC_MNT_PROJECTS: { Department: ['Finance', 'IT'] } });
    const r = await validateSql("SELECT * FROM PAC_MNT_PROJECTS WHERE Department = 'Marketing'", { catalog: sampled });
    expect(r.is_valid).toBe(true);
    expect(r.details.business_warnings[0]).toContain('sample data');
    const declared = await validateSql("SELECT * FROM PAC_MNT_PROJECTS WHERE Status = 'Marketing'", { catalog: sampled });
    expect(declared.is_valid).toBe(false);
  });
});

describe('comments and look-alikes', () => {
  it('notes a harmless comment without calling it an injection', async () => {
    const r = await validateSql("SELECT Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'Active' -- active projects only", deps);
    expect(r.is_valid).toBe(true);
    expect(r.details.injection_detected).toBe(false);
    expect(r.issues).toContainEqual(expect.objectContaining({ layer: 'security', severity: 'info' }));
  });

  it('reads -- and /* inside a string literal as text', async () => {
    const r = await validateSql("SELECT Project_Name FROM PAC_MNT_PROJECTS WHERE Project_Name LIKE '%--%' OR Project_Name LIKE '%/*%'", deps);
    expect(r.issues.filter((i) => i.layer === 'security')).toEqual([]);
  });

  it('names tables in the DDL case whatever the query wrote', async () => {
    const r = await validateSql('select p.status from pac_mnt_projects p', deps);
    expect(r.details.tables_used).toEqual(['PAC_MNT_PROJECTS']);
    expect(r.details.columns_referenced).toEqual(['PAC_MNT_PROJECTS.Status']);
  });
});
