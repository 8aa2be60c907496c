import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEmbedded } from '../../../../src/agents/query-generator/embedded/generate.js';
import { buildLexicon, type Lexicon } from '../../../../src/agents/query-generator/embedded/lexicon.js';
import { executionMatch } from '../../../../src/db/match.js';
import { loadCatalogFile } from '../../../../src/schema/catalog.js';
import { loadVocabulary } from '../../../../src/schema/vocabulary.js';
import { DEFAULT_SCHEMA_FILE } from '../../../../src/paths.js';
import { loadParser } from '../../../../src/sql/parser.js';
import { checkReadOnly } from '../../../../src/sql/safety.js';
import { openDevDatabases, type DevDatabases } from '../dev-databases.js';

/**
 * One question per feature, written for these tests (not from the dev set),
 * with the SQL an analyst would write; the generator's SQL must return the
 * same rows (extra columns allowed) on two seeded databases.
 */
const CASES: Array<[feature: string, question: string, expected: string]> = [
  ['listing with a value filter', 'List the projects that are on hold', "SELECT * FROM PAC_MNT_PROJECTS WHERE Status = 'On Hold'"],
  ['negated value', 'Which projects are not completed?', "SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Status <> 'Completed'"],
  ['values joined by or', 'Show projects in Finance or HR departments', "SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Department IN ('Finance', 'HR')"],
  ['count', 'How many contracts are there?', 'SELECT COUNT(*) FROM PROJCNTRTS'],
  ['sum with filter', 'Total revenue of completed projects', "SELECT SUM(Revenue) FROM PAC_MNT_PROJECTS WHERE Status = 'Completed'"],
  ['average per group', 'Average contract value per contract type', 'SELECT Contract_Type, AVG(Contract_Value) FROM PROJCNTRTS GROUP BY Contract_Type'],
  ['min and max', 'What is the lowest billing rate of our resources?', 'SELECT MIN(Billing_Rate) FROM PAC_MNT_RESOURCES'],
  ['having on a count', 'Departments with more than 3 projects', 'SELECT Department, COUNT(*) FROM PAC_MNT_PROJECTS GROUP BY Department HAVING COUNT(*) > 3'],
  ['having on a sum', 'Contract types with total value above 2 million', 'SELECT Contract_Type, SUM(Contract_Value) FROM PROJCNTRTS GROUP BY Contract_Type HAVING SUM(Contract_Value) > 2000000'],
  ['top-N', 'Top 3 contracts by value', 'SELECT Contract_ID FROM PROJCNTRTS ORDER BY Contract_Value DESC LIMIT 3'],
  ['distinct', 'List the distinct industries of our companies', 'SELECT DISTINCT Industry FROM SRM_COMPANIES'],
  ['join along a foreign key', 'Show contracts with their companies', 'SELECT ct.Contract_ID, c.Company_Name FROM PROJCNTRTS ct JOIN SRM_COMPANIES c ON ct.Company_Code = c.Company_Code'],
  ['non-existence', 'Which projects have no contracts?', 'SELECT Project_Code FROM PAC_MNT_PROJECTS p WHERE NOT EXISTS (SELECT 1 FROM PROJCNTRTS c WHERE c.Project_Code = p.Project_Code)'],
  ['existence', 'Companies that have support tickets', 'SELECT Company_ID FROM SRM_COMPANIES c WHERE EXISTS (SELECT 1 FROM CLNTSUPP s WHERE s.Company_Code = c.Company_Code)'],
  ['numbers with k', 'Projects with a budget under 250k', 'SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Budget < 250000'],
  ['numbers in words', 'Contracts worth at least 1.5 million', 'SELECT Contract_ID FROM PROJCNTRTS WHERE Contract_Value >= 1500000'],
  ['between', 'Opportunities with a probability between 20 and 60 percent', 'SELECT Opportunity_ID FROM BIZ_OPP_GEN_PROPERTIES WHERE Probability BETWEEN 20 AND 60'],
  ['year', 'Contracts starting in 2023', 'SELECT Contract_ID FROM PROJCNTRTS WHERE EXTRACT(YEAR FROM Start_Date) = 2023'],
  ['month and year', 'Tickets reported in March 2024', "SELECT Support_ID FROM CLNTSUPP WHERE Reported_Date >= '2024-03-01' AND Reported_Date < '2024-04-01'"],
  ['before a year', 'Projects ending before 2025', "SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE End_Date < '2025-01-01'"],
  ['this year', 'Contracts ending this year', 'SELECT Contract_ID FROM PROJCNTRTS WHERE EXTRACT(YEAR FROM End_Date) = EXTRACT(YEAR FROM CURRENT_DATE)'],
  ['relative period', 'Revisions made in the last 6 months', "SELECT Revision_ID FROM PROJEVISION WHERE Revision_Date >= CURRENT_DATE - INTERVAL '6 months'"],
  ['text contains', "Companies with 'Tech' in the name", "SELECT Company_ID FROM SRM_COMPANIES WHERE Company_Name ILIKE '%Tech%'"],
  ['text prefix', 'Resources whose code starts with RES', "SELECT Resource_Code FROM PAC_MNT_RESOURCES WHERE Resource_Code ILIKE 'RES%'"],
  ['derived measure', 'Show the profit of each project', 'SELECT Project_Code, Revenue - Actual_Cost FROM PAC_MNT_PROJECTS'],
  ['business rule', 'Which projects are over budget?', 'SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Actual_Cost > Budget'],
  ['column comparison', 'Resources whose billing rate is higher than their cost rate', 'SELECT Resource_Code FROM PAC_MNT_RESOURCES WHERE Billing_Rate > Cost_Rate'],
  ['arithmetic on columns', 'Projects where revenue is more than twice the budget', 'SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Revenue > 2 * Budget'],
  ['null check', 'Show projects without an end date', 'SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE End_Date IS NULL'],
  ['which-has-the-most', 'Which company has the most contacts?', 'SELECT c.Company_ID FROM SRM_COMPANIES c ORDER BY (SELECT COUNT(*) FROM SRM_CONTACTS t WHERE t.Company_ID = c.Company_ID) DESC LIMIT 1'],
  ['percentage', 'What percentage of contracts are active?', "SELECT 100.0 * SUM(CASE WHEN Status = 'Active' THEN 1 ELSE 0 END) / COUNT(*) FROM PROJCNTRTS"],
  ['counts keeping zero rows', 'Number of contacts per company including companies with none', 'SELECT c.Company_ID, COUNT(t.Contact_ID) FROM SRM_COMPANIES c LEFT JOIN SRM_CONTACTS t ON t.Company_ID = c.Company_ID GROUP BY c.Company_ID'],
  ['self-reference hierarchy', 'List sub-projects with their parent project', 'SELECT p.Project_ID, parent.Project_Name FROM SRM_PROJECTS p JOIN SRM_PROJECTS parent ON p.Parent_ID = parent.Project_ID'],
  ['window rank', 'Rank resources by billing rate', 'SELECT Resource_Code, RANK() OVER (ORDER BY Billing_Rate DESC) FROM PAC_MNT_RESOURCES'],
  ['running total', 'Running total of contract value by start date', 'SELECT Contract_ID, SUM(Contract_Value) OVER (ORDER BY Start_Date) FROM PROJCNTRTS'],
  ['value domain from the DDL', 'Show equipment resources', "SELECT Resource_Code FROM PAC_MNT_RESOURCES WHERE Resource_Type = 'Equipment'"],
  ['misspelt words', 'Show all compnies in the Energy industry', "SELECT Company_ID FROM SRM_COMPANIES WHERE Industry = 'Energy'"],
  ['arithmetic between columns', 'Projects where budget minus actual cost is less than 10000', 'SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Budget - Actual_Cost < 10000'],
  ['ratio of two columns', 'Show the ratio of revenue to budget for each project', 'SELECT Project_Code, Revenue / NULLIF(Budget, 0) FROM PAC_MNT_PROJECTS'],
  ['difference per group', 'Difference between budget and actual cost per department', 'SELECT Department, SUM(Budget - Actual_Cost) FROM PAC_MNT_PROJECTS GROUP BY Department'],
  ['not yet started', 'List projects that have not started yet', 'SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Start_Date > CURRENT_DATE'],
  ['coordinated non-existence', 'Companies without any contracts or contacts', 'SELECT Company_ID FROM SRM_COMPANIES c WHERE NOT EXISTS (SELECT 1 FROM PROJCNTRTS p WHERE p.Company_Code = c.Company_Code) AND NOT EXISTS (SELECT 1 FROM SRM_CONTACTS t WHERE t.Company_ID = c.Company_ID)'],
  ['count through a linking table', 'Which resources are on more than 2 projects?', 'SELECT r.Resource_Code FROM PAC_MNT_RESOURCES r WHERE (SELECT COUNT(DISTINCT s.Project_Code) FROM PROJSTAFF s JOIN PAC_MNT_PROJECTS p ON p.Project_Code = s.Project_Code WHERE s.Resource_Code = r.Resource_Code) > 2'],
  ['condition on a total', 'Resources with utilization above 100 percent', 'SELECT Resource_Code FROM PROJSTAFF GROUP BY Resource_Code HAVING SUM(Allocation_Percent) > 100'],
  ['top-level rows of a hierarchy', 'Projects without a parent project', 'SELECT Project_ID FROM SRM_PROJECTS WHERE Parent_ID IS NULL'],
  ['combined list', 'Combine completed projects and inactive companies', "SELECT Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'Completed' UNION SELECT Company_Name FROM SRM_COMPANIES WHERE Status = 'Inactive'"],
];

let dbs: DevDatabases;
let lex: Lexicon;

beforeAll(async () => {
  await loadParser();
  const catalog = loadCatalogFile(DEFAULT_SCHEMA_FILE);
  dbs = await openDevDatabases(catalog, [4, 5]);
  lex = buildLexicon({ catalog, vocabulary: loadVocabulary(), values: dbs.values });
}, 60_000);

afterAll(async () => {
  await dbs?.close();
});

describe('embedded generator coverage', () => {
  it.each(CASES)('%s: %s', async (_feature, question, expected) => {
    const out = generateEmbedded(question, lex, undefined);
    expect(checkReadOnly(out.sql).ok).toBe(true);
    const match = await executionMatch(dbs.sources, expected, out.sql);
    expect(match.error).toBeUndefined();
    expect(match.same_results, `${out.sql}\n${match.per_database.map((d) => d.reason).join(' | ')}`).toBe(true);
  });

  it.each([
    'Show open high priority tickets for companies in the Energy industry', 'How many projects does each department have?',
    'List contracts that expire within 30 days', 'What is the average bill rate per role?', 'Show companies and their number of contracts',
    'Show the top 5 companies by total contract value', 'Top 3 resources by number of assignments', 'How many resources are underutilized?',
    'Show me a breakdown of resources by type', 'Which client class has the most tickets?', 'Count the number of distinct roles',
    'Show the average resolution time of tickets by priority', 'List projects with a margin above 20 percent', 'Total profit by department',
    'Average ROI of IT projects', 'Show projects whose end date has passed', 'Contracts that have not ended', 'Count of sub-projects per parent project',
    'Share of revenue from IT projects', 'Which department has the highest average budget?', 'Show each project\'s total staff allocation',
    'List suppliers with their payment terms', 'Find duplicate company names', 'Latest contract end date', 'Projects with budget not set',
  ])('runs on PostgreSQL: %s', async (question) => {
    const out = generateEmbedded(question, lex, undefined, { numCandidates: 3 });
    if ('refusal' in out) throw new Error('refused');
    expect(out.reasoning).not.toContain('could not be parsed');
    for (const sql of [out.sql, ...out.alternatives.map((a) => a.sql)]) await expect(dbs.sources[0].query(sql)).resolves.toBeDefined();
  });

  it('matches names and codes from the database in the question', () => {
    const company = dbs.values.SRM_COMPANIES.Company_Name[0];
    const out = generateEmbedded(`Show the contracts of ${company}`, lex, undefined);
    if ('refusal' in out) throw new Error('refused');
    expect(out.sql).toContain(`Company_Name = '${company.replace(/'/g, "''")}'`);
    const code = dbs.values.PAC_MNT_PROJECTS.Project_Code[0];
    const byCode = generateEmbedded(`Show project ${code}`, lex, undefined);
    if ('refusal' in byCode) throw new Error('refused');
    expect(byCode.sql).toContain(`Project_Code = '${code}'`);
    const unknown = `${code.replace(/\d+$/, '')}99999`;
    const notCorrected = generateEmbedded(`Show project ${unknown}`, lex, undefined);
    if ('refusal' in notCorrected) throw new Error('refused');
    expect(notCorrected.sql).toContain(`'${unknown}'`);
  });

  it('explains the parse in numbered steps and lowers confidence on guesses', () => {
    const clear = generateEmbedded('Count active contracts', lex, undefined);
    const vague = generateEmbedded('Show me the flurbles over 10', lex, undefined);
    if ('refusal' in clear || 'refusal' in vague) throw new Error('refused');
    expect(clear.reasoning).toMatch(/^<think>\n1\. .*\n2\. /s);
    expect(clear.reasoning).toContain('PROJCNTRTS');
    expect(clear.reasoning.endsWith('</think>')).toBe(true);
    expect(vague.confidence).toBeLessThan(clear.confidence);
  });

  it('returns distinct ranked candidates when asked for several', () => {
    const out = generateEmbedded('List companies with their contacts', lex, undefined, { numCandidates: 3 });
    if ('refusal' in out) throw new Error('refused');
    const all = [out.sql, ...out.alternatives.map((a) => a.sql)];
    expect(out.alternatives.length).toBeGreaterThan(0);
    expect(new Set(all).size).toBe(all.length);
    for (const a of out.alternatives) expect(a.confidence).toBeLessThanOrEqual(out.confidence);
  });

  it('on regeneration takes the next candidate, or the column the validator suggests', () => {
    const first = generateEmbedded('List companies with their contacts', lex, undefined, { numCandidates: 2 });
    const second = generateEmbedded('List companies with their contacts', lex, undefined, { numCandidates: 2, attempt: 1 });
    if ('refusal' in first || 'refusal' in second) throw new Error('refused');
    expect(second.sql).not.toBe(first.sql);
    const fixed = generateEmbedded('Total budget of IT projects', lex, undefined, {
      attempt: 1,
      feedback: [{ layer: 'schema', severity: 'error', message: 'column "Budget" is not allowed here', suggestion: 'Revenue' }],
    });
    if ('refusal' in fixed) throw new Error('refused');
    expect(fixed.sql).toContain('SUM(Revenue)');
  });
});
