/** Reader: NULL tests ("without an email", "end date is null", "contacts with email"). */
import { has, senses, type ColumnSense } from '../items.js';
import { col } from '../query.js';
import { pickColumn, ensure } from '../resolve.js';
import { CMP, isTableItem, next, type ParseState } from '../state.js';

export function readNulls(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    if (s.used.has(i)) continue;
    const it = s.items[i];
    const before = has(it, 'null', 'without', 'notnull');
    if (!before) {
      // "end date is null", "email is not null"
      const c = pickColumn(s, it);
      if (c && !isTableItem(s, it) && has(s.items[i + 1], 'eq') && has(s.items[i + 2], 'null', 'notnull')) {
        const negated = has(s.items[i + 2], 'notnull') || has(s.items[i + 1], 'neg');
        nullCheck(s, c, negated, [i, i + 1, i + 2]);
      } else if (c && !isTableItem(s, it) && has(s.items[i + 1], 'null', 'notnull') &&
        !isTableItem(s, s.items[i + 2]) && !pickColumn(s, s.items[i + 2])) {
        // "budget not set", "email missing"
        nullCheck(s, c, has(s.items[i + 1], 'notnull') && !has(s.items[i + 1], 'null'), [i, i + 1]);
      }
      continue;
    }
    const j = next(s, i);
    const target = s.items[j];
    const c = pickColumn(s, target);
    if (!c || isTableItem(s, target) || has(s.items[j + 1], ...Object.keys(CMP), 'between')) continue;
    if (senses(target, 'measure').length) continue;
    nullCheck(s, c, has(it, 'notnull') && !has(it, 'null'), [i, j]);
  }
  // "contacts with email": a plain "with" before a nullable column that nothing compares.
  for (let i = 0; i < s.items.length; i++) {
    if (s.used.has(i) || !has(s.items[i], 'with') || s.items[i].text.toLowerCase() !== 'with') continue;
    const j = i + 1;
    const target = s.items[j];
    const c = pickColumn(s, target);
    if (!c || isTableItem(s, target) || s.used.has(j)) continue;
    const column = s.lex.catalog.column(c.table, c.column);
    if (!column?.nullable || column.category === 'number' || s.items[j + 1] && !has(s.items[j + 1], 'and', 'with')) continue;
    nullCheck(s, c, true, [i, j]);
  }
}

export function nullCheck(s: ParseState, c: ColumnSense, negated: boolean, at: number[]): void {
  ensure(s, c.table);
  s.plan.where.push({ k: 'null', arg: col(c.table, c.column), negated });
  at.forEach((k) => s.used.add(k));
  s.plan.steps.push(`Filter: ${c.column} IS ${negated ? 'NOT ' : ''}NULL.`);
}
