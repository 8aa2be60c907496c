/**
 * Question sets for `gl-rl eval` and `gl-rl train`: JSONL, one item a line.
 * `{query, sql, alternatives?}` carries gold SQL (alternatives are other
 * acceptable answers); `{query, expect: "refuse"}` is a write request that
 * must be refused; `{query, expect: "safe"}` is hostile text whose output, if
 * any, must be one read-only statement. A line that is none of these is
 * reported with its line number and left out; the rest is still used.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { readJsonLines } from '../agents/query-generator/memory/jsonl.js';
import type { LineProblem } from '../agents/query-generator/memory/index.js';

export type Expectation = 'sql' | 'refuse' | 'safe';

export interface DatasetItem {
  /** 1-based line in the file. */
  line: number;
  query: string;
  expect: Expectation;
  /** Gold SQL (`expect: "sql"` only). */
  sql?: string;
  /** Other acceptable gold SQL. */
  alternatives: string[];
}

export interface Dataset {
  path?: string;
  items: DatasetItem[];
  problems: LineProblem[];
}

const EXPECTATIONS: readonly string[] = ['refuse', 'safe'];

export function parseDataset(text: string, path?: string): Dataset {
  const items: DatasetItem[] = [];
  const problems: LineProblem[] = [];
  for (const entry of readJsonLines(text)) {
    if (entry.problem !== undefined) {
      problems.push({ line: entry.line, message: entry.problem });
      continue;
    }
    const checked = toItem(entry.value, entry.line);
    if ('problem' in checked) problems.push({ line: entry.line, message: checked.problem });
    else items.push(checked.item);
  }
  return { ...(path === undefined ? {} : { path }), items, problems };
}

/** Reads a dataset file; an unreadable file is INVALID_INPUT naming `dataset` (the run cannot be done). */
export async function readDataset(path: string): Promise<Dataset> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_INPUT', `cannot read dataset ${path}: ${(err as Error).message}`, { field: 'dataset' });
  }
  return parseDataset(text, path);
}

function toItem(value: Record<string, unknown>, line: number): { item: DatasetItem } | { problem: string } {
  const { query, sql, expect, alternatives } = value;
  if (typeof query !== 'string' || query.trim() === '') return { problem: '"query" must be a non-empty string' };
  if (expect !== undefined) {
    if (typeof expect !== 'string' || !EXPECTATIONS.includes(expect)) return { problem: '"expect" must be "refuse" or "safe"' };
    if (sql !== undefined) return { problem: 'a line has either "sql" or "expect", not both' };
    return { item: { line, query, expect: expect as Expectation, alternatives: [] } };
  }
  if (typeof sql !== 'string' || sql.trim() === '') return { problem: 'a line needs a non-empty "sql" string, or "expect": "refuse" | "safe"' };
  if (alternatives !== undefined && !(Array.isArray(alternatives) && alternatives.every((a) => typeof a === 'string' && a.trim() !== ''))) {
    return { problem: '"alternatives" must be an array of non-empty SQL strings' };
  }
  return { item: { line, query, expect: 'sql', sql, alternatives: (alternatives as string[] | undefined) ?? [] } };
}
