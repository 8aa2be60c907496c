/** Reader: text patterns ("starting with", "containing", "'X' in the name"). */
import { has } from '../items.js';
import { col } from '../query.js';
import { ensure, patternColumn } from '../resolve.js';
import type { ParseState } from '../state.js';

export function readPatterns(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    const kind = has(it, 'startswith') ? 'start' : has(it, 'endswith') ? 'end' : has(it, 'contains') ? 'contains' : undefined;
    const lit1 = s.items[i + 1];
    const quotedThenName = it.kind === 'quoted' && has(s.items[i + 1], 'inname');
    if (!kind && !quotedThenName) continue;
    const literalItem = quotedThenName ? it : lit1;
    if (!literalItem || (literalItem.kind !== 'quoted' && literalItem.kind !== 'unknown' && literalItem.kind !== 'phrase')) continue;
    const text = literalItem.text;
    const column = patternColumn(s, i, text, quotedThenName);
    if (!column) continue;
    const pattern = kind === 'start' ? `${text}%` : kind === 'end' ? `%${text}` : `%${text}%`;
    ensure(s, column.table);
    s.plan.where.push({ k: 'like', arg: col(column.table, column.column), pattern, negated: has(s.items[i - 1], 'neg') });
    [i, i + 1].forEach((k) => s.used.add(k));
    s.plan.steps.push(`Text pattern: ${column.column} ILIKE '${pattern}'.`);
    i++;
  }
}
