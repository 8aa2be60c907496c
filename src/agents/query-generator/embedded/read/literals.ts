/** Reader: quoted text and codes the other readers left, as values or name patterns. */
import { has, senses } from '../items.js';
import { col, lit } from '../query.js';
import { ensure, viaForeignKey, findValue, patternColumn } from '../resolve.js';
import { facts, isTableItem, type ParseState } from '../state.js';

/** Quoted text and codes the other readers left: equal to a known value, else a name pattern. */
export function readLiterals(s: ParseState): void {
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (s.used.has(i) || (it.kind !== 'quoted' && !(it.kind === 'unknown' && /[A-Z0-9]/.test(it.text) && /\d|^[A-Z]/.test(it.text)))) continue;
    if (it.kind === 'unknown' && i === 0) continue;
    const found = viaForeignKey(s, findValue(s, it.text));
    s.used.add(i);
    if (found) {
      ensure(s, found.table);
      s.plan.where.push({ k: 'cmp', op: has(s.items[i - 1], 'neg') ? '<>' : '=', left: col(found.table, found.column), right: lit(found.value) });
      s.plan.steps.push(`Literal "${it.text}" is a ${found.table}.${found.column} value.`);
      continue;
    }
    if (it.kind !== 'quoted' && !/\d/.test(it.text)) continue;
    // "the resource RES001": a code right after a table word is that table's code.
    const named = isTableItem(s, s.items[i - 1]) ? senses(s.items[i - 1], 'table')[0].table : undefined;
    const namedCode = named && /\d/.test(it.text) ? facts(s, named).codeColumn : undefined;
    const column = named && namedCode ? { table: named, column: namedCode } : patternColumn(s, i, it.text, false);
    if (!column) continue;
    ensure(s, column.table);
    s.plan.where.push(/\d/.test(it.text) && column.column === facts(s, column.table).codeColumn
      ? { k: 'cmp', op: '=', left: col(column.table, column.column), right: lit(it.text) }
      : { k: 'like', arg: col(column.table, column.column), pattern: `%${it.text}%`, negated: false });
    s.plan.guesses.push(`literal "${it.text}" not found among known values`);
    s.plan.steps.push(`Literal "${it.text}" matched against ${column.column}.`);
  }
}
