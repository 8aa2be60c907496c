/**
 * Pictures of the statecharts, computed from the machine definitions: Mermaid
 * `stateDiagram-v2` text for docs and `gl-rl machines --format mermaid`, and a
 * plain JSON graph for tools.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { circuitBreakerMachine } from '../machines/circuit-breaker.js';
import { sessionMachine } from '../machines/session.js';
import { workflowMachine } from '../machines/workflow.js';

export const MACHINES: Record<string, AnyStateMachine> = {
  workflow: workflowMachine,
  session: sessionMachine,
  circuit_breaker: circuitBreakerMachine,
};

export interface EdgeJson {
  source: string;
  target: string;
  event: string;
  guard?: string;
}

export interface MachineJson {
  id: string;
  states: Array<{ id: string; type: string; initial?: string; parent?: string }>;
  transitions: EdgeJson[];
}

/** A readable label for an event: done/error of an invoked actor, delays, eventless transitions. */
function eventLabel(eventType: string): string {
  if (eventType === '') return 'always';
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType);
  if (done) return `done: ${done[1]}`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType);
  if (error) return `error: ${error[1]}`;
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  if (eventType.startsWith('xstate.done.state.')) return 'all regions done';
  return eventType;
}

function guardLabel(guard: unknown): string | undefined {
  if (!guard) return undefined;
  if (typeof guard === 'string') return guard;
  const g = guard as { type?: string; name?: string; guards?: unknown[] };
  if (typeof g === 'function') {
    const check = (g as { check?: unknown; guards?: unknown[] }).guards;
    return Array.isArray(check) ? check.map(guardLabel).join(' and ') : 'guard';
  }
  if (typeof g.type === 'string') return g.type;
  return undefined;
}

function edgesOf(node: AnyStateNode): EdgeJson[] {
  const edges: EdgeJson[] = [];
  // A later unguarded branch is taken when the guards before it fail.
  const add = (t: { eventType: string; target?: readonly AnyStateNode[]; guard?: unknown }, fallthrough: boolean) => {
    const targets = t.target?.length ? t.target : [node];
    for (const target of targets) {
      const guard = guardLabel(t.guard) ?? (fallthrough ? 'otherwise' : undefined);
      edges.push({ source: node.id, target: target.id, event: eventLabel(t.eventType), ...(guard ? { guard } : {}) });
    }
  };
  for (const list of node.transitions.values()) list.forEach((t, i) => t.target?.length && add(t as never, i > 0));
  (node.always ?? []).forEach((t, i) => add(t as never, i > 0));
  return edges;
}

export function machineToJson(machine: AnyStateMachine): MachineJson {
  const states: MachineJson['states'] = [];
  const transitions: EdgeJson[] = [];
  const visit = (node: AnyStateNode, parent?: AnyStateNode) => {
    const initial = node.initial?.target?.[0]?.key;
    states.push({ id: node.id, type: node.type, ...(initial ? { initial } : {}), ...(parent ? { parent: parent.id } : {}) });
    transitions.push(...edgesOf(node));
    for (const child of Object.values(node.states)) visit(child, node);
  };
  visit(machine.root);
  return { id: machine.id, states, transitions };
}

const mermaidId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');

/** Mermaid stateDiagram-v2 of a machine; compound and parallel states become nested blocks. */
export function machineToMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const ids = new Map<string, string>();
  const name = (node: AnyStateNode) => {
    let id = ids.get(node.id);
    if (!id) ids.set(node.id, (id = mermaidId(node.path.length ? node.path.join('_') : node.id)));
    return id;
  };
  const emitBody = (node: AnyStateNode, indent: string) => {
    const children = Object.values(node.states);
    if (node.type === 'parallel') {
      children.forEach((region, i) => {
        if (i > 0) lines.push(`${indent}--`);
        emitState(region, indent);
      });
      return;
    }
    const initial = node.initial?.target?.[0];
    if (initial) lines.push(`${indent}[*] --> ${name(initial)}`);
    for (const child of children) emitState(child, indent);
  };
  const emitState = (node: AnyStateNode, indent: string) => {
    const id = name(node);
    if (id !== node.key) lines.push(`${indent}state "${node.key}" as ${id}`);
    if (Object.keys(node.states).length) {
      lines.push(`${indent}state ${id} {`);
      emitBody(node, indent + '  ');
      lines.push(`${indent}}`);
    }
    if (node.type === 'final') lines.push(`${indent}${id} --> [*]`);
  };
  emitBody(machine.root, '  ');
  const rootEdges = edgesOf(machine.root);
  if (rootEdges.length) lines.push('  state "any state" as any_state');
  const all: AnyStateNode[] = [];
  const collect = (node: AnyStateNode) => {
    all.push(node);
    Object.values(node.states).forEach(collect);
  };
  collect(machine.root);
  for (const node of all) {
    for (const edge of edgesOf(node)) {
      const source = node === machine.root ? null : name(node);
      const target = machine.root.id === edge.target ? null : name(findNode(all, edge.target));
      const label = edge.guard ? `${edge.event} [${edge.guard}]` : edge.event;
      // Transitions declared on the machine's root apply in every state: drawn from a note-like pseudo state.
      lines.push(`  ${source ?? 'any_state'} --> ${target ?? 'any_state'} : ${label}`);
    }
  }
  return lines.join('\n');
}

function findNode(nodes: AnyStateNode[], id: string): AnyStateNode {
  return nodes.find((n) => n.id === id)!;
}

/** The generated part of docs/architecture.md. */
export function architectureDiagrams(): string {
  const titles: Record<string, string> = {
    workflow: 'Workflow (one turn)',
    session: 'Session lifecycle',
    circuit_breaker: 'Circuit breaker (per agent)',
  };
  return Object.entries(MACHINES)
    .map(([key, machine]) => `### ${titles[key]}\n\n\`\`\`mermaid\n${machineToMermaid(machine)}\n\`\`\``)
    .join('\n\n');
}
