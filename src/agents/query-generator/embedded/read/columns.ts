/**
 * Readers: the columns a question asks to see. Named as what is asked ("the
 * names and ages of singers") they are the answer's columns; named after the
 * rows ("staff assignments with project names") they are shown beside them.
 */
import { has, senses } from '../items.js';
import { col } from '../query.js';
import { planColumns } from './accounting.js';
import { ensure, pathText, pickColumn } from '../resolve.js';
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

/**
 * "Find the weight of the youngest dog", "names and ages of singers": columns
 * named before the subject, or with no subject word at all, are what the
 * question asks for; the answer has those columns rather than whole rows.
 */
export function readProjection(s: ParseState): void {
  const p = s.plan;
  if (p.aggregates.length || p.groupBy.length || p.having.length || p.distinct) return;
  // A column word that names a condition's column ("IT department projects") is that condition's.
  const conditioned = planColumns({ ...p, groupBy: [], orderBy: [], aggregates: [], computed: [], distinct: undefined });
  const picked: Array<{ at: number; table: string; column: string }> = [];
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (s.used.has(i) || (s.subjectAt >= 0 && i > s.subjectAt)) continue;
    if (isTableItem(s, it) && !senses(it, 'column').length) continue;
    const c = pickColumn(s, it);
    if (!c || (c.table !== p.subject && !s.lex.path(p.subject, c.table))) continue;
    if (conditioned.has(`${c.table}.${c.column}`.toLowerCase())) continue;
    picked.push({ at: i, table: c.table, column: c.column });
  }
  if (picked.length === 0) return;
  for (const c of picked) {
    s.used.add(c.at);
    ensure(s, c.table);
    if (!p.columns.some((x) => x.expr.k === 'col' && x.expr.src === c.table && x.expr.column === c.column)) p.columns.push({ expr: col(c.table, c.column) });
  }
  s.plan.steps.push(`Columns asked for: ${picked.map((c) => c.column).join(', ')}.`);
}
