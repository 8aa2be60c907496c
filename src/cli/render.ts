/**
 * Human renderings of results and error responses, shared by the commands
 * that print them.
 */
import type { ErrorResponse, ProcessResult } from '../orchestrator/result.js';
import type { Execution } from './commands/ask.js';
import { formatSql, reasoningSteps, textTable, validationSummary } from './format.js';

export async function renderResult(result: ProcessResult, execution?: Execution): Promise<string> {
  const out: string[] = ['SQL', indent(await formatSql(result.sql)), ''];
  const steps = reasoningSteps(result.reasoning);
  if (steps.length) out.push('Reasoning', ...steps.map((s) => `  ${s}`), '');
  out.push(`Confidence  ${result.confidence.toFixed(2)}`);
  out.push(`Validation  ${validationSummary(result.validation).join('\n')}`);
  if (result.training) {
    const parts = Object.entries(result.training.rewards).map(([k, v]) => `${k} ${v.toFixed(2)}`);
    out.push(`Reward      ${result.training.total_reward.toFixed(3)}  (${parts.join(', ')})`);
    for (const f of result.training.feedback) out.push(`  feedback: ${typeof f === 'string' ? f : JSON.stringify(f)}`);
  }
  out.push(`Session     ${result.session_id}`);
  if (execution) {
    out.push('');
    if ('skipped' in execution) out.push(`Execution skipped: ${execution.skipped}`);
    else if ('error' in execution) out.push(`Execution failed [${execution.error_code}]: ${execution.error}`);
    else {
      out.push(textTable(execution.columns, execution.rows));
      out.push(`(${execution.rows.length} row${execution.rows.length === 1 ? '' : 's'}${execution.truncated ? ', more not shown' : ''})`);
    }
  }
  return out.join('\n');
}

export function renderError(response: ErrorResponse): string {
  const out = [`error [${response.error_code}] at ${response.failed_stage}: ${response.error}`];
  for (const s of response.suggestions) out.push(`  suggestion: ${s}`);
  if (response.session_id) out.push(`  session: ${response.session_id}`);
  return out.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
