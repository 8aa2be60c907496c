/**
 * The Schema Analyzer as an agent: a factory that builds the lexicon of its
 * catalog and vocabulary once, and returns an AgentFunction that runs the
 * pure analysis per call.
 */
import type { AgentFunction } from '../types.js';
import { AppError } from '../../errors.js';
import type { SchemaAnalysis, SchemaAnalyzerInput } from './contract.js';
import { lexiconOf, type AnalyzerDeps } from './lexicon.js';
import { analyzeSchema } from './logic.js';

export function createSchemaAnalyzer(deps: AnalyzerDeps): AgentFunction<SchemaAnalyzerInput, SchemaAnalysis> {
  lexiconOf(deps);
  return async (content, { signal }) => {
    // The orchestrator's reason (timeout or cancellation) travels with the abort.
    signal.throwIfAborted();
    if (typeof content?.query !== 'string') throw new AppError('INVALID_INPUT', 'query must be a string', { field: 'query' });
    return analyzeSchema(content, deps);
  };
}
