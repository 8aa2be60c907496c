/**
 * The chat messages sent to the model: a fixed system prompt stating the
 * dialect, the read-only rule and the answer format, and one user message
 * assembled from what the workflow knows, in a fixed order of sections
 * (each left out when empty) so that the prompt is stable for caching.
 */
import type { HistoricalQuery } from '../../types.js';
import type { SchemaAnalysis } from '../../schema-analyzer/contract.js';
import type { ValidationIssue } from '../../validator/contract.js';
import type { QueryGeneratorInput } from '../contract.js';
import type { MemoryMatch } from '../memory/index.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export const SYSTEM_PROMPT = [
  'You translate business questions about an ERP database into PostgreSQL.',
  'Rules:',
  '- Write exactly one read-only SELECT statement (a WITH … SELECT is fine) in the PostgreSQL dialect.',
  '- Never write INSERT, UPDATE, DELETE, MERGE, DDL, GRANT, COPY, SET, transaction control or SELECT INTO;',
  '  never call functions with side effects (pg_sleep, set_config, nextval, dblink, lo_*, pg_read_file).',
  '- Use only the tables and columns given in the schema, joined along the foreign keys shown.',
  '- Use PostgreSQL syntax: LIMIT (not TOP), ILIKE for case-insensitive text, CURRENT_DATE, date_trunc, NULLS LAST when ranking.',
  'Answer format:',
  '1. Your reasoning as short numbered steps inside <think>…</think>: the tables, joins, filters and measures you chose.',
  '2. Then the SQL alone in a ```sql fenced block, with nothing after it.',
].join('\n');

export function buildMessages(input: QueryGeneratorInput, examples: readonly MemoryMatch[]): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: buildUserPrompt(input, examples) },
  ];
}

export function buildUserPrompt(input: QueryGeneratorInput, examples: readonly MemoryMatch[]): string {
  const sections: Array<[string, string]> = [
    ['Database schema', schemaSection(input.schema_analysis)],
    ['Business context', businessSection(input.context?.business_rules, input.context?.user_preferences)],
    ['Examples of answered questions', examplesSection(examples)],
    ['Earlier questions in this conversation (oldest first)', historySection(input.context?.historical_queries)],
    ['Question', input.query.trim()],
    ['Your previous SQL for this question was rejected', feedbackSection(input.feedback)],
  ];
  return sections
    .filter(([, body]) => body !== '')
    .map(([title, body]) => `## ${title}\n${body}`)
    .join('\n\n');
}

function schemaSection(analysis: SchemaAnalysis | undefined): string {
  const context = analysis?.schema_context?.trim() ?? '';
  if (context !== '') return context;
  // Without the analyzer's rendering, the table list still grounds the model.
  return (analysis?.relevant_tables ?? [])
    .map((t) => `${t.table_name}(${t.columns.join(', ')})`)
    .join('\n');
}

function businessSection(rules: unknown, preferences: unknown): string {
  const lines = [...keyValueLines('Business rules', rules), ...keyValueLines('User preferences', preferences)];
  return lines.join('\n');
}

function keyValueLines(title: string, value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries = Object.entries(value);
  if (entries.length === 0) return [];
  return [`${title}:`, ...entries.map(([key, v]) => `- ${key}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)];
}

function examplesSection(examples: readonly MemoryMatch[]): string {
  return examples.map((e) => `Question: ${e.query}\n\`\`\`sql\n${e.sql}\n\`\`\``).join('\n\n');
}

function historySection(history: ReadonlyArray<HistoricalQuery | string> | undefined): string {
  if (!Array.isArray(history)) return '';
  return history
    .map((turn, i) => {
      const query = typeof turn === 'string' ? turn : turn?.query;
      if (typeof query !== 'string' || query.trim() === '') return '';
      const sql = typeof turn === 'object' && typeof turn.sql === 'string' ? `\n   SQL: ${turn.sql}` : '';
      return `${i + 1}. ${query.trim()}${sql}`;
    })
    .filter((line) => line !== '')
    .join('\n');
}

function feedbackSection(feedback: readonly ValidationIssue[] | undefined): string {
  if (!Array.isArray(feedback) || feedback.length === 0) return '';
  const issues = feedback.map((issue) => {
    const where = issue.position === undefined ? '' : ` (at character ${issue.position})`;
    const fix = issue.suggestion ? `\n  Suggestion: ${issue.suggestion}` : '';
    return `- [${issue.severity}, ${issue.layer}] ${issue.message}${where}${fix}`;
  });
  return [...issues, 'Write a corrected query that fixes these problems.'].join('\n');
}
