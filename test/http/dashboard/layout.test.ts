import { describe, expect, it } from 'vitest';
import { STAGES, workflowMachine } from '../../../machines/workflow.js';
import { machineToJson } from '../../../src/diagrams.js';
import { layoutMachine } from '../../../src/http/dashboard/layout.js';

describe('the workflow chart laid out from its definition', () => {
  const layout = layoutMachine(workflowMachine);
  const top = layout.nodes.filter((n) => n.depth === 0);
  const box = (key: string) => top.find((n) => n.key === key)!;

  it('draws every state of the machine, nested ones inside their box', () => {
    expect(layout.nodes.map((n) => n.id).sort()).toEqual(machineToJson(workflowMachine).states.map((s) => s.id).filter((id) => id !== 'workflow').sort());
    for (const n of layout.nodes.filter((n) => n.depth > 0)) {
      const parent = top.find((t) => n.id.startsWith(`${t.id}.`))!;
      expect(n.x).toBeGreaterThanOrEqual(parent.x);
      expect(n.y + n.h).toBeLessThanOrEqual(parent.y + parent.h);
    }
  });

  it('puts the stages left to right in workflow order, final states in the last column, regeneration as a back edge', () => {
    const stages = STAGES.map((s) => box(s).x);
    expect([...stages].sort((a, b) => a - b)).toEqual(stages);
    for (const final of ['completed', 'failed', 'expired']) expect(box(final).x).toBeGreaterThan(box('finalization').x);
    expect(layout.edges.find((e) => e.source.endsWith('validation') && e.target.endsWith('query_generation'))).toMatchObject({ kind: 'back', label: expect.stringContaining('invalidWithBudget') });
    expect(layout.edges.find((e) => e.source.endsWith('validation') && e.target.endsWith('finalization'))?.kind).toBe('skip');
    expect(layout.from_any_state.expired).toEqual(['session.cancelled', 'after workflowTimeout']);
  });

  it('keeps every transition between top-level states, lifted from nested ones', () => {
    const json = machineToJson(workflowMachine);
    const topOf = (id: string) => id.split('.').slice(0, 2).join('.');
    const expected = new Set(json.transitions.filter((t) => t.source !== 'workflow' && topOf(t.source) !== topOf(t.target)).map((t) => `${topOf(t.source)}>${topOf(t.target)}`));
    expect(new Set(layout.edges.map((e) => `${e.source}>${e.target}`))).toEqual(expected);
    for (const e of layout.edges) expect(e.path).toMatch(/^M[\d.]+,[\d.]+ /);
  });
});
