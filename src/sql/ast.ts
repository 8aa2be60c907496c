/**
 * Helpers over libpg-query parse trees. A node is an object with a single
 * PascalCase key naming its type (`{ ColumnRef: { fields, location } }`).
 */

export type AstNode = Record<string, any>;

export interface Visit {
  type: string;
  node: AstNode;
  /** Types of the enclosing nodes, outermost first. */
  ancestors: string[];
}

/** Depth-first walk over every typed node below `root`. */
export function walk(root: unknown, visit: (v: Visit) => void, ancestors: string[] = []): void {
  if (Array.isArray(root)) {
    for (const item of root) walk(item, visit, ancestors);
    return;
  }
  if (root === null || typeof root !== 'object') return;
  for (const [key, value] of Object.entries(root)) {
    if (isNodeType(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      visit({ type: key, node: value, ancestors });
      walk(value, visit, [...ancestors, key]);
    } else {
      walk(value, visit, ancestors);
    }
  }
}

function isNodeType(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 65 && c <= 90;
}

/** Every node of one type below `root`. */
export function collect(root: unknown, type: string): AstNode[] {
  const found: AstNode[] = [];
  walk(root, (v) => {
    if (v.type === type) found.push(v.node);
  });
  return found;
}

/** The string parts of a name list (`funcname`, `fields`, `names`): `[{String:{sval}}]` → `['pg_catalog','now']`. */
export function nameParts(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => (item?.String?.sval !== undefined ? [String(item.String.sval)] : item?.A_Star ? ['*'] : []));
}

/** The unqualified, lower-case name of a function call. */
export function functionName(funcCall: AstNode): string {
  const parts = nameParts(funcCall.funcname);
  return (parts[parts.length - 1] ?? '').toLowerCase();
}
