/**
 * Confidence of a candidate. With token logprobs it is the geometric mean
 * token probability of the SQL's tokens (of all tokens when they cannot be
 * aligned with the text); without them, a prior from how cleanly the SQL
 * could be extracted.
 */
import type { Extraction, ExtractionForm } from './extract.js';

export interface TokenLogprob {
  token: string;
  logprob: number;
}

/** An SQL fence is the format asked for; a bare statement in prose, the least followed. */
const FORM_PRIOR: Record<ExtractionForm, number> = { sql_fence: 0.7, fence: 0.6, bare: 0.5 };

export function heuristicConfidence(extraction: Extraction, truncated: boolean): number {
  let confidence = FORM_PRIOR[extraction.form];
  if (extraction.reasoning !== '') confidence += 0.05;
  if (extraction.dropped_statements > 0) confidence -= 0.15;
  if (truncated) confidence -= 0.1;
  return clamp(confidence);
}

/** exp(mean logprob) over the tokens covering `span` of `content`; undefined without usable logprobs. */
export function logprobConfidence(tokens: readonly TokenLogprob[], content: string, span: { start: number; end: number }): number | undefined {
  const usable = tokens.filter((t) => typeof t.logprob === 'number' && Number.isFinite(t.logprob));
  if (usable.length === 0) return undefined;
  const aligned = tokens.map((t) => t.token).join('') === content;
  let selected = usable;
  if (aligned) {
    selected = [];
    let offset = 0;
    for (const t of tokens) {
      const end = offset + t.token.length;
      if (end > span.start && offset < span.end && Number.isFinite(t.logprob)) selected.push(t);
      offset = end;
    }
    if (selected.length === 0) selected = usable;
  }
  const mean = selected.reduce((sum, t) => sum + t.logprob, 0) / selected.length;
  return clamp(Math.exp(mean));
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}
