/** Reader: other tables named by the question — joined, tested for existence (with / without), or left joined. */
import { has, isContent } from '../items.js';
import { selfRelation } from './hierarchy.js';
import { ensure, join, existence } from '../resolve.js';
import { CMP, tableOf, isTableItem, prevContent, type ParseState } from '../state.js';

/** Other tables: joined, tested for existence, or counted, by the words before them. */
export function readTables(s: ParseState): void {
  const support = s.support;
  for (let i = 0; i < s.items.length; i++) {
    if (s.used.has(i) || !isTableItem(s, s.items[i])) continue;
    // "without staff assignments": a compound names one table, its head word last.
    let head = i;
    while (isTableItem(s, s.items[head + 1]) && s.items[head + 1].at === s.items[head].end && !s.used.has(head + 1)) head++;
    for (let k = i; k < head; k++) s.used.add(k);
    const prev = prevContent(s, i);
    // "more than 3 staff", "multiple contracts", "number of contracts": a count, read with the comparisons or measures.
    if ((prev?.kind === 'num' && has(s.items[i - 2], ...Object.keys(CMP))) || has(prev, 'multiple', 'count')) {
      for (let k = i; k <= head; k++) s.used.delete(k);
      i = head;
      continue;
    }
    i = head;
    const table = tableOf(s, s.items[i], support, has(prev, 'without', 'have', 'with', 'left') ? s.plan.subject : undefined);
    if (!table) continue;
    s.used.add(i);
    if (has(prev, 'group')) {
      s.used.delete(i);
      continue;
    }
    if (table === s.plan.subject) {
      selfRelation(s, i, prev);
      continue;
    }
    if (has(prev, 'most', 'least')) {
      s.used.delete(i);
      continue;
    }
    if (has(prev, 'left') || s.items.slice(i + 1).some((it) => has(it, 'left'))) {
      join(s, table, 'LEFT', `"${s.items[i].text}" optional: LEFT JOIN keeps rows without a match`);
    } else if (has(prev, 'without') || negatedVerb(s, i) || (has(prev, 'and', 'or') && s.lastExistence === 'without')) {
      // "without contracts or contacts": the coordinated noun shares the test.
      existence(s, table, true, i);
      s.lastExistence = 'without';
    } else if (has(prev, 'have') || (has(prev, 'and', 'or') && s.lastExistence === 'have')) {
      existence(s, table, false, i);
      s.lastExistence = 'have';
    } else if (has(prev, 'with')) {
      // "with their contact information": details shown where they exist, every row kept.
      const optional = /\b(information|info|details?)\b/i.test(s.items[i].text) && /\btheir\b|\bits\b/i.test(prev!.text);
      join(s, table, optional ? 'LEFT' : s.options.withJoin ?? 'INNER', `"${prev!.text} ${s.items[i].text}": ${optional ? 'optional details, LEFT' : ''} join`);
    } else if (s.plan.joins.has(table)) {
      ensure(s, table);
    } else {
      const path = s.lex.path(s.plan.subject, table);
      if (path?.every((h) => h.toParent)) join(s, table, 'LEFT', `"${s.items[i].text}" is a parent of ${s.plan.subject}: LEFT JOIN`);
      else join(s, table, s.options.withJoin ?? 'INNER', `"${s.items[i].text}": join`);
    }
  }
}

/**
 * "never received any evaluation", "that did not have a concert", "do not hire
 * any employee": a negated verb before a table word is its non-existence.
 * The negation and the verb are used.
 */
function negatedVerb(s: ParseState, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && has(s.items[j], 'all') && !isContent(s.items[j])) j--;
  const verb = s.items[j];
  const verbal = verb && (verb.kind === 'unknown' || has(verb, 'have')) && !isTableItem(s, verb);
  if (!verbal) return false;
  let k = j - 1;
  if (k >= 0 && /^(do|does|did)$/i.test(s.items[k].text)) k--;
  if (!has(s.items[k], 'neg')) return false;
  for (let x = k; x < i; x++) s.used.add(x);
  return true;
}
