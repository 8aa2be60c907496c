/**
 * Join paths: breadth-first search over the foreign-key graph, walked in both
 * directions, bounded by a number of hops.
 */
import type { Edge, Lexicon } from './lexicon.js';

/** Every shortest path (as edges) from any of `sources` to `target`, at most `depth` hops; none when unreachable. */
export function shortestPaths(lexicon: Lexicon, sources: Iterable<string>, target: string, depth: number, limit = 8): Edge[][] {
  const goal = target.toLowerCase();
  const level = new Map<string, number>();
  const parents = new Map<string, Edge[]>();
  let frontier: string[] = [];
  for (const s of sources) {
    const key = s.toLowerCase();
    if (key === goal) return [[]];
    level.set(key, 0);
    frontier.push(key);
  }
  for (let hops = 1; hops <= depth && frontier.length > 0 && !level.has(goal); hops++) {
    const next: string[] = [];
    for (const table of frontier) {
      for (const edge of lexicon.edges.get(table) ?? []) {
        const to = edge.to.toLowerCase();
        const seen = level.get(to);
        if (seen !== undefined && seen < hops) continue;
        if (seen === undefined) {
          level.set(to, hops);
          next.push(to);
        }
        parents.set(to, [...(parents.get(to) ?? []), edge]);
      }
    }
    frontier = next;
  }
  if (!level.has(goal)) return [];
  const paths: Edge[][] = [];
  const unwind = (table: string, suffix: Edge[]) => {
    if (paths.length >= limit) return;
    if (level.get(table) === 0) {
      paths.push(suffix);
      return;
    }
    for (const edge of parents.get(table) ?? []) unwind(edge.from.toLowerCase(), [edge, ...suffix]);
  };
  unwind(goal, []);
  return paths;
}

/** The table's foreign keys onto itself (a hierarchy), as edges from child row to parent row. */
export function selfEdges(lexicon: Lexicon, table: string): Edge[] {
  return (lexicon.edges.get(table.toLowerCase()) ?? []).filter((e) => e.from === e.to && e.fk.table === e.from);
}
