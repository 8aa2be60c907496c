/**
 * Batch processing: a JSONL file of requests (`{query, session_id?, mode?,
 * context?}`, the orchestrator's input) through `process`, several at once,
 * answered one output line per request in input order:
 * `{line, query, ...result or error response}`. A line that is not a JSON
 * object gets an INVALID_INPUT error response of its own and the batch goes
 * on; a request the orchestrator rejects (no query, a bad mode…) gets the
 * orchestrator's own error response. Blank lines are not requests.
 * Requests of one session keep their order: they are submitted in input
 * order and the orchestrator runs a session's turns one after another.
 */
import { AppError } from '../errors.js';
import { readJsonLines } from '../agents/query-generator/memory/jsonl.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { errorResponse, isErrorResponse, type ProcessOutcome } from '../orchestrator/result.js';
import { inOrder, mapConcurrent } from './pool.js';

export type BatchLine = { line: number; query: unknown } & ProcessOutcome;

export interface BatchSummary {
  total: number;
  completed: number;
  failed: number;
  error_codes: Record<string, number>;
}

export interface BatchOptions {
  orchestrator: Pick<Orchestrator, 'process'>;
  /** The JSONL text. */
  input: string;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Each output line, in input order, as soon as it and every line before it are done (streaming to a file). */
  onLine?: (line: BatchLine) => void;
}

export interface BatchReport {
  summary: BatchSummary;
  lines: BatchLine[];
}

type Request = { line: number; value: Record<string, unknown> } | { line: number; problem: string };

export async function runBatch(options: BatchOptions): Promise<BatchReport> {
  const requests: Request[] = readJsonLines(options.input);
  let done = 0;
  const deliver = options.onLine ? inOrder<BatchLine>((line) => options.onLine!(line)) : undefined;
  const lines = await mapConcurrent(
    requests,
    options.concurrency ?? 4,
    (request) => answer(request, options.orchestrator),
    (line, index) => {
      deliver?.(line, index);
      options.onProgress?.(++done, requests.length);
    },
  );
  const error_codes: Record<string, number> = {};
  for (const line of lines) if (isErrorResponse(line)) error_codes[line.error_code] = (error_codes[line.error_code] ?? 0) + 1;
  const failed = lines.filter((l) => isErrorResponse(l)).length;
  return { summary: { total: lines.length, completed: lines.length - failed, failed, error_codes }, lines };
}

async function answer(request: Request, orchestrator: BatchOptions['orchestrator']): Promise<BatchLine> {
  if ('problem' in request) {
    const response = errorResponse(new AppError('INVALID_INPUT', `line ${request.line}: ${request.problem}`, { line: request.line }), null);
    return { line: request.line, query: null, ...response };
  }
  const outcome = await orchestrator.process(request.value);
  return { line: request.line, query: request.value.query ?? null, ...outcome };
}
