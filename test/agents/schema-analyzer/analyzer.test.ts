import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSchema, createSchemaAnalyzer, extractEntities, type AnalyzerDeps, type SchemaAnalysis, type SchemaAnalyzerInput } from '../../../src/agents/schema-analyzer/index.js';
import { isRefusal } from '../../../src/agents/types.js';
import { DEFAULT_SCHEMA_FILE } from '../../../src/paths.js';
import { buildCatalog, loadCatalogFile } from '../../../src/schema/catalog.js';
import { emptyVocabulary, loadVocabulary, parseVocabulary } from '../../../src/schema/vocabulary.js';
import { loadParser } from '../../../src/sql/parser.js';

let deps: AnalyzerDeps;

beforeAll(async () => {
  await loadParser();
  deps = { catalog: loadCatalogFile(DEFAULT_SCHEMA_FILE), vocabulary: loadVocabulary() };
});

const input = (query: string, extra: Partial<SchemaAnalyzerInput> = {}): SchemaAnalyzerInput => ({ query, context: {}, mode: 'generate', depth: 3, ...extra });
const analyze = (query: string, extra: Partial<SchemaAnalyzerInput> = {}) => analyzeSchema(input(query, extra), deps);
const top = (r: SchemaAnalysis, n = 4) => r.relevant_tables.slice(0, n).map((t) => t.table_name);
const table = (r: SchemaAnalysis, name: string) => r.relevant_tables.find((t) => t.table_name === name);

describe('tables from business words', () => {
  it.each([
    ['Which vendors have the largest credit limit?', 'BIZ_COM_SUP_PROPERTIES'],
    ['How many open tickets does each client have', 'CLNTSUPP'],
    ['pipeline value by stage', 'BIZ_OPP_GEN_PROPERTIES'],
    ['Who approved the scope changes last month?', 'PROJEVISION'],
    ['archive runs with their cutoff', 'PAC_PURGE_FINANCIAL_LIST'],
    ['list every client segment', 'CLNTCLASS'],
    ['feedback received per project', 'CLNTRESPONS'],
    ['consultants with a billing rate above 150', 'PAC_MNT_RESOURCES'],
    ['team members on each engagement', 'PROJSTAFF'],
    ['primary contact email of each customer', 'SRM_CONTACTS'],
  ])('%s → %s', (query, expected) => {
    expect(top(analyze(query), 2)).toContain(expected);
  });

  it('understands misspellings by edit distance', () => {
    const r = analyze('List all projet budgets for compnies');
    expect(top(r, 3)).toEqual(expect.arrayContaining(['PAC_MNT_PROJECTS', 'SRM_COMPANIES']));
    expect(r.entity_mappings.mapped_entities).toContainEqual(expect.objectContaining({ term: 'projet', kind: 'table', target: 'PAC_MNT_PROJECTS' }));
    expect(table(r, 'SRM_COMPANIES')?.reason).toContain('misspelt');
    expect(top(analyze('show cotnracts'), 1)).toEqual(['PROJCNTRTS']);
  });

  it('uses SRM_PROJECTS for hierarchies, with the self join', () => {
    const r = analyze('show each sub-project with its parent project');
    expect(top(r, 1)).toEqual(['SRM_PROJECTS']);
    expect(r.join_paths).toContainEqual(expect.objectContaining({
      from_table: 'SRM_PROJECTS', to_table: 'SRM_PROJECTS', join_columns: ['SRM_PROJECTS.Parent_ID = SRM_PROJECTS.Project_ID'],
    }));
  });

  it('matches tables and columns by their schema names too', () => {
    const r = analyze('rows of PAC_PURGE_FINANCIAL_LIST by Record_Type');
    expect(top(r, 1)).toEqual(['PAC_PURGE_FINANCIAL_LIST']);
    expect(table(r, 'PAC_PURGE_FINANCIAL_LIST')?.columns).toContain('Record_Type');
  });
});

describe('filters and measures', () => {
  it('turns value-domain words into filters on the right column', () => {
    const r = analyze('projects on hold');
    expect(table(r, 'PAC_MNT_PROJECTS')?.filters).toContainEqual(expect.objectContaining({ column: 'Status', operator: '=', value: 'On Hold' }));
    const t = analyze('time and materials contracts');
    expect(table(t, 'PROJCNTRTS')?.filters).toContainEqual(expect.objectContaining({ column: 'Contract_Type', value: 'Time and Materials' }));
    const e = analyze('equipment resources');
    expect(table(e, 'PAC_MNT_RESOURCES')?.filters).toContainEqual(expect.objectContaining({ column: 'Resource_Type', value: 'Equipment' }));
  });

  it('places a shared filter word on the table it modifies', () => {
    const r = analyze('active companies and their projects');
    expect(table(r, 'SRM_COMPANIES')?.filters).toContainEqual(expect.objectContaining({ column: 'Status', value: 'Active' }));
    expect(table(r, 'PAC_MNT_PROJECTS')?.filters ?? []).toEqual([]);
  });

  it('applies vocabulary filters that compare columns or look at other tables', () => {
    const over = analyze('which projects are over budget?');
    expect(table(over, 'PAC_MNT_PROJECTS')?.filters).toContainEqual(expect.objectContaining({ column: 'Actual_Cost', operator: '>', value: { column: 'Budget' } }));
    const idle = analyze('resources that are unassigned');
    expect(top(idle, 2)).toEqual(['PAC_MNT_RESOURCES', 'PROJSTAFF']);
    expect(table(idle, 'PAC_MNT_RESOURCES')?.filters[0]).toMatchObject({ operator: 'NOT EXISTS', value: { table: 'PROJSTAFF', column: 'Resource_Code' } });
  });

  it('reads numeric comparisons and periods onto the column named before them', () => {
    const r = analyze('projects with a budget of more than 1.5 million starting this year');
    const filters = table(r, 'PAC_MNT_PROJECTS')?.filters ?? [];
    expect(filters).toContainEqual(expect.objectContaining({ column: 'Budget', operator: '>', value: 1_500_000 }));
    expect(filters).toContainEqual(expect.objectContaining({ column: 'Start_Date', operator: '>=', value: { sql: "date_trunc('year', CURRENT_DATE)" } }));
  });

  it('reads a capitalized name before a text column as its value', () => {
    expect(table(analyze('HR department projects'), 'PAC_MNT_PROJECTS')?.filters).toContainEqual(expect.objectContaining({ column: 'Department', value: 'HR' }));
    expect(table(analyze('clients in the Retail industry'), 'SRM_COMPANIES')?.filters).toContainEqual(expect.objectContaining({ column: 'Industry', value: 'Retail' }));
    expect(table(analyze('Show department totals'), 'PAC_MNT_PROJECTS')?.filters).toEqual([]);
  });

  it('attaches derived measures with the columns they read', () => {
    const r = analyze('profit margin by department');
    const projects = table(r, 'PAC_MNT_PROJECTS')!;
    expect(projects.measures).toContainEqual(expect.objectContaining({ sql: '(Revenue - Actual_Cost) / NULLIF(Revenue, 0) * 100' }));
    expect(projects.columns).toEqual(expect.arrayContaining(['Revenue', 'Actual_Cost', 'Department']));
    const w = analyze('weighted value of the deals');
    expect(table(w, 'BIZ_OPP_GEN_PROPERTIES')?.measures?.[0].sql).toBe('Estimated_Value * Probability / 100');
  });
});

describe('join paths', () => {
  it('finds the two-hop path from projects to companies through contracts', () => {
    const r = analyze('projects with their client companies');
    expect(top(r, 3)).toEqual(expect.arrayContaining(['PAC_MNT_PROJECTS', 'SRM_COMPANIES', 'PROJCNTRTS']));
    const path = r.join_paths.find((p) => [p.from_table, p.to_table].sort().join() === 'PAC_MNT_PROJECTS,SRM_COMPANIES');
    expect(path?.join_columns).toHaveLength(2);
    expect(path?.join_columns.join(' ')).toContain('PROJCNTRTS.');
    expect(path?.join_type).toBe('INNER');
    expect(table(r, 'PROJCNTRTS')?.reason).toContain('joins');
  });

  it('uses LEFT joins when rows without a match are wanted', () => {
    const r = analyze('companies without any contracts');
    expect(r.join_paths[0]).toMatchObject({ join_type: 'LEFT' });
    expect(analyze('projects including zero staff').join_paths.every((p) => p.join_type === 'LEFT')).toBe(true);
    expect(analyze('staff on projects that are not completed').join_paths[0]).toMatchObject({ join_type: 'INNER' });
    expect(analyze('projects with no more than 5 staff assignments').join_paths[0]).toMatchObject({ join_type: 'INNER' });
  });

  it('respects the depth bound', () => {
    const r = analyze('projects with their client companies', { depth: 1 });
    expect(r.join_paths.some((p) => p.join_columns.length > 1)).toBe(false);
    expect(r.warnings.join(' ')).toMatch(/No join path of at most 1 hops/);
  });

  it('orders paths shortest first', () => {
    const r = analyze('resources staffed on projects of each company');
    const lengths = r.join_paths.map((p) => p.join_columns.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    expect(r.join_paths.length).toBeGreaterThanOrEqual(2);
  });
});

describe('schema context, warnings and suggestions', () => {
  it('describes only the relevant tables with types, keys, relationships and value domains', () => {
    const r = analyze('active projects with their contracts');
    expect(r.schema_context).toContain('TABLE PAC_MNT_PROJECTS');
    expect(r.schema_context).toContain('Project_Code varchar(50) PRIMARY KEY');
    expect(r.schema_context).toContain('Status varchar(50) DEFAULT \'Active\' -- values: Active | Completed | On Hold | Cancelled');
    expect(r.schema_context).toContain('FOREIGN KEY (Project_Code) REFERENCES PAC_MNT_PROJECTS (Project_Code)');
    expect(r.schema_context).toContain('PAC_MNT_PROJECTS.Project_Code = PROJCNTRTS.Project_Code');
    expect(r.schema_context).not.toContain('TABLE CLNTSUPP');
    expect(r.schema_context).not.toContain('TABLE PAC_PURGE_FINANCIAL_LIST');
  });

  it('suggests tables for an unknown hint and uses known hints', () => {
    const r = analyze('show everything', { hint_tables: ['SRM_PROJETS', 'projcntrts'] });
    expect(r.suggestions[0]).toMatch(/"SRM_PROJETS" is not a table: did you mean SRM_PROJECTS/);
    expect(r.warnings).toContain('Unknown hint table "SRM_PROJETS"');
    expect(top(r, 1)).toEqual(['PROJCNTRTS']);
  });

  it('warns when nothing matches', () => {
    const r = analyze('what is the meaning of life');
    expect(r.relevant_tables).toEqual([]);
    expect(r.warnings).toContain('No table matched the question');
    expect(r.schema_context).toBe('');
  });

  it('falls back on the previous turn for a follow-up without tables', () => {
    const r = analyze('only the ones in 2024', { context: { historical_queries: [{ query: 'show the contracts of each company' }] } });
    expect(top(r, 2)).toContain('PROJCNTRTS');
  });
});

describe('entity extraction', () => {
  it('extracts literals: quoted text, codes, amounts, percentages, years, months, periods', () => {
    const { mapped_entities, query_terms } = extractEntities(
      "projects named 'Apollo' like PRJ005 over 100k, 1.5 million or 20% since 2023, from March 2024, on 2024-05-31, in Q4 2023 or in the last 90 days",
      deps,
    );
    const literal = (term: string) => mapped_entities.find((m) => m.kind === 'literal' && m.term === term);
    expect(literal('Apollo')).toMatchObject({ target: 'text:Apollo' });
    expect(literal('PRJ005')).toMatchObject({ target: 'code:PRJ005' });
    expect(literal('100k')).toMatchObject({ value: 100_000 });
    expect(literal('1.5 million')).toMatchObject({ value: 1_500_000 });
    expect(literal('20%')).toMatchObject({ value: 20, target: 'percent:20' });
    expect(literal('2023')?.value).toEqual({ from: "DATE '2023-01-01'", to: "DATE '2024-01-01'" });
    expect(literal('March 2024')?.value).toEqual({ from: "DATE '2024-03-01'", to: "DATE '2024-04-01'" });
    expect(literal('2024-05-31')).toMatchObject({ target: "date:DATE '2024-05-31'..DATE '2024-05-31' + 1" });
    expect(literal('Q4 2023')?.value).toEqual({ from: "DATE '2023-10-01'", to: "DATE '2024-01-01'" });
    expect(literal('last 90 days')?.value).toEqual({ from: "CURRENT_DATE - INTERVAL '90 days'", to: 'CURRENT_DATE + 1' });
    expect(query_terms).toEqual(expect.arrayContaining(['projects', 'Apollo', 'PRJ005']));
  });

  it('maps domain values, filters and measures', () => {
    const { mapped_entities } = extractEntities('critical tickets and the ROI of completed projects', deps);
    expect(mapped_entities).toContainEqual(expect.objectContaining({ term: 'critical', kind: 'value', target: 'CLNTSUPP.Priority', value: 'Critical' }));
    expect(mapped_entities).toContainEqual(expect.objectContaining({ term: 'ROI', kind: 'measure' }));
    expect(mapped_entities).toContainEqual(expect.objectContaining({ term: 'completed', kind: 'filter', target: 'PAC_MNT_PROJECTS.Status =' }));
  });
});

describe('any schema, any input', () => {
  it('works from schema names alone with an empty vocabulary', () => {
    const catalog = buildCatalog(`
      CREATE TABLE customers (customer_id int PRIMARY KEY, full_name text, segment text -- retail | wholesale
      );
      CREATE TABLE orders (order_id int PRIMARY KEY, customer_id int REFERENCES customers, total_amount numeric(12,2), placed_at date);
      CREATE TABLE order_lines (line_id int PRIMARY KEY, order_id int REFERENCES orders, product_id int REFERENCES products, qty int);
      CREATE TABLE products (product_id int PRIMARY KEY, title text, price numeric);
    `);
    const vocabulary = parseVocabulary({ version: 1, schema: 'shop', tables: {}, terms: {}, columns: {}, filters: {}, measures: {} });
    const r = analyzeSchema(input('products bought by wholesale customers'), { catalog, vocabulary });
    expect(top(r, 4)).toEqual(expect.arrayContaining(['products', 'customers', 'orders', 'order_lines']));
    expect(table(r, 'customers')?.filters).toContainEqual(expect.objectContaining({ column: 'segment', value: 'wholesale' }));
    expect(table(r, 'products')?.columns).toEqual(['product_id', 'title']);
    expect(r.join_paths[0].join_columns).toHaveLength(3);
  });

  describe('words the names do not use', () => {
    let deps: AnalyzerDeps;
    beforeAll(() => {
      deps = { catalog: buildCatalog(DDL), vocabulary: emptyVocabulary() };
    });
    const DDL = `
      CREATE TABLE shop (shop_id int PRIMARY KEY, shop_name text, district text);
      CREATE TABLE maker (maker_id int PRIMARY KEY, maker_name text);
      CREATE TABLE athlete (athlete_id int PRIMARY KEY, Fname text, LName text, sex text, age int, weight numeric,
        pay numeric, -- yearly salary in euros
        status text -- active | retired
      );
    `;
    const mapping = (query: string, term: string) => extractEntities(query, deps).mapped_entities.filter((m) => m.term === term).map((m) => m.target);

    it('link through WordNet synonyms and the attribute an adjective measures', () => {
      expect(top(analyzeSchema(input('which stores are in the north district'), deps), 1)).toEqual(['shop']);
      expect(top(analyzeSchema(input('list all manufacturers'), deps), 1)).toEqual(['maker']);
      expect(mapping('athletes older than 30', 'older')).toEqual(['athlete.age']);
      expect(mapping('athletes heavier than 80', 'heavier')).toEqual(['athlete.weight']);
      expect(mapping('the gender of each athlete', 'gender')).toEqual(['athlete.sex']);
      const r = analyzeSchema(input('athletes older than 30'), deps);
      expect(table(r, 'athlete')?.reason).toMatch(/"older" → column age, through WordNet: "age"/);
    });

    it('link a phrase to a name that shortens its first word to an initial', () => {
      expect(mapping('the first name of every athlete', 'first name')).toEqual(['athlete.Fname']);
      expect(mapping('the last name of every athlete', 'last name')).toEqual(['athlete.LName']);
    });

    it("link a column's comment words, but not a comment that lists values", () => {
      expect(mapping('athletes by salary', 'salary')).toEqual(['athlete.pay']);
      expect(table(analyzeSchema(input('average salary of athletes'), deps), 'athlete')?.columns).toContain('pay');
    });

    it('leave commands and unrelated words unlinked', () => {
      expect(mapping('calculate the meaning of life', 'calculate')).toEqual([]);
      expect(analyzeSchema(input('what is the meaning of life'), deps).relevant_tables).toEqual([]);
    });
  });

  it('never throws, scores stay in [0, 1] and are sorted', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 80 }), fc.array(fc.constantFrom('project', 'compnay', 'over', '100k', 'without', 'active', "'x", '2024', 'last', 'month', '"', 'budget', 'staff', 'on', 'hold', '%', 'sub-project'), { maxLength: 12 }).map((w) => w.join(' '))),
        fc.option(fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), { nil: undefined }),
        fc.integer({ min: -1, max: 6 }),
        (query, hints, depth) => {
          const r = analyzeSchema(input(query, { hint_tables: hints, depth }), deps);
          const scores = r.relevant_tables.map((t) => t.relevance_score);
          for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
          for (const p of r.join_paths) expect(p.path_score >= 0 && p.path_score <= 1).toBe(true);
          expect(typeof r.schema_context).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the agent', () => {
  const ctx = (signal = new AbortController().signal) => ({ signal, session: { session_id: 's', turn: 1 } });

  it('answers through the AgentFunction shape', async () => {
    const agent = createSchemaAnalyzer(deps);
    const out = await agent(input('count active contracts'), ctx());
    expect(isRefusal(out)).toBe(false);
    expect((out as SchemaAnalysis).relevant_tables[0].table_name).toBe('PROJCNTRTS');
  });

  it('stops when the signal is aborted', async () => {
    const agent = createSchemaAnalyzer(deps);
    const controller = new AbortController();
    controller.abort(new Error('timed out'));
    await expect(agent(input('count active contracts'), ctx(controller.signal))).rejects.toThrow('timed out');
  });

  it('rejects a missing query with INVALID_INPUT', async () => {
    const agent = createSchemaAnalyzer(deps);
    await expect(agent({ context: {}, mode: 'generate', depth: 3 } as unknown as SchemaAnalyzerInput, ctx())).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
