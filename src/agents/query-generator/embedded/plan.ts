/**
 * The meaning of a question, between its words and its SQL: what is selected
 * and measured, the conditions, groups, order and limit, and which tables take
 * part. Readers (`read/`) build it; `lower.ts` compiles it to a `Query` over
 * the schema's foreign-key graph.
 */
import type { Cond, Expr, OrderItem, SelectItem } from './query.js';

/** A measure of the answer: an aggregate of a column or expression, or a row count. */
export interface Aggregate {
  /** SUM, AVG, MIN, MAX, COUNT; '' when `arg` is already an aggregate expression. */
  fn: string;
  arg?: Expr;
  distinct?: boolean;
  alias: string;
  /** COUNT of another table's rows. */
  countTable?: string;
}

export interface Plan {
  /** The table whose rows the question is about. */
  subject: string;
  /** Other tables taking part, joined along their foreign-key path from the subject. */
  joins: Map<string, 'INNER' | 'LEFT'>;
  where: Cond[];
  /** Columns computed per row (derived measures, correlated counts, windows). */
  computed: SelectItem[];
  aggregates: Aggregate[];
  groupBy: Array<{ expr: Expr; alias?: string }>;
  having: Cond[];
  orderBy: OrderItem[];
  limit?: number;
  /** The columns the question asks to see ("the names and ages of …"), instead of whole rows. */
  columns: Array<{ expr: Expr; alias?: string }>;
  /** DISTINCT listing of these expressions. */
  distinct?: Expr[];
  steps: string[];
  guesses: string[];
  /** Source of the grouped query when it is not the subject (counting related rows). */
  from?: string;
  selfParent?: boolean;
  /** Groups start from this table's parent and keep those with no rows (LEFT JOIN). */
  keepZero?: string;
  /** Rows are multiplied by a join: count distinct keys. */
  countDistinct?: boolean;
}

export function emptyPlan(): Plan {
  return { subject: '', joins: new Map(), where: [], columns: [], computed: [], aggregates: [], groupBy: [], having: [], orderBy: [], steps: [], guesses: [] };
}
