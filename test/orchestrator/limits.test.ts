import { describe, expect, it } from 'vitest';
import { checkInput } from '../../src/orchestrator/input.js';
import { MAX_CLIENT_SQL_LENGTH, MAX_CONTEXT_BYTES, MAX_CONTEXT_DEPTH, checkRequestSql, measureValue } from '../../src/orchestrator/limits.js';
import { SQL_BUDGET, SqlCostMeter } from '../../src/sql/budget.js';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

const problem = (input: unknown): { field?: string; message: string } | undefined => {
  try {
    checkInput(input);
    return undefined;
  } catch (err: any) {
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.requestFault).toBe(true);
    return { field: err.details.field, message: err.message };
  }
};

describe('context bounds', () => {
  it('measures depth and size without recursion, stopping at the limit', () => {
    expect(measureValue({ a: [1, 'xy'], b: null }, { depth: 10, bytes: 1000 })).toMatchObject({ depth: 2, exceeded: null });
    expect(measureValue(nested(100_000), { depth: 32, bytes: 1e9 })).toMatchObject({ exceeded: 'depth', depth: 33 });
    expect(measureValue({ s: 'x'.repeat(2000) }, { depth: 10, bytes: 1000 }).exceeded).toBe('bytes');
    const shared = { big: 'x'.repeat(500) };
    expect(measureValue([shared, shared, shared], { depth: 10, bytes: 1000 }).exceeded).toBeNull();
  });

  it('a context nested 5,000 deep is INVALID_INPUT naming context (it overflowed the stack before)', () => {
    expect(problem({ query: 'q', context: { deep: nested(5000) } })).toMatchObject({ field: 'context' });
    expect(problem({ query: 'q', context: { deep: nested(MAX_CONTEXT_DEPTH - 2) } })).toBeUndefined();
  });

  it('a context over the size limit is INVALID_INPUT naming context', () => {
    expect(problem({ query: 'q', context: { notes: 'x'.repeat(MAX_CONTEXT_BYTES) } })).toMatchObject({ field: 'context' });
    expect(problem({ query: 'q', context: { notes: 'x'.repeat(MAX_CONTEXT_BYTES / 2) } })).toBeUndefined();
  });

  it('client SQL longer than the limit is INVALID_INPUT naming its field', () => {
    const long = `SELECT ${'1,'.repeat(MAX_CLIENT_SQL_LENGTH / 2)}1`;
    expect(problem({ query: 'q', mode: 'train', context: { expected_sql: long } })?.field).toBe('context.expected_sql');
    expect(problem({ query: 'q', context: { historical_queries: ['a', { query: 'b', sql: long }] } })?.field).toBe('context.historical_queries[1].sql');
    // The parser stops at NUL: the rest would pass unchecked.
    expect(problem({ query: 'q', mode: 'train', context: { expected_sql: 'SELECT 1;\u0000DROP TABLE t' } })?.field).toBe('context.expected_sql');
  });
});

describe('the SQL parse budget (measured in a worker)', () => {
  it('names the field whose SQL has too many tokens or nests too deep, and passes ordinary SQL', async () => {
    const tokens = `SELECT ${Array(SQL_BUDGET.tokens).fill('1').join(',')}`;
    const deep = `SELECT ${'abs('.repeat(SQL_BUDGET.depth)}1${')'.repeat(SQL_BUDGET.depth)}, '${'x'.repeat(SQL_BUDGET.freeChars)}'`;
    await expect(checkRequestSql({ context: { expected_sql: tokens } })).rejects.toMatchObject({ code: 'INVALID_INPUT', requestFault: true, details: { field: 'context.expected_sql' } });
    await expect(checkRequestSql({ context: { historical_queries: [{ query: 'q', sql: deep }] } })).rejects.toMatchObject({ details: { field: 'context.historical_queries[0].sql', limit: 'depth' } });
    // Short texts are within budget by their length, whatever their shape.
    await expect(checkRequestSql({ context: { expected_sql: `SELECT ${'abs('.repeat(80)}1${')'.repeat(80)}` } })).resolves.toBeUndefined();
    await expect(checkRequestSql({ context: { expected_sql: 'SELECT a FROM t WHERE b > 1', historical_queries: ['x'] as never } })).resolves.toBeUndefined();
    // Text that does not parse is within budget: the parser's own error is reported where the SQL is used.
    await expect(checkRequestSql({ context: { expected_sql: 'SELEC nonsense ((' } })).resolves.toBeUndefined();
  });

  it('a text the worker cannot measure in time is over budget, and a fresh worker measures the next', async () => {
    const meter = new SqlCostMeter({ freeChars: 0, tokens: 1e9, depth: 1e9, ms: 1 });
    try {
      const slow = `SELECT ${Array(200_000).fill('1').join(',')}`;
      expect((await meter.measure(slow)).exceeded).toBe('time');
      const patient = new SqlCostMeter({ freeChars: 0, tokens: 10, depth: 10, ms: 5000 });
      expect(await patient.measure('SELECT 1')).toMatchObject({ exceeded: null, tokens: 2 });
      await patient.close();
    } finally {
      await meter.close();
    }
  });
});
