/**
 * The parse cost of SQL that a client sends (train mode's `expected_sql`, a
 * history item's `sql`), measured in a worker thread so that no text, however
 * costly, holds the event loop: the parser is synchronous WASM, and the cost
 * of everything done later with a parse tree (walks, facts, matching) grows
 * with its tokens and its nesting. SQL within the budget is cheap to handle on
 * the main thread (see docs/api.md, "Limits"); SQL over it is the request's own
 * failure.
 *
 * One worker, started on first use and released when idle, takes one text at
 * a time; a text that it cannot measure within `SQL_BUDGET.ms` stops the
 * worker (a fresh one takes the next text). The worker's code is plain
 * JavaScript evaluated in the thread, like the database workers', so it runs
 * the same from `src/` under tsx or vitest and from `dist/`. Recent verdicts
 * are kept, so the HTTP layer's check and the orchestrator's cost one
 * measurement, and a gold query repeated across a training group costs one.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Characters of any SQL a client sends (gold SQL, history SQL, completions to score). */
export const MAX_CLIENT_SQL_LENGTH = 20_000;

export const SQL_BUDGET = Object.freeze({
  /**
   * Texts up to this length are within budget by their length alone (at most as many tokens, and a
   * nesting no walk of the tree overflows on): they are not sent to the worker.
   */
  freeChars: 1_000,
  /** Lexer tokens. */
  tokens: 1_000,
  /** Nesting of typed parse-tree nodes (an expression inside a call inside a subquery …). */
  depth: 64,
  /** Time the worker may take to measure one text. */
  ms: 2_000,
});

export interface SqlCost {
  /** Lexer tokens (0 for a text within budget by its length, which is not measured). */
  tokens: number;
  /** Deepest nesting of typed parse-tree nodes; 0 when the text does not parse (the parser's own error is reported later, where the SQL is used). */
  depth: number;
  /** Which budget the text exceeds, if any. */
  exceeded: 'tokens' | 'depth' | 'time' | null;
}

const require = createRequire(import.meta.url);
const PARSER_ENTRY = require.resolve('libpg-query');

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { loadModule, scanSync, parseSync } = require(workerData.parser);
// Nesting of typed nodes ({ SelectStmt: … }: a PascalCase key), walked with an explicit stack.
const depthOf = (tree) => {
  let max = 0;
  const stack = [[tree, 0]];
  while (stack.length > 0) {
    const [value, level] = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) { for (const item of value) stack.push([item, level]); continue; }
    for (const key of Object.keys(value)) {
      const code = key.charCodeAt(0);
      const typed = code >= 65 && code <= 90 && value[key] !== null && typeof value[key] === 'object';
      const inner = typed ? level + 1 : level;
      if (inner > max) max = inner;
      stack.push([value[key], inner]);
    }
  }
  return max;
};
loadModule().then(() => {
  parentPort.on('message', ({ id, sql, tokens: maxTokens, depth: maxDepth }) => {
    let tokens = 0;
    try { tokens = scanSync(sql).tokens.length; } catch { tokens = 0; }
    if (tokens > maxTokens) return parentPort.postMessage({ id, tokens, depth: 0, exceeded: 'tokens' });
    let depth = 0;
    try { depth = depthOf(parseSync(sql)); } catch { depth = 0; }
    parentPort.postMessage({ id, tokens, depth, exceeded: depth > maxDepth ? 'depth' : null });
  });
  parentPort.postMessage({ ready: true });
}, (error) => parentPort.postMessage({ failed: String(error && error.message || error) }));
`;

interface Pending {
  id: number;
  sql: string;
  resolve: (cost: SqlCost) => void;
  reject: (error: Error) => void;
}

/** Measures texts one at a time in one worker thread; see the module comment. */
export class SqlCostMeter {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly verdicts = new Map<string, SqlCost>();

  constructor(private readonly budget: { freeChars: number; tokens: number; depth: number; ms: number } = SQL_BUDGET, private readonly remembered = 256) {}

  measure(sql: string): Promise<SqlCost> {
    if (sql.length <= this.budget.freeChars) return Promise.resolve({ tokens: 0, depth: 0, exceeded: null });
    const known = this.verdicts.get(sql);
    if (known) return Promise.resolve(known);
    return new Promise<SqlCost>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, sql, resolve, reject });
      this.pump();
    });
  }

  /** Stops the worker; texts waiting are measured by a fresh one if asked again. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.reset();
    for (const pending of this.queue.splice(0)) pending.reject(new Error('the SQL cost meter was closed'));
    await worker?.terminate();
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    const next = this.queue.shift()!;
    this.current = next;
    const worker = this.start();
    worker.ref();
    void this.ready!.then(
      () => {
        if (this.current !== next) return;
        this.timer = setTimeout(() => this.timedOut(next), this.budget.ms);
        worker.postMessage({ id: next.id, sql: next.sql, tokens: this.budget.tokens, depth: this.budget.depth });
      },
      (error: Error) => this.finish(next, () => next.reject(error)),
    );
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { parser: PARSER_ENTRY } });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (message: { ready?: true; failed?: string }) => {
        if (message.ready) resolve();
        else reject(new Error(`the SQL cost worker failed to start: ${message.failed}`));
      });
      worker.once('error', reject);
    });
    this.ready.catch(() => this.reset());
    worker.on('message', (message: { id?: number } & SqlCost) => {
      const pending = this.current;
      if (this.worker !== worker || message.id === undefined || !pending || message.id !== pending.id) return;
      const cost: SqlCost = { tokens: message.tokens, depth: message.depth, exceeded: message.exceeded };
      this.remember(pending.sql, cost);
      this.finish(pending, () => pending.resolve(cost));
    });
    worker.on('error', (error) => {
      if (this.worker !== worker) return;
      const pending = this.current;
      this.reset();
      if (pending) this.finish(pending, () => pending.reject(error));
    });
    return worker;
  }

  private timedOut(pending: Pending): void {
    if (this.current !== pending) return;
    const worker = this.worker;
    this.reset();
    void worker?.terminate();
    const cost: SqlCost = { tokens: 0, depth: 0, exceeded: 'time' };
    this.remember(pending.sql, cost);
    this.finish(pending, () => pending.resolve(cost));
  }

  private finish(pending: Pending, settle: () => void): void {
    if (this.current === pending) this.current = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    settle();
    if (this.queue.length > 0) this.pump();
    else this.worker?.unref();
  }

  private reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.worker = undefined;
    this.ready = undefined;
  }

  private remember(sql: string, cost: SqlCost): void {
    this.verdicts.set(sql, cost);
    if (this.verdicts.size > this.remembered) this.verdicts.delete(this.verdicts.keys().next().value!);
  }
}

let shared: SqlCostMeter | undefined;

/** The process-wide meter (one worker for every orchestrator and command). */
export function measureSqlCost(sql: string): Promise<SqlCost> {
  shared ??= new SqlCostMeter();
  return shared.measure(sql);
}
