/** Reader: table words standing before the subject as modifiers ("project revisions"). */
import { ensure } from '../resolve.js';
import { tableOf, isTableItem, type ParseState } from '../state.js';

/** Table words just before the subject ("project revisions"): parents joined for their names. */
export function readModifiers(s: ParseState): void {
  const { subjectAt: at, support } = s;
  for (let j = at - 1; j >= 0 && isTableItem(s, s.items[j]); j--) {
    const t = tableOf(s, s.items[j], support);
    s.used.add(j);
    if (!t || t === s.plan.subject) continue;
    const path = s.lex.path(s.plan.subject, t, 1);
    if (path && path[0].toParent) {
      ensure(s, t, 'LEFT');
      s.plan.steps.push(`"${s.items[j].text}" qualifies ${s.plan.subject}: LEFT JOIN ${t} for its names (keeps every row).`);
    }
  }
}
