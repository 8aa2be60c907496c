/**
 * Reader: superlatives of adjectives that measure a column ("the youngest
 * dog", "the 3 heaviest pets"): the rows ordered by that column, the first
 * one kept (or the number asked for). "Highest budget" is not one: a
 * superlative followed by what it ranks is read by the ordering readers.
 */
import { col } from '../query.js';
import { has, plural, senses } from '../items.js';
import { ensure, pickFromList } from '../resolve.js';
import { addOrder, isTableItem, next, type ParseState } from '../state.js';

export function readDegreeRankings(s: ParseState): void {
  const ordered = s.items.some((it) => has(it, 'order'));
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (s.used.has(i)) continue;
    const d = pickFromList(s, senses(it, 'degree').filter((x) => x.superlative));
    if (!d) continue;
    const after = s.items[next(s, i)];
    if (after && !isTableItem(s, after) && (senses(after, 'column').length || senses(after, 'measure').length)) continue;
    if (after && has(after, 'avg', 'sum', 'count', 'max', 'min')) continue;
    if (d.table !== s.plan.subject && !s.lex.path(s.plan.subject, d.table)) continue;
    ensure(s, d.table);
    s.used.add(i);
    s.ranked.add(i);
    addOrder(s, { expr: col(d.table, d.column), desc: d.more, nullsLast: s.options.nullsLast });
    // "ordered by age from the oldest": a direction only.
    if (ordered) {
      s.plan.steps.push(`"${it.text}": ${d.column} ${d.more ? 'descending' : 'ascending'}.`);
      continue;
    }
    const before = s.items[i - 1];
    const n = before?.kind === 'num' ? before.num : undefined;
    if (n !== undefined) s.used.add(i - 1);
    const limit = n ?? (after && isTableItem(s, after) && plural(after) ? undefined : 1);
    if (limit !== undefined) s.plan.limit = limit;
    s.plan.steps.push(`"${it.text}": ${d.column} ${d.more ? 'descending' : 'ascending'}${limit ? `, keep ${limit}` : ''}.`);
  }
}
