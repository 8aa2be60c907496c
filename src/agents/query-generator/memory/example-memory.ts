/**
 * Example memory: question→SQL pairs that scored well in train mode or were
 * taught with `gl-rl learn`, retrieved by similarity as hints for the
 * embedded generator and few-shot examples for LLM prompts.
 *
 * The file is an append-only JSONL log: an addition appends whole lines and
 * never rewrites earlier ones, so a crash can at worst leave a torn last line,
 * which `load` skips and reports. Loading replays the log with the same rule
 * as `add` (one entry per normalized question, the best-scored SQL wins).
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError } from '../../../errors.js';
import { loadParser } from '../../../sql/parser.js';
import { checkReadOnly } from '../../../sql/safety.js';
import { readJsonLines } from './jsonl.js';
import { normalizeQuestion, trigramTokens, wordTokens } from './text.js';
import { TfIdfIndex } from './tfidf.js';

export type ExampleSource = 'train' | 'learn';

export interface MemoryExample {
  query: string;
  sql: string;
  /** The reward it earned in train mode; taught pairs have none and count as gold. */
  score?: number;
  source: ExampleSource;
  /** ISO 8601 time of the addition. */
  added_at: string;
}

export type NewExample = Omit<MemoryExample, 'added_at'> & { added_at?: string };

export interface MemoryMatch {
  query: string;
  sql: string;
  /** Cosine similarity to the searched question, in [0, 1]. */
  similarity: number;
  score?: number;
  source: ExampleSource;
}

export interface AddReport {
  added: number;
  /** Questions already stored whose SQL the new pair beat. */
  replaced: number;
  /** Pairs that lost to (or repeated) what is stored. */
  unchanged: number;
  /** Pairs refused, by their index in the input: unsafe SQL, an empty question… */
  rejected: Array<{ index: number; query: string; reason: string }>;
}

export interface LineProblem {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

export interface LoadReport {
  path: string;
  loaded: number;
  problems: LineProblem[];
}

/** Words weigh more than trigrams: they carry the meaning, trigrams the spelling. */
const WORD_WEIGHT = 0.6;
const TRIGRAM_WEIGHT = 0.4;

/** `GL_RL_MEMORY_FILE`, else `~/.gl-rl/memory.jsonl`: outside the package, which ships no memory. */
export function defaultMemoryPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.GL_RL_MEMORY_FILE?.trim();
  return configured ? configured : join(homedir(), '.gl-rl', 'memory.jsonl');
}

export class ExampleMemory {
  /** The file additions are appended to; without one the memory lives in this process only. */
  readonly path: string | undefined;
  private readonly examples: MemoryExample[] = [];
  private readonly byQuestion = new Map<string, number>();
  private readonly words = new TfIdfIndex();
  private readonly trigrams = new TfIdfIndex();

  constructor(options: { path?: string } = {}) {
    this.path = options.path;
  }

  /** A memory persisted at `path`, holding what the file already has (none when it does not exist yet). */
  static async open(path: string = defaultMemoryPath()): Promise<{ memory: ExampleMemory; report: LoadReport }> {
    const memory = new ExampleMemory({ path });
    const report = await memory.load(path);
    return { memory, report };
  }

  get size(): number {
    return this.examples.length;
  }

  /**
   * Merges a JSONL file into this memory without writing anything. A missing
   * file is an empty memory; a bad line is skipped and reported, never thrown.
   */
  async load(path: string | undefined = this.path): Promise<LoadReport> {
    if (path === undefined) throw new AppError('INVALID_CONFIG', 'no example memory file to load', { field: 'memory_file' });
    await loadParser();
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path, loaded: 0, problems: [] };
      throw new AppError('INVALID_CONFIG', `cannot read example memory ${path}: ${(err as Error).message}`, { field: 'memory_file' });
    }
    const problems: LineProblem[] = [];
    let loaded = 0;
    const now = new Date().toISOString();
    for (const entry of readJsonLines(text)) {
      const checked = entry.problem === undefined ? toExample(entry.value, now) : { problem: entry.problem };
      const outcome = 'problem' in checked ? checked : this.merge(checked.example);
      if ('problem' in outcome) problems.push({ line: entry.line, message: outcome.problem });
      else loaded++;
    }
    return { path, loaded, problems };
  }

  /**
   * Stores pairs, one per normalized question, keeping the best-scored SQL
   * (a taught pair without a score counts as gold; on a tie the newer wins).
   * SQL that is not a single read-only statement is refused, never stored.
   */
  async add(pairs: readonly NewExample[]): Promise<AddReport> {
    if (!Array.isArray(pairs)) throw new AppError('INVALID_INPUT', 'pairs must be an array of {query, sql, source}', { field: 'pairs' });
    await loadParser();
    const report: AddReport = { added: 0, replaced: 0, unchanged: 0, rejected: [] };
    const lines: string[] = [];
    const now = new Date().toISOString();
    pairs.forEach((pair, index) => {
      const checked = checkNewExample(pair, now);
      if ('problem' in checked) {
        report.rejected.push({ index, query: typeof pair?.query === 'string' ? pair.query : '', reason: checked.problem });
        return;
      }
      const outcome = this.merge(checked.example);
      if ('problem' in outcome) {
        report.rejected.push({ index, query: checked.example.query, reason: outcome.problem });
        return;
      }
      report[outcome.result]++;
      if (outcome.result !== 'unchanged') lines.push(JSON.stringify(checked.example));
    });
    if (this.path !== undefined && lines.length > 0) await appendLines(this.path, lines);
    return report;
  }

  /** The `k` stored examples most similar to `query`, most similar first; only those sharing something with it. */
  search(query: string, k = 3): MemoryMatch[] {
    const limit = k === Number.POSITIVE_INFINITY ? this.examples.length : Number.isFinite(k) ? Math.floor(k) : 0;
    if (limit <= 0 || typeof query !== 'string' || this.examples.length === 0) return [];
    const scores = new Float64Array(this.examples.length);
    const touched: number[] = [];
    this.words.accumulate(wordTokens(query), WORD_WEIGHT, scores, touched);
    this.trigrams.accumulate(trigramTokens(query), TRIGRAM_WEIGHT, scores, touched);
    return topK(touched, scores, limit).map((doc) => {
      const { query: q, sql, score, source } = this.examples[doc];
      return { query: q, sql, similarity: scores[doc], source, ...(score === undefined ? {} : { score }) };
    });
  }

  private merge(example: MemoryExample): { result: 'added' | 'replaced' | 'unchanged' } | { problem: string } {
    const safety = checkReadOnly(example.sql);
    if (!safety.ok) return { problem: `unsafe SQL refused: ${safety.violations.map((v) => v.message).join('; ')}` };
    const key = normalizeQuestion(example.query);
    if (key === '') return { problem: 'the question has no words' };
    const existing = this.byQuestion.get(key);
    if (existing === undefined) {
      const id = this.words.add(wordTokens(example.query));
      this.trigrams.add(trigramTokens(example.query));
      this.examples[id] = example;
      this.byQuestion.set(key, id);
      return { result: 'added' };
    }
    const stored = this.examples[existing];
    const beats = rank(example) >= rank(stored) && !(example.sql === stored.sql && example.score === stored.score);
    if (!beats) return { result: 'unchanged' };
    this.examples[existing] = example;
    return { result: 'replaced' };
  }
}

/**
 * The `k` best-scored ids, best first (on a tie, the earlier added). A small
 * k keeps a bounded sorted list, linear in the candidates; a large one sorts.
 */
function topK(ids: readonly number[], scores: Float64Array, k: number): number[] {
  const before = (a: number, b: number) => scores[a] - scores[b] || b - a;
  const positive = ids.filter((id) => scores[id] > 0);
  if (k * 8 >= positive.length) return positive.sort((a, b) => before(b, a)).slice(0, k);
  const best: number[] = [];
  for (const id of positive) {
    if (best.length === k && before(id, best[k - 1]) <= 0) continue;
    let i = best.length === k ? k - 1 : best.length;
    for (; i > 0 && before(id, best[i - 1]) > 0; i--) best[i] = best[i - 1];
    best[i] = id;
  }
  return best;
}

function rank(example: MemoryExample): number {
  return example.score ?? Number.POSITIVE_INFINITY;
}

function checkNewExample(pair: NewExample, now: string): { example: MemoryExample } | { problem: string } {
  if (typeof pair !== 'object' || pair === null) return { problem: 'not an object' };
  return toExample(pair as unknown as Record<string, unknown>, now);
}

function toExample(value: Record<string, unknown>, now: string): { example: MemoryExample } | { problem: string } {
  const { query, sql, score, source, added_at } = value;
  if (typeof query !== 'string' || query.trim() === '') return { problem: '"query" must be a non-empty string' };
  if (typeof sql !== 'string' || sql.trim() === '') return { problem: '"sql" must be a non-empty string' };
  if (score !== undefined && (typeof score !== 'number' || !Number.isFinite(score))) {
    return { problem: '"score" must be a finite number' };
  }
  if (source !== 'train' && source !== 'learn') return { problem: '"source" must be "train" or "learn"' };
  if (added_at !== undefined && typeof added_at !== 'string') return { problem: '"added_at" must be a string' };
  const example: MemoryExample = { query: query.trim(), sql: sql.trim(), source, added_at: added_at ?? now };
  if (score !== undefined) example.score = score;
  return { example };
}

/**
 * Appends whole lines in one write to a file opened in append mode, which
 * never touches earlier bytes. A torn last line left by an earlier crash is
 * closed first, so the new lines start on a line of their own.
 */
async function appendLines(path: string, lines: string[]): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'a+');
    try {
      const { size } = await handle.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      await handle.appendFile(`${prefix}${lines.join('\n')}\n`, 'utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new AppError('INVALID_CONFIG', `cannot write example memory ${path}: ${(err as Error).message}`, { field: 'memory_file' });
  }
}
