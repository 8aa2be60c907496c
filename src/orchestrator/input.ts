/**
 * Checks of `process()` input. Every problem names the field at fault;
 * unknown context keys are kept and passed on.
 */
import { AppError } from '../errors.js';
import type { HistoricalQuery, Mode, RequestContext } from '../agents/types.js';
import { MAX_HISTORY_ITEMS, checkContextBounds, checkSqlLength } from './limits.js';

export const MAX_QUERY_LENGTH = 4000;
export const MAX_SESSION_ID_LENGTH = 128;

export interface ProcessInput {
  query: string;
  context?: RequestContext;
  session_id?: string;
  mode?: Mode;
}

export interface CheckedInput {
  query: string;
  context: RequestContext;
  session_id?: string;
  mode: Mode;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function checkInput(raw: unknown): CheckedInput {
  if (!isObject(raw)) throw bad('input', 'must be an object with a `query` string');
  const { query, context, session_id, mode } = raw;
  if (query === undefined || query === null) throw bad('query', 'is required');
  if (typeof query !== 'string') throw bad('query', `must be a string, got ${typeName(query)}`);
  if (query.trim() === '') throw bad('query', 'must not be empty');
  if (query.length > MAX_QUERY_LENGTH) throw bad('query', `must be at most ${MAX_QUERY_LENGTH} characters, got ${query.length}`);
  if (mode !== undefined && mode !== 'generate' && mode !== 'train') {
    throw bad('mode', `must be "generate" or "train", got ${JSON.stringify(mode)}`);
  }
  if (session_id !== undefined) {
    if (typeof session_id !== 'string') throw bad('session_id', `must be a string, got ${typeName(session_id)}`);
    if (session_id.trim() === '' || session_id.length > MAX_SESSION_ID_LENGTH) {
      throw bad('session_id', `must be 1 to ${MAX_SESSION_ID_LENGTH} characters`);
    }
  }
  return { query, context: checkContext(context), session_id, mode: mode ?? 'generate' };
}

function checkContext(context: unknown): RequestContext {
  if (context === undefined || context === null) return {};
  if (!isObject(context)) throw bad('context', `must be an object, got ${typeName(context)}`);
  checkContextBounds(context);
  for (const key of ['user_preferences', 'business_rules'] as const) {
    if (context[key] !== undefined && !isObject(context[key])) throw bad(`context.${key}`, `must be an object, got ${typeName(context[key])}`);
  }
  if (context.expected_sql !== undefined && (typeof context.expected_sql !== 'string' || context.expected_sql.trim() === '')) {
    throw bad('context.expected_sql', 'must be a non-empty SQL string');
  }
  if (typeof context.expected_sql === 'string') checkSqlLength('context.expected_sql', context.expected_sql);
  const history = context.historical_queries;
  if (history !== undefined) {
    if (!Array.isArray(history)) throw bad('context.historical_queries', `must be an array, got ${typeName(history)}`);
    if (history.length > MAX_HISTORY_ITEMS) throw bad('context.historical_queries', `must hold at most ${MAX_HISTORY_ITEMS} items, got ${history.length}`);
    history.forEach((item, i) => {
      const field = `context.historical_queries[${i}]`;
      if (typeof item === 'string') return;
      if (!isObject(item) || typeof item.query !== 'string') throw bad(field, 'must be a string or an object {query, sql?}');
      if (item.sql !== undefined && typeof item.sql !== 'string') throw bad(`${field}.sql`, 'must be a string');
      if (typeof item.sql === 'string') checkSqlLength(`${field}.sql`, item.sql);
    });
  }
  return context as RequestContext;
}

/** History items as `{query, sql?}`, whichever form the caller used. */
export function normalizeHistory(history: RequestContext['historical_queries'] | Array<string | HistoricalQuery> | undefined): HistoricalQuery[] {
  return (history ?? []).map((item) => (typeof item === 'string' ? { query: item } : { query: item.query, ...(item.sql ? { sql: item.sql } : {}) }));
}

function bad(field: string, problem: string): AppError {
  return new AppError('INVALID_INPUT', `${field} ${problem}`, { field }, { requestFault: true });
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
