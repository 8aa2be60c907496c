/** Reader: self-references — parent and child rows of one table. */
import { has } from '../items.js';
import { selfReference } from '../joins.js';
import { col, emptyQuery, lit } from '../query.js';
import { prevContent, type ParseState } from '../state.js';
import type { Item } from '../tokens.js';

/** Rows of a self-referencing table as children ("sub-projects") and their parents. */
export function readHierarchy(s: ParseState): void {
  const self = selfReference(s.lex.catalog, s.plan.subject);
  if (!self) return;
  const childAt = s.items.findIndex((it) => has(it, 'child'));
  const parentAt = s.items.findIndex((it) => has(it, 'parent'));
  const afterParent = has(s.items[parentAt + 1], 'eq') ? s.items[parentAt + 2] : s.items[parentAt + 1];
  if (parentAt >= 0 && (has(afterParent, 'null', 'without') || has(s.items[parentAt - 1], 'without', 'null'))) {
    // "whose parent is missing", "without a parent": top-level rows.
    s.plan.where.push({ k: 'null', arg: col(s.plan.subject, self.column), negated: false });
    s.used.add(parentAt);
    s.topLevel = true;
    s.plan.steps.push(`Top-level rows: ${self.column} IS NULL.`);
    return;
  }
  if (childAt >= 0 && !has(prevContent(s, childAt), 'have', 'without')) {
    const sx = s.plan.subject;
    s.plan.where.push({ k: 'null', arg: col(sx, self.column), negated: true });
    s.plan.steps.push(`Child rows: ${self.column} IS NOT NULL.`);
    if (parentAt >= 0 && has(prevContent(s, parentAt), 'group') && s.items.some((it) => has(it, 'count'))) {
      s.plan.groupBy.push({ expr: col(sx, self.column) });
      s.plan.steps.push(`Group by the parent (${self.column}).`);
    } else if (parentAt >= 0) {
      s.plan.selfParent = true;
      s.plan.steps.push(`LEFT JOIN ${sx} as parent on ${self.column} = parent.${self.refColumn}.`);
    }
    s.used.add(childAt);
    if (parentAt >= 0) {
      s.used.add(parentAt);
      if (has(prevContent(s, parentAt), 'group')) s.used.add(s.items.indexOf(prevContent(s, parentAt)!));
    }
  }
}

/** Parent/child words on a self-referencing table: "with their parent", "that have sub-projects". */
export function selfRelation(s: ParseState, i: number, prev: Item | undefined): void {
  const self = selfReference(s.lex.catalog, s.plan.subject);
  if (!self) return;
  const childWord = s.items.some((it) => has(it, 'child'));
  if (childWord && has(prev, 'without', 'have')) {
    const key = `${s.plan.subject}#sub`;
    const q = emptyQuery({ table: s.plan.subject, key });
    q.select = [{ expr: lit(1) }];
    q.where = [{ k: 'cmp', op: '=', left: col(key, self.column), right: col(s.plan.subject, self.refColumn) }];
    s.plan.where.push({ k: 'exists', query: q, negated: has(prev, 'without') });
    s.plan.steps.push(`${has(prev, 'without') ? 'NOT EXISTS' : 'EXISTS'} a child row (${self.column} = ${self.refColumn}).`);
  } else if (!s.topLevel && s.items.some((it) => has(it, 'parent'))) {
    s.plan.selfParent = true;
    s.plan.steps.push(`LEFT JOIN ${s.plan.subject} as parent on ${self.column} = parent.${self.refColumn}.`);
  }
}
