import type { RewardDatabase } from '../../../src/agents/reward-evaluator/agent.js';
import type { ValidationDetails, ValidationIssue, ValidationResult } from '../../../src/agents/validator/contract.js';
import { openTestSuite, type SampleDatabase } from '../../../src/db/database.js';
import { DEFAULT_SCHEMA_FILE } from '../../../src/paths.js';
import { loadCatalogFile } from '../../../src/schema/catalog.js';
import type { Catalog } from '../../../src/schema/types.js';
import { loadParser } from '../../../src/sql/parser.js';

export interface RecordedSuite {
  catalog: Catalog;
  suite: SampleDatabase[];
  /** The suite as the evaluator's databases, every SQL they are sent recorded in `sent`. */
  databases: RewardDatabase[];
  sent: string[];
}

/** The test suite accuracy runs on (the GL schema, two seeds), recording what it is sent. */
export async function openRecordedSuite(): Promise<RecordedSuite> {
  await loadParser();
  const catalog = loadCatalogFile(DEFAULT_SCHEMA_FILE);
  const suite = await openTestSuite({ catalog, seeds: [1, 2] });
  const sent: string[] = [];
  const databases = suite.map((db): RewardDatabase => ({
    seed: db.seed,
    query: (sql, options) => {
      sent.push(sql);
      return db.query(sql, options);
    },
    explain: (sql, options) => db.explain(sql, options),
  }));
  return { catalog, suite, databases, sent };
}

/** A validator result that passes every layer, with `details` and `issues` overridden. */
export function validation(details: Partial<ValidationDetails> = {}, issues: ValidationIssue[] = []): ValidationResult {
  const d: ValidationDetails = {
    syntax_valid: true,
    syntax_errors: [],
    syntax_warnings: [],
    schema_compliant: true,
    schema_errors: [],
    tables_used: ['PAC_MNT_PROJECTS'],
    columns_referenced: ['PAC_MNT_PROJECTS.Project_Name', 'PAC_MNT_PROJECTS.Status'],
    business_logic_valid: true,
    business_violations: [],
    business_warnings: [],
    performance_acceptable: true,
    complexity_score: 1,
    performance_issues: [],
    optimization_suggestions: [],
    security_passed: true,
    security_risks: [],
    injection_detected: false,
    ...details,
  };
  return {
    is_valid: d.syntax_valid && d.schema_compliant && d.business_logic_valid && d.security_passed,
    confidence: 0.9,
    details: d,
    issues,
    suggestions: issues.flatMap((i) => (i.suggestion ? [i.suggestion] : [])),
    validated_sql: '',
    metadata: { validation_time: 0.001, layers_executed: ['syntax', 'schema', 'business_logic', 'performance', 'security'] },
  };
}

export const GOOD_REASONING = `<think>
1. The question is about projects, so use table PAC_MNT_PROJECTS.
2. Filter rows where Status is 'Active'.
3. Select the columns Project_Name and Budget.
</think>`;

