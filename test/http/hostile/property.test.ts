/**
 * The hostile-client property: generated request bodies (every JSON type,
 * deep nesting, large strings, unicode, prototype keys, SQL-looking text)
 * sent to a real server with the shipped agents on a loopback port. No body
 * gets a 5xx, every answer has the error shape or the result shape, no
 * circuit opens, and /health answers alongside every request.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOf } from '../../../src/http/errors.js';
import { ERROR_KEYS, startService, type Running } from './support.js';

/** A JSON value whose objects are entry lists, so a key may be `__proto__` in the text sent. */
type Json = null | boolean | number | string | Json[] | { entries: Array<[string, Json]> } | { raw: string };

function toText(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(toText).join(',')}]`;
  if (value !== null && typeof value === 'object' && 'raw' in value) return value.raw;
  if (value !== null && typeof value === 'object') return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toText(v)}`).join(',')}}`;
  return JSON.stringify(value);
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const key = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 120_000 }).map((n) => 'x'.repeat(n)) },
);
/** Mostly the well-formed value, sometimes anything at all. */
const usually = (arb: fc.Arbitrary<Json>): fc.Arbitrary<Json> => fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null).chain(() => tree) });
const leaf: fc.Arbitrary<Json> = fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.integer(), text);
const tree: fc.Arbitrary<Json> = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }).map((entries) => ({ entries })),
  ),
})).node;
/** A value nested `depth` levels deep, around the context limit and far beyond it. */
const deep: fc.Arbitrary<Json> = fc.tuple(fc.integer({ min: 1, max: 6000 }), leaf).map(([depth, inner]) => {
  const open = Array.from({ length: depth }, (_, i) => (i % 2 === 0 ? '[' : '{"a":')).join('');
  const close = Array.from({ length: depth }, (_, i) => (i % 2 === 0 ? ']' : '}')).reverse().join('');
  return { raw: `${open}${toText(inner)}${close}` };
});

const TABLES = ['PAC_MNT_PROJECTS', 'SRM_COMPANIES', 'PROJCNTRTS', 'no_such_table', 'pg_shadow'];
const sqlText = fc.oneof(
  fc.tuple(fc.constantFrom('*', 'count(*)', 'Budget', 'Project_Name, Budget'), fc.constantFrom(...TABLES)).map(([cols, t]) => `SELECT ${cols} FROM ${t} LIMIT 5`),
  fc.integer({ min: 1, max: 15_000 }).map((n) => `SELECT ${Array(n).fill('1').join(',')}`),
  fc.integer({ min: 1, max: 400 }).map((n) => `SELECT ${'abs('.repeat(n)}1${')'.repeat(n)}`),
  fc.constantFrom('DROP TABLE PAC_MNT_PROJECTS', 'SELECT 1; DELETE FROM SRM_COMPANIES', 'SELECT \u0000 1', 'SELEC nonsense ((', ''),
  text,
);
const questions = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Show all active projects', 'How many companies are there', 'Total budget by project type', 'Which company has the most contracts?', 'delete all customers') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Show', 'How many', 'List'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })).map(([a, b]) => `${a} ${b}`) },
  { weight: 1, arbitrary: text },
);
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });
const entriesOf = (fields: Record<string, Json | undefined>): Json => ({ entries: Object.entries(fields).filter((e): e is [string, Json] => e[1] !== undefined) });

const context: fc.Arbitrary<Json> = fc
  .record({
    expected_sql: maybe(usually(sqlText)),
    historical_queries: maybe(usually(fc.array(fc.oneof(questions, fc.record({ query: questions, sql: sqlText }).map((r) => entriesOf(r))), { maxLength: 120 }))),
    user_preferences: maybe(usually(fc.record({ strict_mode: fc.boolean(), hint_tables: fc.array(fc.constantFrom(...TABLES, ...PROTOTYPE_KEYS)) }).map((r) => entriesOf(r)))),
    business_rules: maybe(usually(fc.array(fc.tuple(key, fc.oneof(questions, tree)), { maxLength: 3 }).map((entries) => ({ entries })))),
    extra: maybe(fc.oneof(tree, deep)),
    proto: maybe(fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS), tree)),
  })
  .map(({ proto, ...fields }) => {
    const value = entriesOf(fields) as { entries: Array<[string, Json]> };
    if (proto) value.entries.push(proto);
    return value;
  });

const queryBody: fc.Arbitrary<Json> = fc
  .record({
    query: usually(questions),
    mode: maybe(usually(fc.constantFrom('generate', 'train'))),
    session_id: maybe(usually(fc.string({ minLength: 1, maxLength: 12 }).map((id) => `s-${id}`))),
    context: maybe(fc.oneof({ weight: 5, arbitrary: context }, { weight: 1, arbitrary: tree }, { weight: 1, arbitrary: deep })),
  })
  .map((r) => entriesOf(r));

const request = fc.oneof(
  { weight: 8, arbitrary: queryBody.map((body) => ({ route: '/v1/query', body: toText(body) })) },
  { weight: 1, arbitrary: fc.array(queryBody, { minLength: 1, maxLength: 3 }).map((items) => ({ route: '/v1/batch', body: toText({ entries: [['items', items]] }) })) },
  { weight: 1, arbitrary: fc.oneof(tree, deep).map((body) => ({ route: '/v1/query', body: toText(body) })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((body) => ({ route: '/v1/query', body })) },
);

describe('hostile clients (property, shipped agents)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startService({ shipped: true });
  }, 120_000);
  afterAll(() => s.service.close());

  it('no generated body gets a 5xx or opens a circuit, and /health always answers', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ route, body }) => {
        const answer = fetch(`${s.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const health = await fetch(`${s.url}/health`);
        expect(health.status).toBe(200);
        const res = await answer;
        const json = (await res.json()) as Record<string, unknown>;
        expect(res.status, JSON.stringify(json).slice(0, 300)).toBeLessThan(500);
        if (res.status >= 400) for (const k of ERROR_KEYS) expect(json).toHaveProperty(k);
        else if (route === '/v1/query') expect(json).toHaveProperty('workflow_stage', 'completed');
        else for (const item of json.results as Array<Record<string, unknown>>) expect(item.error_code === undefined ? 200 : statusOf(String(item.error_code))).toBeLessThan(500);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 60), ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
    const circuits = Object.values(s.orchestrator.metrics().agents).map((a) => a.circuit);
    expect(circuits.every((c) => c === 'closed')).toBe(true);
  }, 600_000);
});
