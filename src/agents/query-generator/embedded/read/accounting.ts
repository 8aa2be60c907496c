/**
 * Reader: every word accounted for. A content word no reader used means the
 * reading missed part of the question; it is named ("not understood:
 * 'second'") and lowers the confidence. A word that names a table or column
 * the plan already uses is accounted for however it was reached ("projects
 * in the IT department": "department" names the column of the condition).
 * Misspellings read by edit distance are guesses too.
 */
import { isContent } from '../items.js';
import type { Plan } from '../plan.js';
import { mapCond, mapExpr, type Expr } from '../query.js';
import { inPlay, type ParseState } from '../state.js';

/** `TABLE.Column` of every column the plan refers to. */
export function planColumns(plan: Plan): Set<string> {
  const out = new Set<string>();
  const see = (e: Expr): Expr => {
    if (e.k === 'col' || e.k === 'tpl') {
      const table = e.src.split('#')[0];
      if (e.k === 'col') out.add(`${table}.${e.column}`.toLowerCase());
      else for (const p of e.parts) if (typeof p !== 'string') out.add(`${table}.${p.column}`.toLowerCase());
    }
    if (e.k === 'sub') {
      for (const w of e.query.where) mapCond(w, see);
      for (const x of e.query.select) if (x.expr.k !== 'star') mapExpr(x.expr, see);
    }
    return e;
  };
  const cond = (c: Parameters<typeof mapCond>[0]) => {
    if (c.k === 'exists') c.query.where.forEach(cond);
    else mapCond(c, see);
  };
  plan.where.forEach(cond);
  plan.having.forEach(cond);
  for (const g of plan.groupBy) mapExpr(g.expr, see);
  for (const o of plan.orderBy) mapExpr(o.expr, see);
  for (const a of plan.aggregates) if (a.arg) mapExpr(a.arg, see);
  for (const c of plan.computed) if (c.expr.k !== 'star') mapExpr(c.expr, see);
  for (const d of plan.distinct ?? []) mapExpr(d, see);
  return out;
}

export function readAccounting(s: ParseState): void {
  const columns = planColumns(s.plan);
  const tables = new Set([...inPlay(s), ...s.existsTargets.keys()]);
  for (let i = 0; i < s.items.length; i++) {
    const it = s.items[i];
    if (s.used.has(i)) {
      if (it.fuzzy) s.plan.guesses.push(`"${it.text}" read as a misspelling`);
      continue;
    }
    if (it.kind === 'phrase' && !isContent(it)) continue;
    if (s.lex.stopwords.has(it.text.toLowerCase())) continue;
    const named = it.senses.some((x) => (x.kind === 'table' && tables.has(x.table)) ||
      ((x.kind === 'column' || x.kind === 'value') && columns.has(`${x.table}.${x.column}`.toLowerCase())));
    if (named) continue;
    s.unused.push(it.text);
  }
  if (s.unused.length) s.plan.steps.push(`Not understood: ${s.unused.map((w) => `'${w}'`).join(', ')}.`);
}
