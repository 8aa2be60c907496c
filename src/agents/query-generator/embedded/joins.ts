/**
 * Foreign-key paths between tables: breadth-first over the catalog's keys,
 * each hop with its column pairs, so a join can be written in either direction.
 */
import type { Catalog } from '../../../schema/types.js';
import { col, type Cond } from './query.js';

export interface Hop {
  from: string;
  to: string;
  fromColumns: string[];
  toColumns: string[];
  /** The hop follows the key from the referencing table to the referenced one (many-to-one). */
  toParent: boolean;
}

/** The shortest path of hops from one table to another, at most `depth` hops; [] for the same table. */
export function fkPath(catalog: Catalog, from: string, to: string, depth = 3): Hop[] | undefined {
  if (from === to) return [];
  const seen = new Set([from]);
  let frontier: Array<{ table: string; path: Hop[] }> = [{ table: from, path: [] }];
  for (let d = 0; d < depth && frontier.length; d++) {
    const next: typeof frontier = [];
    for (const { table, path } of frontier) {
      for (const fk of catalog.foreignKeysOf(table)) {
        const hops: Hop[] = [];
        if (fk.table === table && fk.refTable !== table) {
          hops.push({ from: table, to: fk.refTable, fromColumns: fk.columns, toColumns: fk.refColumns, toParent: true });
        }
        if (fk.refTable === table && fk.table !== table) {
          hops.push({ from: table, to: fk.table, fromColumns: fk.refColumns, toColumns: fk.columns, toParent: false });
        }
        for (const hop of hops) {
          const target = catalog.table(hop.to)?.name ?? hop.to;
          if (seen.has(target)) continue;
          const p = [...path, { ...hop, to: target }];
          if (target === to) return p;
          seen.add(target);
          next.push({ table: target, path: p });
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

export type PathFinder = (from: string, to: string, depth?: number) => Hop[] | undefined;

/**
 * Shortest paths, each computed on first use and kept: the schema does not
 * change under a lexicon, and a question asks for a handful of pairs (all
 * pairs up front would cost tables² searches, minutes on an ERP's thousands).
 */
export function pathFinder(catalog: Catalog, maxDepth = 3): PathFinder {
  const known = new Map<string, Hop[] | undefined>();
  return (from, to, depth = maxDepth) => {
    const key = `${from}\u0000${to}\u0000${depth}`;
    if (known.has(key)) return known.get(key);
    const path = fkPath(catalog, from, to, depth);
    known.set(key, path);
    return path;
  };
}

/** The join condition of one hop, between two table instances. */
export function hopCondition(hop: Hop, fromKey: string, toKey: string): Cond {
  const items: Cond[] = hop.fromColumns.map((c, i) => ({ k: 'cmp', op: '=', left: col(fromKey, c), right: col(toKey, hop.toColumns[i]) }));
  return items.length === 1 ? items[0] : { k: 'and', items };
}

/** The self-reference of a table (Parent_ID → Project_ID), if it has one. */
export function selfReference(catalog: Catalog, table: string): { column: string; refColumn: string } | undefined {
  const fk = catalog.table(table)?.foreignKeys.find((f) => f.refTable.toLowerCase() === table.toLowerCase() && f.columns.length === 1);
  return fk ? { column: fk.columns[0], refColumn: fk.refColumns[0] } : undefined;
}
