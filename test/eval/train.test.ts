/**
 * Train mode end to end through `createOrchestrator()` with the shipped
 * agents: the public result carries the training block, and `runTraining`
 * turns the turns into trainer records whose candidates, rewards and GRPO
 * advantages come from the reward evaluator's group scoring.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, ExampleMemory, isErrorResponse, type Orchestrator } from '../../src/index.js';
import { parseDataset } from '../../src/eval/dataset.js';
import { COMPONENTS, completionText, runTraining, type TrainingReport } from '../../src/eval/train.js';

const ACTIVE = "SELECT Project_Code, Project_Name FROM PAC_MNT_PROJECTS WHERE Status = 'Active'";
const LINES = [
  { query: 'Show all active projects', sql: ACTIVE },
  { query: 'Count projects per status', sql: 'SELECT Status, COUNT(*) FROM PAC_MNT_PROJECTS GROUP BY Status' },
  // A subtly wrong gold: the answer cannot match it.
  { query: 'List projects with a budget over 100000', sql: 'SELECT Project_Code FROM PAC_MNT_PROJECTS WHERE Budget < 100000' },
  // A gold that fails on the test databases: accuracy is not scored for it.
  { query: 'Show all completed projects', sql: 'SELECT No_Such_Column FROM PAC_MNT_PROJECTS' },
  { query: 'Delete all projects', expect: 'refuse' },
];

let orchestrator: Orchestrator;
let report: TrainingReport;
let memory: ExampleMemory;
const streamed: string[] = [];

beforeAll(async () => {
  orchestrator = createOrchestrator({ config: { log_level: 'silent', num_candidates: 3 } });
  await orchestrator.initialize();
  memory = new ExampleMemory();
  report = await runTraining({
    orchestrator,
    dataset: parseDataset(LINES.map((l) => JSON.stringify(l)).join('\n')),
    memory,
    concurrency: 2,
    onRecord: (record) => streamed.push(record.query),
  });
}, 120_000);

afterAll(async () => {
  await orchestrator?.shutdown();
});

describe('train mode through the public orchestrator', () => {
  it('returns the training block with all six components', async () => {
    const result = await orchestrator.process({ query: 'Show all active projects', mode: 'train', context: { expected_sql: ACTIVE } });
    if (isErrorResponse(result)) throw new Error(result.error);
    expect(Object.keys(result.training!.rewards).sort()).toEqual([...COMPONENTS].sort());
    expect(result.training!.total_reward).toBeGreaterThan(0.8);
    expect(result.training!.feedback).toHaveLength(6);
  });

  it('scores an answer against a wrong gold lower than against the right one', async () => {
    const right = await orchestrator.process({ query: 'Count projects per status', mode: 'train', context: { expected_sql: LINES[1]!.sql } });
    const wrong = await orchestrator.process({ query: 'Count projects per status', mode: 'train', context: { expected_sql: 'SELECT Department, COUNT(*) FROM PAC_MNT_PROJECTS GROUP BY Department' } });
    if (isErrorResponse(right) || isErrorResponse(wrong)) throw new Error('the workflow failed');
    expect(right.training!.rewards.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(wrong.training!.rewards.accuracy).toBeLessThan(0.8);
    expect(right.training!.total_reward).toBeGreaterThan(wrong.training!.total_reward);
  });
});

describe('runTraining records', () => {
  it('one record per gold line, in dataset order, that survive a JSON round trip', () => {
    expect(report.records.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(streamed).toEqual(report.records.map((r) => r.query));
    for (const record of report.records) expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    expect(report.summary).toMatchObject({ total: 4, records: 4, failed: 0, skipped: 1 });
  });

  it('has parallel candidates, completions, rewards and advantages summing to ~0, ranked as the rewards', () => {
    for (const r of report.records) {
      const n = r.candidates.length;
      expect(n).toBeGreaterThanOrEqual(1);
      expect(r.completions).toHaveLength(n);
      expect(r.rewards).toEqual(r.candidates.map((c) => c.reward));
      expect(r.advantages).toEqual(r.candidates.map((c) => c.advantage));
      expect(Math.abs(r.advantages.reduce((a, b) => a + b, 0))).toBeLessThan(1e-3);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) if (r.rewards[i]! > r.rewards[j]!) expect(r.advantages[i]!).toBeGreaterThan(r.advantages[j]!);
      }
      expect(r.rewards[r.chosen]).toBe(Math.max(...r.rewards));
      expect(r.completion).toEqual(r.completions[r.chosen]);
      expect(r.completion[0]!.content).toBe(completionText(r.candidates[r.chosen]!));
      expect(r.reward).toBe(r.rewards[0]);
    }
    // The generator offers alternatives for this question: a real group with a preference.
    const group = report.records.find((r) => r.candidates.length > 1 && new Set(r.rewards).size > 1);
    expect(group).toBeDefined();
  });

  it('prompts with the system rules and the analyzer schema context, answers in the asked format', () => {
    const [active] = report.records;
    expect(active!.prompt.map((m) => m.role)).toEqual(['system', 'user']);
    expect(active!.prompt[0]!.content).toMatch(/read-only SELECT/);
    expect(active!.prompt[1]!.content).toMatch(/## Database schema\nTABLE PAC_MNT_PROJECTS/);
    expect(active!.prompt[1]!.content).toMatch(/## Question\nShow all active projects$/);
    expect(active!.completion[0]!.content).toMatch(/^<think>[\s\S]*<\/think>\n```sql\nSELECT[\s\S]*\n```$/);
  });

  it('reports accuracy and per-component means, leaving out accuracy where it was not scored', () => {
    const [active, byStatus, wrongGold, failedGold] = report.records;
    expect(active!.scored).toContain('accuracy');
    expect(failedGold!.scored).not.toContain('accuracy');
    expect(wrongGold!.candidates[0]!.rewards.accuracy).toBeLessThan(0.8);
    const s = report.summary;
    expect(s.accuracy).toBeCloseTo(2 / 3, 4);
    const scoredAccuracy = [active, byStatus, wrongGold].map((r) => r!.candidates[0]!.rewards.accuracy);
    expect(s.components.accuracy).toBeCloseTo(scoredAccuracy.reduce((a, b) => a + b, 0) / 3, 4);
    expect(Object.keys(s.components).sort()).toEqual([...COMPONENTS].sort());
    expect(s.mean_reward).toBeCloseTo(report.records.reduce((a, r) => a + r.reward, 0) / 4, 4);
    expect(s.mean_best_reward!).toBeGreaterThanOrEqual(s.mean_reward!);
  });

  it('adds only good pairs to the example memory', () => {
    expect(report.summary.memory).toMatchObject({ path: null, added: 2 });
    expect(memory.search('Show all active projects', 5).map((m) => m.query)).toContain('Show all active projects');
    expect(memory.search('projects with a budget over 100000', 5).map((m) => m.query)).not.toContain('List projects with a budget over 100000');
    expect(memory.search('Show all completed projects', 5).map((m) => m.query)).not.toContain('Show all completed projects');
  });
});
