/**
 * `gl-rl learn --dataset FILE`: teaches the memory every `{query, sql}` line
 * of a JSONL dataset. `{query, expect}` lines (refusal and safety probes)
 * carry no SQL to learn and are skipped; anything else that is not a usable
 * pair is reported with its line number, and the rest is still learned.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../../errors.js';
import { readJsonLines } from './jsonl.js';
import type { ExampleMemory, LineProblem, NewExample } from './example-memory.js';

export interface LearnReport {
  path: string;
  added: number;
  replaced: number;
  unchanged: number;
  /** `expect` lines, which have nothing to learn. */
  skipped: number;
  problems: LineProblem[];
}

export async function learnFromDataset(memory: ExampleMemory, path: string): Promise<LearnReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_INPUT', `cannot read dataset ${path}: ${(err as Error).message}`, { field: 'dataset' });
  }
  const problems: LineProblem[] = [];
  const pairs: NewExample[] = [];
  const lineOf: number[] = [];
  let skipped = 0;
  for (const entry of readJsonLines(text)) {
    if (entry.problem !== undefined) {
      problems.push({ line: entry.line, message: entry.problem });
      continue;
    }
    const { query, sql, expect } = entry.value;
    if (expect !== undefined) {
      skipped++;
    } else if (typeof query !== 'string' || typeof sql !== 'string') {
      problems.push({ line: entry.line, message: 'a line needs "query" and "sql" strings (or "expect")' });
    } else {
      pairs.push({ query, sql, source: 'learn' });
      lineOf.push(entry.line);
    }
  }
  const result = await memory.add(pairs);
  for (const { index, reason } of result.rejected) problems.push({ line: lineOf[index], message: reason });
  problems.sort((a, b) => a.line - b.line);
  return { path, added: result.added, replaced: result.replaced, unchanged: result.unchanged, skipped, problems };
}
