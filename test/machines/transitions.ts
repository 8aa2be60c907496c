/** Transitions of a machine definition, computed from its state nodes, and a key to compare taken ones with. */
import type { AnyStateNode } from 'xstate';

export function transitionKey(t: { source: AnyStateNode; eventType: string; target?: readonly AnyStateNode[] | undefined }): string {
  const list = t.eventType === '' || t.eventType === undefined ? (t.source.always ?? []) : (t.source.transitions.get(t.eventType) ?? []);
  const index = list.findIndex((d: any) => d === t || (d.guard === (t as any).guard && sameTargets(d.target, t.target)));
  return `${t.source.id} | ${t.eventType || 'always'} | #${index} → ${(t.target ?? []).map((n) => n.id).join(',') || '(self)'}`;
}

function sameTargets(a?: readonly AnyStateNode[], b?: readonly AnyStateNode[]): boolean {
  return (a ?? []).map((n) => n.id).join(',') === (b ?? []).map((n) => n.id).join(',');
}

export function definedTransitions(root: AnyStateNode): Set<string> {
  const keys = new Set<string>();
  const visit = (node: AnyStateNode) => {
    for (const list of node.transitions.values()) for (const t of list) keys.add(transitionKey(t as any));
    for (const t of node.always ?? []) keys.add(transitionKey(t as any));
    Object.values(node.states).forEach(visit);
  };
  visit(root);
  return keys;
}
