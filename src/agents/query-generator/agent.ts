/**
 * The embedded generator as an agent: the lexicon is built once per factory,
 * when it is created (after the PostgreSQL parser has loaded); each call is a
 * pure parse.
 */
import { AppError } from '../../errors.js';
import type { Catalog } from '../../schema/types.js';
import type { Vocabulary } from '../../schema/vocabulary.js';
import { loadParser } from '../../sql/parser.js';
import type { AgentFunction } from '../types.js';
import type { GeneratedQuery, QueryGeneratorInput } from './contract.js';
import { generateEmbedded } from './embedded/generate.js';
import { rankOnData, type DataCheck } from './embedded/check.js';
import { buildLexicon, type Lexicon } from './embedded/lexicon.js';

export interface EmbeddedGeneratorDeps {
  catalog: Catalog;
  vocabulary?: Vocabulary;
  /** Distinct values of low-cardinality, name and code columns: table → column → values. */
  values?: Record<string, Record<string, string[]>>;
  /** Rankings and top-N put NULLs last instead of PostgreSQL's default order. */
  nullsLast?: boolean;
  /** The sample database, to demote readings that fail EXPLAIN or return no rows before one is chosen. */
  check?: DataCheck;
}

/** Readings generated beyond those asked for, so a demoted first reading has others to give way to. */
const SPARE_READINGS = 2;

export const EMBEDDED_GENERATOR = 'embedded';

function aborted(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('query generation aborted');
}

/** Builds the lexicon for a catalog once; the promise is shared by every call. */
export async function prepareLexicon(deps: EmbeddedGeneratorDeps): Promise<Lexicon> {
  await loadParser();
  return buildLexicon(deps);
}

export function createEmbeddedGenerator(deps: EmbeddedGeneratorDeps): AgentFunction<QueryGeneratorInput, GeneratedQuery> {
  // Built at once, not on the first question: a process usually creates the generator while its
  // database is still booting, and the first answer should not wait for the lexicon too.
  const lexicon = prepareLexicon(deps);
  // A failed build is reported to every call.
  lexicon.catch(() => undefined);
  return async (content, { signal }) => {
    if (signal.aborted) throw aborted(signal);
    if (typeof content?.query !== 'string' || content.query.trim() === '') {
      throw new AppError('INVALID_INPUT', 'query must be a non-empty string', { field: 'query' });
    }
    const lex = await lexicon;
    if (signal.aborted) throw aborted(signal);
    const started = performance.now();
    const wanted = Math.max(1, content.num_candidates ?? 1);
    const generated = generateEmbedded(content.query, lex, content.schema_analysis, {
      numCandidates: deps.check ? wanted + SPARE_READINGS : wanted,
      attempt: content.attempt,
      feedback: content.feedback,
      nullsLast: deps.nullsLast,
      dropped: content.screening?.dropped,
    });
    const { sql, reasoning, confidence, alternatives } = deps.check ? await rankOnData(generated, deps.check, wanted - 1, signal) : generated;
    if (signal.aborted) throw aborted(signal);
    return {
      sql, reasoning, confidence, alternatives,
      metadata: { generator: EMBEDDED_GENERATOR, generation_time: (performance.now() - started) / 1000 },
    };
  };
}
