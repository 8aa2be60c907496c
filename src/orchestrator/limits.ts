/**
 * Bounds on what one request may carry, so that no client's input costs the
 * service more than a fixed amount of memory and CPU: the `context` object's
 * nesting and size, and the size of the SQL it carries. Every measure here is
 * iterative and stops as soon as a limit is passed, so its own cost is
 * bounded by the limit, not by the input (a context nested 5,000 deep would
 * overflow the stack of a recursive walk, or of JSON.stringify).
 */
import { AppError } from '../errors.js';
import { MAX_CLIENT_SQL_LENGTH, SQL_BUDGET, measureSqlCost } from '../sql/budget.js';

export { MAX_CLIENT_SQL_LENGTH };
import type { RequestContext } from '../agents/types.js';

/** Nesting of objects and arrays inside `context` (its own level is 1). */
export const MAX_CONTEXT_DEPTH = 32;
/** Approximate JSON size of `context`, in characters. */
export const MAX_CONTEXT_BYTES = 64 * 1024;
/** Items of `context.historical_queries`. */
export const MAX_HISTORY_ITEMS = 100;

export interface ValueMeasure {
  /** Deepest nesting of objects and arrays (a scalar is 0). */
  depth: number;
  /** Approximate JSON size in characters; an object reached twice is counted once. */
  bytes: number;
  /** The measure stopped early: `depth` or `bytes` passed its limit. */
  exceeded: 'depth' | 'bytes' | null;
}

/**
 * Depth and approximate JSON size of a value, walking it with an explicit
 * stack. Strings count their length plus quotes, numbers and literals a few
 * characters, each key its length plus punctuation.
 */
export function measureValue(value: unknown, limits: { depth: number; bytes: number }): ValueMeasure {
  let depth = 0;
  let bytes = 0;
  const seen = new Set<object>();
  // Two parallel stacks rather than one of pairs: no allocation per value.
  const values: unknown[] = [value];
  const levels: number[] = [0];
  while (values.length > 0) {
    const item = values.pop();
    const level = levels.pop()!;
    if (typeof item === 'string') bytes += item.length + 2;
    else if (item === null || typeof item !== 'object') bytes += 6;
    else if (!seen.has(item)) {
      seen.add(item);
      const inner = level + 1;
      if (inner > depth) depth = inner;
      if (depth > limits.depth) return { depth, bytes, exceeded: 'depth' };
      bytes += 2;
      if (Array.isArray(item)) {
        for (const element of item) {
          values.push(element);
          levels.push(inner);
        }
        bytes += item.length;
      } else {
        for (const key in item) {
          if (!Object.hasOwn(item, key)) continue;
          bytes += key.length + 4;
          values.push((item as Record<string, unknown>)[key]);
          levels.push(inner);
        }
      }
    }
    if (bytes > limits.bytes) return { depth, bytes, exceeded: 'bytes' };
  }
  return { depth, bytes, exceeded: null };
}

/** INVALID_INPUT naming `context` when it is nested too deep or too large. */
export function checkContextBounds(context: object): void {
  const measure = measureValue(context, { depth: MAX_CONTEXT_DEPTH, bytes: MAX_CONTEXT_BYTES });
  if (measure.exceeded === 'depth') {
    throw new AppError('INVALID_INPUT', `context must be nested at most ${MAX_CONTEXT_DEPTH} levels deep`, { field: 'context', limit: MAX_CONTEXT_DEPTH }, { requestFault: true });
  }
  if (measure.exceeded === 'bytes') {
    throw new AppError('INVALID_INPUT', `context must be at most ${MAX_CONTEXT_BYTES} characters as JSON`, { field: 'context', limit: MAX_CONTEXT_BYTES }, { requestFault: true });
  }
}

/** INVALID_INPUT naming the field when a client's SQL is longer than MAX_CLIENT_SQL_LENGTH or holds a NUL character. */
export function checkSqlLength(field: string, sql: string): void {
  // The parser stops at a NUL character: what follows one would escape every check made on the parse.
  if (sql.includes('\u0000')) throw new AppError('INVALID_INPUT', `${field} must not contain NUL characters`, { field }, { requestFault: true });
  if (sql.length > MAX_CLIENT_SQL_LENGTH) {
    throw new AppError('INVALID_INPUT', `${field} must be at most ${MAX_CLIENT_SQL_LENGTH} characters, got ${sql.length}`, { field, limit: MAX_CLIENT_SQL_LENGTH }, { requestFault: true });
  }
}

/** Every SQL text a request carries, with the field that holds it. */
function clientSql(context: RequestContext): Array<[string, string]> {
  const texts: Array<[string, string]> = [];
  if (typeof context.expected_sql === 'string') texts.push(['context.expected_sql', context.expected_sql]);
  (context.historical_queries ?? []).forEach((item, i) => {
    if (typeof item === 'object' && typeof item.sql === 'string') texts.push([`context.historical_queries[${i}].sql`, item.sql]);
  });
  return texts;
}

const OVER_BUDGET: Record<'tokens' | 'depth' | 'time', string> = {
  tokens: `must be at most ${SQL_BUDGET.tokens} tokens`,
  depth: `must nest at most ${SQL_BUDGET.depth} levels of expressions and subqueries`,
  time: `could not be parsed within ${SQL_BUDGET.ms} ms`,
};

/**
 * The parse cost of every SQL text in a checked request, measured off the
 * event loop (src/sql/budget.ts); INVALID_INPUT naming the field over budget.
 */
export async function checkRequestSql(input: { context: RequestContext }): Promise<void> {
  for (const [field, sql] of clientSql(input.context)) {
    const cost = await measureSqlCost(sql);
    if (cost.exceeded) {
      const got = cost.exceeded === 'tokens' ? `, got ${cost.tokens}` : cost.exceeded === 'depth' ? `, got ${cost.depth}` : '';
      throw new AppError('INVALID_INPUT', `${field} ${OVER_BUDGET[cost.exceeded]}${got}`, { field, limit: cost.exceeded }, { requestFault: true });
    }
  }
}
