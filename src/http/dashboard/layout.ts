/**
 * A drawing of a statechart computed from its definition: the machine's
 * top-level states as boxes laid out in columns by the longest path from the
 * initial state (back edges, found by a depth-first walk, are drawn as arcs
 * below, so a regeneration loop reads as a loop), nested states as pills inside
 * their box, final states in a last column. Transitions from nested states are
 * lifted to their top-level box; those declared on the root apply in every
 * state and are listed on their target. The browser only renders the result.
 */
import type { AnyStateMachine } from 'xstate';
import { machineToJson, type MachineJson } from '../../diagrams.js';

export interface LaidOutNode {
  id: string;
  key: string;
  type: string;
  depth: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LaidOutEdge {
  source: string;
  target: string;
  label: string;
  kind: 'forward' | 'skip' | 'back' | 'terminal';
  path: string;
  label_at: { x: number; y: number };
}

export interface ChartLayout {
  id: string;
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  /** Transitions declared on the root, by target key: taken from whatever state the chart is in. */
  from_any_state: Record<string, string[]>;
}

const BOX_W = 168;
const GAP_X = 56;
const HEADER = 26;
const PILL = 20;
const PAD = 5;
const MARGIN = 16;
const TOP = 56;
const ARC = 44;

type StateJson = MachineJson['states'][number];

export function layoutMachine(machine: AnyStateMachine): ChartLayout {
  const json = machineToJson(machine);
  const rootId = json.id;
  const children = new Map<string, StateJson[]>();
  for (const state of json.states) if (state.parent) children.set(state.parent, [...(children.get(state.parent) ?? []), state]);
  const top = children.get(rootId) ?? [];
  const keyOf = (id: string) => id.slice(id.lastIndexOf('.') + 1);
  const topOf = (id: string) => id.split('.').slice(0, 2).join('.');
  const initial = json.states.find((s) => s.id === rootId)?.initial;

  // Lift every transition to top-level boxes, merging the labels of parallel edges.
  const lifted = new Map<string, { source: string; target: string; labels: Set<string> }>();
  const fromAny: Record<string, string[]> = {};
  for (const t of json.transitions) {
    const label = t.guard ? `${t.event} [${t.guard}]` : t.event;
    if (t.source === rootId) {
      (fromAny[keyOf(t.target)] ??= []).push(label);
      continue;
    }
    const source = topOf(t.source);
    const target = topOf(t.target);
    if (source === target) continue;
    const key = `${source}>${target}`;
    const edge = lifted.get(key) ?? { source, target, labels: new Set<string>() };
    edge.labels.add(label);
    lifted.set(key, edge);
  }
  const out = new Map<string, string[]>();
  for (const e of lifted.values()) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);

  // Back edges: those reaching a state still on the depth-first stack.
  const back = new Set<string>();
  const onStack = new Set<string>();
  const seen = new Set<string>();
  const walk = (id: string) => {
    seen.add(id);
    onStack.add(id);
    for (const next of out.get(id) ?? []) {
      if (onStack.has(next)) back.add(`${id}>${next}`);
      else if (!seen.has(next)) walk(next);
    }
    onStack.delete(id);
  };
  if (initial) walk(`${rootId}.${initial}`);

  // Columns by longest forward path; final states after the last column.
  const isFinal = (id: string) => top.find((s) => s.id === id)?.type === 'final';
  const layer = new Map<string, number>();
  const layerOf = (id: string, guard = new Set<string>()): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    guard.add(id);
    let best = 0;
    for (const e of lifted.values()) {
      if (e.target !== id || back.has(`${e.source}>${e.target}`) || guard.has(e.source) || isFinal(e.source)) continue;
      best = Math.max(best, layerOf(e.source, guard) + 1);
    }
    layer.set(id, best);
    return best;
  };
  const main = top.filter((s) => !isFinal(s.id));
  for (const s of main) layerOf(s.id);
  const finalColumn = Math.max(0, ...main.map((s) => layer.get(s.id)!)) + 1;

  const nodes: LaidOutNode[] = [];
  const measure = (id: string): number => {
    const kids = children.get(id) ?? [];
    if (kids.length === 0) return PILL;
    return HEADER - 6 + kids.reduce((sum, k) => sum + measure(k.id) + PAD, 0) + PAD;
  };
  const place = (state: StateJson, x: number, y: number, w: number, depth: number) => {
    const kids = children.get(state.id) ?? [];
    const h = depth === 0 ? Math.max(HEADER + PAD, measure(state.id)) : measure(state.id);
    nodes.push({ id: state.id, key: keyOf(state.id), type: state.type, depth, x, y, w, h });
    let cy = y + HEADER - 6 + PAD;
    for (const kid of kids) {
      place(kid, x + PAD, cy, w - 2 * PAD, depth + 1);
      cy += measure(kid.id) + PAD;
    }
    return h;
  };
  const columnY = new Map<number, number>();
  for (const state of top) {
    const column = isFinal(state.id) ? finalColumn : layer.get(state.id)!;
    const y = columnY.get(column) ?? TOP;
    const h = place(state, MARGIN + column * (BOX_W + GAP_X), y, BOX_W, 0);
    columnY.set(column, y + h + 18);
  }

  const box = new Map(nodes.filter((n) => n.depth === 0).map((n) => [n.id, n]));
  // Edges into a final state below the first row run along one gutter under every box.
  const gutter = Math.max(...nodes.map((n) => n.y + n.h)) + ARC / 2;
  const edges: LaidOutEdge[] = [];
  for (const e of lifted.values()) {
    const s = box.get(e.source)!;
    const t = box.get(e.target)!;
    const label = [...e.labels].join(' | ');
    const headerY = (n: LaidOutNode) => n.y + HEADER / 2;
    const bezier = (x0: number, y0: number, x1: number, y1: number, x2: number, y2: number, x3: number, y3: number) => ({
      path: `M${round(x0)},${round(y0)} C${round(x1)},${round(y1)} ${round(x2)},${round(y2)} ${round(x3)},${round(y3)}`,
      label_at: { x: round((x0 + 3 * x1 + 3 * x2 + x3) / 8), y: round((y0 + 3 * y1 + 3 * y2 + y3) / 8) },
    });
    let kind: LaidOutEdge['kind'];
    let shape: Pick<LaidOutEdge, 'path' | 'label_at'>;
    if (back.has(`${e.source}>${e.target}`)) {
      kind = 'back';
      const sy = s.y + s.h;
      const ty = t.y + t.h;
      const low = Math.max(sy, ty) + ARC;
      shape = bezier(s.x + s.w / 2, sy, s.x + s.w / 2, low, t.x + t.w / 2, low, t.x + t.w / 2, ty);
    } else if (isFinal(e.target) && t.y > TOP) {
      kind = 'terminal';
      const sx = s.x + s.w * 0.75;
      const turn = t.x - GAP_X / 3;
      const ty = t.y + t.h / 2;
      shape = { path: `M${round(sx)},${round(s.y + s.h)} V${round(gutter)} H${round(turn)} V${round(ty)} H${round(t.x)}`, label_at: { x: round(sx), y: round(gutter) } };
    } else if (Math.abs(t.x - s.x) > BOX_W + GAP_X) {
      kind = 'skip';
      shape = bezier(s.x + s.w / 2, s.y, s.x + s.w / 2, s.y - ARC, t.x + t.w / 2, t.y - ARC, t.x + t.w / 2, t.y);
    } else {
      kind = 'forward';
      shape = bezier(s.x + s.w, headerY(s), s.x + s.w + GAP_X / 2, headerY(s), t.x - GAP_X / 2, headerY(t), t.x, headerY(t));
    }
    edges.push({ source: e.source, target: e.target, label, kind, ...shape });
  }
  const width = Math.max(...nodes.map((n) => n.x + n.w)) + MARGIN;
  const height = Math.max(gutter, ...edges.map((e) => e.label_at.y)) + ARC / 2;
  return { id: json.id, width: round(width), height: round(height), nodes, edges, from_any_state: fromAny };
}

const round = (x: number) => Math.round(x * 10) / 10;
