import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInput, MAX_QUERY_LENGTH, normalizeHistory } from '../../src/orchestrator/input.js';

const fieldOf = (input: unknown): string | undefined => {
  try {
    checkInput(input);
    return undefined;
  } catch (err: any) {
    expect(err.code).toBe('INVALID_INPUT');
    return err.details.field;
  }
};

describe('process() input checks', () => {
  it.each([
    [undefined, 'input'],
    ['just a string', 'input'],
    [[], 'input'],
    [{}, 'query'],
    [{ query: null }, 'query'],
    [{ query: 42 }, 'query'],
    [{ query: '   ' }, 'query'],
    [{ query: 'x'.repeat(MAX_QUERY_LENGTH + 1) }, 'query'],
    [{ query: 'q', mode: 'fast' }, 'mode'],
    [{ query: 'q', mode: 1 }, 'mode'],
    [{ query: 'q', session_id: 7 }, 'session_id'],
    [{ query: 'q', session_id: '' }, 'session_id'],
    [{ query: 'q', context: 'ctx' }, 'context'],
    [{ query: 'q', context: [] }, 'context'],
    [{ query: 'q', context: { user_preferences: 'x' } }, 'context.user_preferences'],
    [{ query: 'q', context: { business_rules: [] } }, 'context.business_rules'],
    [{ query: 'q', context: { historical_queries: 'x' } }, 'context.historical_queries'],
    [{ query: 'q', context: { historical_queries: [{ sql: 'x' }] } }, 'context.historical_queries[0]'],
    [{ query: 'q', context: { historical_queries: ['a', { query: 'b', sql: 3 }] } }, 'context.historical_queries[1].sql'],
    [{ query: 'q', context: { expected_sql: 5 } }, 'context.expected_sql'],
  ])('%j → INVALID_INPUT naming %s', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('accepts the specification’s input, keeps unknown context keys, defaults mode to generate', () => {
    const checked = checkInput({ query: 'q', context: { user_preferences: {}, custom: 1, historical_queries: ['a', { query: 'b', sql: 'SELECT 1' }] } });
    expect(checked.mode).toBe('generate');
    expect(checked.context.custom).toBe(1);
    expect(normalizeHistory(checked.context.historical_queries)).toEqual([{ query: 'a' }, { query: 'b', sql: 'SELECT 1' }]);
    expect(checkInput({ query: 'x'.repeat(MAX_QUERY_LENGTH) }).query).toHaveLength(MAX_QUERY_LENGTH);
  });

  it('never throws anything but INVALID_INPUT naming a field, for any value', () => {
    fc.assert(
      fc.property(fc.anything(), fc.record({ query: fc.anything(), mode: fc.anything(), context: fc.anything(), session_id: fc.anything() }, { requiredKeys: [] }), (a, b) => {
        for (const input of [a, b]) {
          const field = fieldOf(input);
          if (field !== undefined) expect(field.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
