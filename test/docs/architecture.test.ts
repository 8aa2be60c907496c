import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURE_DOC, withDiagrams } from '../../scripts/generate-diagrams.js';
import { machineToJson, machineToMermaid, MACHINES } from '../../src/diagrams.js';

describe('statechart docs', () => {
  it('docs/architecture.md carries the diagrams generated from machines/ (run `npm run docs:diagrams` when this fails)', () => {
    const doc = readFileSync(ARCHITECTURE_DOC, 'utf8');
    expect(doc).toBe(withDiagrams(doc));
  });

  it('draws every transition of every machine', () => {
    for (const machine of Object.values(MACHINES)) {
      const json = machineToJson(machine);
      const mermaid = machineToMermaid(machine);
      const arrows = mermaid.split('\n').filter((l) => / --> .* : /.test(l));
      expect(arrows.length).toBe(json.transitions.length);
    }
  });

  it('shows the fallback order and the regeneration loop in the workflow picture', () => {
    const workflow = machineToMermaid(MACHINES.workflow!);
    expect(workflow).toContain('validation_calling --> query_generation : done: validator [invalidWithBudget]');
    expect(workflow).toContain('any_state --> expired : after workflowTimeout');
    // Retries, backoff, fallbacks and circuit skips are states of the workflow itself, the same in every stage.
    for (const stage of ['schema_analysis_analysis', 'query_generation', 'validation', 'reward_evaluation']) {
      expect(workflow).toContain(`${stage}_calling --> ${stage}_backing_off : after interAgentTimeout [retryBudgetLeft]`);
      expect(workflow).toContain(`${stage}_backing_off --> ${stage}_calling : after backoff`);
    }
    expect(workflow).toContain('query_generation_calling --> query_generation_calling : error: queryGenerator [circuitWasOpen and nextAgentLeft]');
    expect(workflow).toContain('query_generation_screening --> failed : always [writeRequested]');
  });
});
