/**
 * Business rules are data (data/gl/rules.json): which columns hold money,
 * percentages or counts and their bounds, which date columns delimit a
 * period, and the performance thresholds. Columns are matched by the words of
 * their names, so the rules hold for any schema that names things plainly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { DATA_DIR } from '../../paths.js';
import type { BusinessRules, NumericRule } from './types.js';
import { parseJsonData } from '../../dictionary.js';

export const DEFAULT_RULES_FILE = join(DATA_DIR, 'gl', 'rules.json');

let defaults: BusinessRules | undefined;

/** The shipped rules, read once. */
export function defaultBusinessRules(): BusinessRules {
  defaults ??= loadBusinessRules(DEFAULT_RULES_FILE);
  return defaults;
}

export function loadBusinessRules(path: string): BusinessRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_CONFIG', `rules file ${path} cannot be read (${(err as Error).message})`, { field: 'rules' });
  }
  let value: unknown;
  try {
    value = parseJsonData(text);
  } catch (err) {
    throw new AppError('INVALID_CONFIG', `rules file ${path} is not JSON (${(err as Error).message})`, { field: 'rules' });
  }
  return checkBusinessRules(value, path);
}

/** Checks the shape of a rules object and names the first wrong key. */
export function checkBusinessRules(value: unknown, source = 'rules'): BusinessRules {
  const fail = (field: string, why: string): never => {
    throw new AppError('INVALID_CONFIG', `${source}: ${field} ${why}`, { field });
  };
  if (!isObject(value)) return fail('(root)', 'must be an object');
  if (value.version !== 1) fail('version', 'must be 1');
  if (!isObject(value.numeric)) fail('numeric', 'must be an object');
  for (const [name, rule] of Object.entries(value.numeric as Record<string, unknown>)) {
    checkNumericRule(rule, `numeric.${name}`, fail);
  }
  if (!Array.isArray(value.date_ranges)) fail('date_ranges', 'must be an array');
  (value.date_ranges as unknown[]).forEach((r, i) => {
    if (!isObject(r) || typeof r.start !== 'string' || typeof r.end !== 'string') fail(`date_ranges[${i}]`, 'must be {start, end}');
  });
  const bounds = value.date_bounds;
  if (!isObject(bounds) || !isIsoDate(bounds.min) || !isIsoDate(bounds.max)) fail('date_bounds', 'must be {min, max} ISO dates');
  const perf = value.performance;
  if (!isObject(perf)) return fail('performance', 'must be an object');
  for (const key of ['large_result_rows', 'extreme_rows', 'extreme_cost', 'max_complexity']) {
    if (typeof perf[key] !== 'number' || !(perf[key] as number >= 0)) fail(`performance.${key}`, 'must be a number ≥ 0');
  }
  return value as unknown as BusinessRules;
}

function checkNumericRule(rule: unknown, field: string, fail: (field: string, why: string) => never): asserts rule is NumericRule {
  if (!isObject(rule)) fail(field, 'must be an object');
  const r = rule as Record<string, unknown>;
  for (const key of ['name_words', 'comment_words', 'columns']) {
    if (r[key] !== undefined && !(Array.isArray(r[key]) && (r[key] as unknown[]).every((w) => typeof w === 'string'))) {
      fail(`${field}.${key}`, 'must be an array of strings');
    }
  }
  for (const key of ['min', 'max']) {
    if (r[key] !== undefined && typeof r[key] !== 'number') fail(`${field}.${key}`, 'must be a number');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIsoDate(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}
