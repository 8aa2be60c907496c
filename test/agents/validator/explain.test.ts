import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainVia, validateSql, type ValidatorDeps } from '../../../src/agents/validator/index.js';
import { openSampleDatabase, type SampleDatabase } from '../../../src/db/database.js';
import { withValueDomains } from '../../../src/schema/catalog.js';
import { loadParser } from '../../../src/sql/parser.js';
import { glCatalog, goldSql } from './helpers.js';

let db: SampleDatabase;
let deps: ValidatorDeps;

beforeAll(async () => {
  await loadParser();
  const declared = glCatalog();
  db = await openSampleDatabase({ catalog: declared });
  // As the product runs it: value domains of the DDL, completed from the sample data.
  const catalog = withValueDomains(declared, await db.readValueDomains(declared));
  deps = { catalog, explain: explainVia(db) };
}, 120_000);

afterAll(async () => {
  await db?.close();
});

describe('validation with the planner of a real PostgreSQL (PGlite)', () => {
  it('accepts every gold SQL of the dev set, with a plan for each', async () => {
    const rejected: string[] = [];
    for (const sql of goldSql()) {
      const r = await validateSql(sql, deps);
      if (!r.is_valid || r.metadata.performance_basis !== 'explain' || !r.metadata.plan) {
        rejected.push(`${sql}\n  ${r.issues.filter((i) => i.severity === 'error').map((i) => i.message).join('; ')}`);
      }
    }
    expect(rejected).toEqual([]);
  }, 60_000);

  it.each([
    ['SELECT Project_Name, COUNT(*) FROM PAC_MNT_PROJECTS', 'GROUP BY'],
    ['SELECT Project_Name FROM PAC_MNT_PROJECTS WHERE Start_Date > 5', 'operator does not exist'],
    ["SELECT Project_Name FROM PAC_MNT_PROJECTS WHERE Budget > 'lots'", 'invalid input syntax'],
  ])('reports what only the planner sees: %s', async (sql, fragment) => {
    const r = await validateSql(sql, deps);
    expect(r.is_valid).toBe(false);
    expect(r.issues.map((i) => i.message).join('\n')).toContain(fragment);
  });

  it('does not send an unsafe statement to the database', async () => {
    const r = await validateSql('SELECT 1; DROP TABLE PAC_MNT_PROJECTS', deps);
    expect(r.is_valid).toBe(false);
    expect(r.metadata.performance_basis).toBe('ast');
    const still = await db.query('SELECT COUNT(*) FROM PAC_MNT_PROJECTS');
    expect(Number(still.rows[0][0])).toBeGreaterThan(0);
  });
});
