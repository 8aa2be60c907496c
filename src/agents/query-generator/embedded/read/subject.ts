/** Reader: the subject, the table whose rows the question lists or counts. */
import { has, senses, isContent, plural } from '../items.js';
import { nounAfter } from '../resolve.js';
import { tableOf, isTableItem, anyTableBefore, prevContent, type ParseState } from '../state.js';

function chooseSubject(s: ParseState, support: Map<string, number>): { table: string; at: number } {
  if (s.options.subject) return { table: s.options.subject, at: -1 };
  const blockers = ['group', 'without', 'have', 'with', 'left', 'most', 'least', 'multiple'];
  // "Which consultants work on projects": a value used as a noun names rows of its own table.
  const leadAt = s.items.findIndex((it) => isContent(it) && !has(it, 'count', 'sum', 'avg', 'max', 'min', 'most', 'least', 'distinct'));
  const lead = s.items[leadAt];
  if (lead && !isTableItem(s, lead) && lead.kws.size === 0 && plural(lead) && nounAfter(s, leadAt, support) === undefined) {
    const named = [...senses(lead, 'value'), ...senses(lead, 'filter')].find((v) => !(v.kind === 'filter' && v.having));
    if (named && !senses(lead, 'column').length) return { table: named.table, at: -1 };
  }
  for (let i = 0; i < s.items.length; i++) {
    const item = s.items[i];
    if (!isTableItem(s, item)) continue;
    const prev = prevContent(s, i);
    if (prev && blockers.some((b) => prev.kws.has(b)) && !has(prev, 'list', 'count') && anyTableBefore(s, i)) continue;
    if (prev && has(prev, 'group') && !has(prev, 'list')) continue;
    if (prev && has(prev, 'without', 'have', 'left') && anyTableBefore(s, i)) continue;
    // Noun compounds name their head last: "project revisions", "staff assignments".
    let head = i;
    while (isTableItem(s, s.items[head + 1]) && s.items[head + 1].at === s.items[head].end && !has(s.items[head + 1], 'group', 'with', 'have')) head++;
    const table = tableOf(s, s.items[head], support);
    if (table) return { table, at: head };
  }
  // No table word in subject position: the columns, values and measures decide, then the tables named elsewhere.
  const evidence = new Map<string, number>();
  for (const it of s.items) {
    // A word naming columns of many tables ("status") says little; a grammar word read as a value, less.
    const named = it.senses.filter((x) => x.kind !== 'kw' && x.kind !== 'table' && !(x.kind === 'value' && it.kws.size > 0));
    const spread = new Set(named.map((x) => (x as { table: string }).table)).size;
    for (const sense of named) {
      if (sense.kind === 'kw' || sense.kind === 'table') continue;
      const w = (sense.kind === 'column' ? 1 / (1 + sense.rank) : 1) / spread;
      evidence.set(sense.table, (evidence.get(sense.table) ?? 0) + w + (support.get(sense.table) ?? 0) * 0.01);
    }
  }
  const ranked = [...(evidence.size ? evidence : support).entries()].sort((a, b) => b[1] - a[1]);
  if (ranked.length) {
    s.plan.guesses.push(`no table named; ${ranked[0][0]} chosen from the columns and values mentioned`);
    return { table: ranked[0][0], at: -1 };
  }
  const first = s.analysis?.relevant_tables[0]?.table_name;
  const fallback = (first && s.lex.catalog.table(first)?.name) ?? s.lex.catalog.tables[0].name;
  s.plan.guesses.push(`nothing in the question names a table; ${fallback} is a guess`);
  return { table: fallback, at: -1 };
}

/** The subject first: every later reader reads its phrase against this table. */
export function readSubject(s: ParseState): void {
  const { table, at } = chooseSubject(s, s.support);
  s.plan.subject = table;
  s.subjectAt = at;
  if (at >= 0) s.used.add(at);
  s.plan.steps.push(`Subject: ${table}${at >= 0 ? ` (from "${s.items[at].text}")` : ''}.`);
}
