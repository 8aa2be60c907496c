/** Reader: columns of other tables named for display ("with project names"), joined in. */
import { has, senses } from '../items.js';
import { ensure, pathText } from '../resolve.js';
import { isTableItem, prevContent, inPlay, type ParseState } from '../state.js';

/** "staff assignments with project names": a column of a parent table is shown through a LEFT JOIN. */
export function readMentionedColumns(s: ParseState): void {
  if (s.plan.aggregates.length || s.plan.groupBy.length || s.plan.distinct) return;
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (s.used.has(i) || isTableItem(s, it)) continue;
    const cols = senses(it, 'column');
    if (cols.length === 0 || cols.some((c) => inPlay(s).includes(c.table))) continue;
    // A parent's column joins without losing rows; a child's only when asked "with" it.
    const parent = cols.find((x) => s.lex.path(s.plan.subject, x.table)?.every((h) => h.toParent));
    const child = has(prevContent(s, i), 'with') ? cols.find((x) => s.lex.path(s.plan.subject, x.table, 1)) : undefined;
    const c = parent ?? child;
    if (!c) continue;
    s.used.add(i);
    ensure(s, c.table, parent ? 'LEFT' : 'INNER');
    s.plan.steps.push(`"${it.text}" is a column of ${c.table}: ${parent ? 'LEFT JOIN' : 'JOIN'} along ${pathText(s, c.table)}.`);
  }
}
