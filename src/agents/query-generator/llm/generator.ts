/**
 * The LLM query generator: an AgentFunction that asks a model served over
 * the OpenAI-compatible chat-completions protocol for SQL. Write requests
 * never reach it (the orchestrator's screening refuses them, and cuts off
 * text appended to act as a second instruction); every candidate the model returns is
 * extracted and proved read-only by the parser; an answer without usable SQL
 * is an agent error, so the orchestrator retries or falls back to the next
 * generator in the role's list.
 */
import { AppError } from '../../../errors.js';
import { loadParser, parseSql } from '../../../sql/parser.js';
import type { AgentFunction } from '../../types.js';
import type { Candidate, GeneratedQuery, QueryGeneratorInput } from '../contract.js';
import { requestChatCompletion, type ChatChoice, type ChatRequest } from './client.js';
import { heuristicConfidence, logprobConfidence } from './confidence.js';
import { extractCompletion } from './extract.js';
import { MAX_CANDIDATES, resolveLlmOptions, type LlmGeneratorOptions } from './options.js';
import { buildMessages } from './prompt.js';

export function createLlmGenerator(options: LlmGeneratorOptions): AgentFunction<QueryGeneratorInput, GeneratedQuery> {
  const config = resolveLlmOptions(options);
  const generator = `llm:${config.model}`;
  const agent: AgentFunction<QueryGeneratorInput, GeneratedQuery> = async (input, { signal }) => {
    const started = performance.now();
    await loadParser();
    signal.throwIfAborted();
    const question = input.query;
    const examples = config.memory && config.examples > 0 ? config.memory.search(question, config.examples) : [];
    const n = config.num_candidates ?? Math.min(MAX_CANDIDATES, Math.max(1, Math.floor(input.num_candidates ?? 1)));
    const request: ChatRequest = {
      model: config.model,
      messages: buildMessages({ ...input, query: question }, examples),
      temperature: config.temperature,
      max_tokens: config.max_tokens,
      ...(n > 1 ? { n } : {}),
      ...(config.logprobs ? { logprobs: true } : {}),
    };
    const response = await requestChatCompletion(config, request, signal);
    const ranked = rankCandidates(response.choices, generator);
    const [best, ...alternatives] = ranked;
    return {
      sql: best.sql,
      reasoning: best.reasoning,
      confidence: best.confidence,
      alternatives,
      metadata: {
        generator,
        ...(response.total_tokens === undefined ? {} : { tokens_used: response.total_tokens }),
        generation_time: (performance.now() - started) / 1000,
      },
    };
  };
  // The registry names an agent after its function: fallbacks and metrics then read `llm:<model>`.
  return Object.defineProperty(agent, 'name', { value: generator });
}

/**
 * Candidates from the choices, best first: identical SQL (the same syntax
 * tree, whatever the spacing) is merged, and SQL that more samples agree on
 * ranks higher, then the more confident. No usable choice is an agent error.
 */
export function rankCandidates(choices: readonly ChatChoice[], generator: string): Candidate[] {
  const merged = new Map<string, Candidate & { votes: number; order: number }>();
  const failures: string[] = [];
  choices.forEach((choice, i) => {
    const result = extractCompletion(choice.content, choice.reasoning);
    if (!result.ok) {
      failures.push(choices.length > 1 ? `choice ${i + 1}: ${result.reason}` : result.reason);
      return;
    }
    const { extraction } = result;
    const confidence = logprobConfidence(choice.logprobs, choice.content, extraction.span) ??
      heuristicConfidence(extraction, choice.finish_reason === 'length');
    const key = treeKey(extraction.sql);
    const seen = merged.get(key);
    if (seen) {
      seen.votes++;
      if (confidence > seen.confidence) Object.assign(seen, { sql: extraction.sql, reasoning: think(extraction.reasoning), confidence });
      return;
    }
    merged.set(key, { sql: extraction.sql, reasoning: think(extraction.reasoning), confidence, votes: 1, order: i });
  });
  if (merged.size === 0) {
    throw new AppError('AGENT_FAILED', `${generator} returned no usable SQL: ${failures.join('; ')}`, { generator });
  }
  return [...merged.values()]
    .sort((a, b) => b.votes - a.votes || b.confidence - a.confidence || a.order - b.order)
    .map(({ sql, reasoning, confidence }) => ({ sql, reasoning, confidence }));
}

/** The syntax tree without source positions: equal for SQL that differs only in layout. */
function treeKey(sql: string): string {
  const parsed = parseSql(sql);
  if (!parsed.ok) return sql;
  return JSON.stringify(parsed.tree, (key, value) => (key === 'location' || key === 'stmt_location' || key === 'stmt_len' ? undefined : value));
}

function think(reasoning: string): string {
  return reasoning === '' ? '' : `<think>\n${reasoning}\n</think>`;
}
