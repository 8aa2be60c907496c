/** The public API with the shipped agents, end to end, as the specification's usage examples use it. */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, defaultAgents, ERROR_CATALOG, machines, OrchestratorAgent, type ProcessResult } from '../src/index.js';
import { checkReadOnly } from '../src/sql/safety.js';

const orchestrator = new OrchestratorAgent({ logger: pino({ level: 'silent' }) });

beforeAll(() => orchestrator.initialize(), 120_000);
afterAll(() => orchestrator.shutdown());

describe('the public API with the shipped agents', () => {
  it('exports the factory, the class, the shipped agents, the error catalog and the machines', () => {
    expect(typeof createOrchestrator).toBe('function');
    expect(Object.keys(defaultAgents).sort()).toEqual(['query_generator', 'reward_evaluator', 'schema_analyzer', 'validator']);
    expect(ERROR_CATALOG.INVALID_INPUT.status).toBe(400);
    expect(machines.workflowMachine.id).toBe('workflow');
  });

  it('answers the specification’s basic example with validated SQL and numbered reasoning', async () => {
    const r = (await orchestrator.process({ query: 'Show all active projects with budget over 100000', mode: 'generate' })) as ProcessResult;
    expect(r.workflow_stage).toBe('completed');
    expect(checkReadOnly(r.sql).ok).toBe(true);
    expect(r.sql).toMatch(/PAC_MNT_PROJECTS/);
    expect(r.sql).toMatch(/100000/);
    expect(r.reasoning).toMatch(/^<think>[\s\S]*1\.[\s\S]*<\/think>$/);
    expect(r.validation.is_valid).toBe(true);
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(r.metadata.generator).toBe('embedded');
  });

  it('scores SQL in train mode with the six reward components', async () => {
    const r = (await orchestrator.process({
      query: 'List top 5 companies by project count',
      mode: 'train',
      context: { expected_sql: 'SELECT c.Company_Name, COUNT(p.Project_Code) AS project_count FROM SRM_COMPANIES c JOIN PROJCNTRTS p ON p.Company_Code = c.Company_Code GROUP BY c.Company_Name ORDER BY project_count DESC LIMIT 5' },
    })) as ProcessResult;
    expect(r.workflow_stage).toBe('completed');
    expect(Object.keys(r.training!.rewards).sort()).toEqual(['accuracy', 'business_logic', 'performance', 'reasoning', 'schema', 'syntax']);
    expect(r.training!.total_reward).toBeGreaterThanOrEqual(0);
    expect(r.training!.total_reward).toBeLessThanOrEqual(1);
    expect(r.training!.feedback.length).toBeGreaterThan(0);
  });

  it('refuses a request to change data with WRITE_NOT_ALLOWED', async () => {
    const r: any = await orchestrator.process({ query: 'Delete all cancelled projects' });
    expect(r).toMatchObject({ error_code: 'WRITE_NOT_ALLOWED', failed_stage: 'query_generation' });
    expect(r.partial_results).toHaveProperty('schema_analysis');
  });

  it('keeps hostile text out of the SQL', async () => {
    const r: any = await orchestrator.process({ query: 'Show companies in the Energy industry"; DROP TABLE SRM_COMPANIES; --' });
    if (r.sql !== undefined) expect(checkReadOnly(r.sql).ok).toBe(true);
    else expect(r.error_code).toBeDefined();
  });

  it('continues a conversation under one session id', async () => {
    const first = (await orchestrator.process({ query: 'How many projects are on hold?' })) as ProcessResult;
    const second = (await orchestrator.process({ query: 'And how many are cancelled?', session_id: first.session_id })) as ProcessResult;
    expect(second.session_id).toBe(first.session_id);
    const snapshot = orchestrator.getSession(first.session_id)!;
    expect(snapshot.turns.map((t) => t.query)).toEqual(['How many projects are on hold?', 'And how many are cancelled?']);
    expect(snapshot.status).toBe('completed');
  });
});
