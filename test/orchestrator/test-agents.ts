/**
 * Controllable agents for orchestrator tests: each call follows a script of
 * behaviours (succeed, fail, hang until aborted, return malformed output,
 * refuse, take some time). Test-only: never shipped as defaults.
 */
import type { AgentCallContext, Role } from '../../src/agents/types.js';
import { AppError } from '../../src/errors.js';

export type Behaviour =
  | { kind: 'ok'; delay?: number; output?: Record<string, unknown> }
  | { kind: 'error'; delay?: number; message?: string }
  | { kind: 'hang' }
  | { kind: 'malformed'; delay?: number }
  | { kind: 'refuse'; code?: string }
  /** An error the request caused (an AppError marked requestFault), e.g. its SQL over the statement budget. */
  | { kind: 'fault' };

export const okOutputs: Record<Role, (content: any) => Record<string, unknown>> = {
  schema_analyzer: (c) => ({ relevant_tables: [{ table_name: 'T', relevance_score: 1, reason: 'test', columns: [], filters: [] }], query: c.query }),
  query_generator: (c) => ({ sql: `SELECT 1 /* attempt ${c.attempt} */`, reasoning: '<think>1. test</think>', confidence: 0.9, alternatives: [] }),
  validator: () => ({ is_valid: true, details: { syntax_valid: true, schema_compliant: true, business_logic_valid: true, performance_acceptable: true }, issues: [], suggestions: [] }),
  reward_evaluator: () => ({ total_reward: 0.9, rewards: { syntax: 1 }, feedback: [] }),
};

export interface ScriptedAgent {
  (content: any, ctx: AgentCallContext): Promise<unknown>;
  calls: number;
  aborted: number;
  inFlight: number;
  contents: any[];
}

/** An agent whose n-th call behaves as `script[n]` (the last entry repeats). */
export function scripted(role: Role, script: Behaviour[] | ((call: number, content: any) => Behaviour), name = `${role}_test`): ScriptedAgent {
  const behaviourOf = typeof script === 'function' ? script : (n: number) => script[Math.min(n, script.length - 1)] ?? { kind: 'ok' };
  const agent = (async (content: any, { signal }: AgentCallContext) => {
    const b = behaviourOf(agent.calls, content);
    agent.calls++;
    agent.contents.push(content);
    agent.inFlight++;
    try {
      if (b.kind === 'hang') return await new Promise((_, reject) => signal.addEventListener('abort', () => { agent.aborted++; reject(signal.reason); }, { once: true }));
      const delay = 'delay' in b ? (b.delay ?? 0) : 0;
      if (delay > 0) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, delay);
          signal.addEventListener('abort', () => { clearTimeout(t); agent.aborted++; reject(signal.reason); }, { once: true });
        });
      }
      switch (b.kind) {
        case 'ok':
          return b.output ?? okOutputs[role](content);
        case 'error':
          throw new Error(b.message ?? `${role} failed`);
        case 'malformed':
          return { nonsense: true };
        case 'fault':
          throw new AppError('QUERY_TIMEOUT', 'the statement ran past its budget', {}, { requestFault: true });
        case 'refuse':
          return { refusal: { error_code: b.code ?? 'WRITE_NOT_ALLOWED', message: 'writes are not allowed', suggestions: ['ask a read question'] } };
      }
    } finally {
      agent.inFlight--;
    }
  }) as ScriptedAgent;
  Object.defineProperty(agent, 'name', { value: name });
  agent.calls = 0;
  agent.aborted = 0;
  agent.inFlight = 0;
  agent.contents = [];
  return agent;
}

export function okAgents(): Record<Role, ScriptedAgent> {
  return {
    schema_analyzer: scripted('schema_analyzer', [{ kind: 'ok' }]),
    query_generator: scripted('query_generator', [{ kind: 'ok' }]),
    validator: scripted('validator', [{ kind: 'ok' }]),
    reward_evaluator: scripted('reward_evaluator', [{ kind: 'ok' }]),
  };
}

export const invalidValidation = {
  is_valid: false,
  details: { syntax_valid: true, schema_compliant: false, business_logic_valid: true, performance_acceptable: true },
  issues: [{ layer: 'schema', severity: 'error', message: 'column X does not exist', suggestion: 'Y' }],
  suggestions: ['use Y'],
};
