/**
 * The agent registry: each role maps to an ordered list of agents (primary,
 * then fallbacks). An agent is XState actor logic or a plain async function
 * `(content, { signal, session }) => output`; both run through `runAgent`,
 * which aborts on the signal, recognises refusals and rejects malformed output.
 */
import { createActor, toPromise, type AnyActorLogic } from 'xstate';
import { AppError } from '../errors.js';
import { isRefusal, ROLES, type AgentCallContext, type AgentFunction, type Refusal, type Role } from '../agents/types.js';
import type { AgentReply } from '../../machines/agent-call.js';

/** What users register: a function, actor logic, or either with an explicit name. */
export type AgentSpec = AgentFunction | AnyActorLogic | { name: string; agent: AgentFunction | AnyActorLogic };

export interface RegisteredAgent {
  name: string;
  role: Role;
  run: (content: unknown, ctx: AgentCallContext) => Promise<unknown>;
}

export type AgentsOption = Partial<Record<Role, AgentSpec | AgentSpec[]>>;

const isActorLogic = (value: unknown): value is AnyActorLogic =>
  value !== null && typeof value === 'object' && typeof (value as AnyActorLogic).transition === 'function';

export function buildRegistry(defaults: Record<Role, AgentSpec | AgentSpec[]>, given: AgentsOption = {}): Map<Role, RegisteredAgent[]> {
  for (const key of Object.keys(given)) {
    if (!(ROLES as readonly string[]).includes(key)) {
      throw new AppError('INVALID_CONFIG', `agents.${key}: unknown role (roles: ${ROLES.join(', ')})`, { field: `agents.${key}` });
    }
  }
  const registry = new Map<Role, RegisteredAgent[]>();
  for (const role of ROLES) {
    const specs = given[role] ?? defaults[role];
    const list = (Array.isArray(specs) ? specs : [specs]).map((spec, i) => register(role, spec, i));
    if (list.length === 0) throw new AppError('INVALID_CONFIG', `agents.${role}: at least one agent is required`, { field: `agents.${role}` });
    const names = new Set<string>();
    for (const agent of list) {
      // Names identify circuit breakers and fallbacks, so they must be unique within a role.
      if (names.has(agent.name)) agent.name = `${agent.name}#${names.size + 1}`;
      names.add(agent.name);
    }
    registry.set(role, list);
  }
  return registry;
}

function register(role: Role, spec: AgentSpec, index: number): RegisteredAgent {
  const field = `agents.${role}[${index}]`;
  if (typeof spec === 'function') {
    return { name: spec.name || `${role}_${index + 1}`, role, run: (content, ctx) => spec(content, ctx) };
  }
  if (isActorLogic(spec)) return { name: actorName(spec, role, index), role, run: runLogic(spec) };
  if (spec && typeof spec === 'object' && 'agent' in spec && typeof spec.name === 'string' && spec.name !== '') {
    const inner = register(role, spec.agent, index);
    return { ...inner, name: spec.name };
  }
  throw new AppError('INVALID_CONFIG', `${field}: an agent is a function, XState actor logic, or {name, agent}`, { field });
}

function actorName(logic: AnyActorLogic, role: Role, index: number): string {
  const id = (logic as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' && id !== '(machine)' ? id : `${role}_${index + 1}`;
}

/** Runs actor logic with the content as input; its output is the agent's output. Stopped on abort. */
function runLogic(logic: AnyActorLogic) {
  return (content: unknown, ctx: AgentCallContext): Promise<unknown> => {
    const actor = createActor(logic, { input: content });
    const stop = () => actor.stop();
    ctx.signal.addEventListener('abort', stop, { once: true });
    actor.start();
    return toPromise(actor).finally(() => ctx.signal.removeEventListener('abort', stop));
  };
}

/**
 * One call of one agent, ending when the agent answers or the signal aborts,
 * whichever comes first: an agent that ignores its signal cannot hold the
 * workflow (or a bulkhead slot) past its timeout.
 */
export async function runAgent(agent: RegisteredAgent, content: unknown, ctx: AgentCallContext): Promise<AgentReply> {
  const output = await untilAborted(agent.run(content, ctx), ctx.signal);
  if (isRefusal(output)) return { kind: 'refusal', refusal: (output as Refusal).refusal };
  const problem = malformed(agent.role, output);
  if (problem) throw new AppError('AGENT_FAILED', `malformed output from ${agent.name}: ${problem}`, { field: agent.role });
  return { kind: 'output', output: normalizeOutput(agent.role, output as Record<string, any>) };
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The minimum output per role (the contract's "Agents" section); anything less is an agent error. */
export function malformed(role: Role, output: unknown): string | null {
  if (!isObject(output)) return `expected an object, got ${output === null ? 'null' : typeof output}`;
  switch (role) {
    case 'schema_analyzer':
      return Array.isArray(output.relevant_tables) ? null : 'relevant_tables must be an array';
    case 'query_generator':
      if (typeof output.sql !== 'string' || output.sql.trim() === '') return 'sql must be a non-empty string';
      if (output.reasoning !== undefined && typeof output.reasoning !== 'string') return 'reasoning must be a string';
      if (output.confidence !== undefined && !(typeof output.confidence === 'number' && output.confidence >= 0 && output.confidence <= 1)) {
        return 'confidence must be a number in [0, 1]';
      }
      return null;
    case 'validator':
      if (typeof output.is_valid !== 'boolean') return 'is_valid must be a boolean';
      return isObject(output.details) ? null : 'details must be an object';
    case 'reward_evaluator':
      if (typeof output.total_reward !== 'number' || !Number.isFinite(output.total_reward)) return 'total_reward must be a number';
      if (!isObject(output.rewards)) return 'rewards must be an object';
      return Array.isArray(output.feedback) ? null : 'feedback must be an array';
  }
}

function normalizeOutput(role: Role, output: Record<string, any>): Record<string, any> {
  if (role === 'query_generator') return { ...output, reasoning: output.reasoning ?? '' };
  return output;
}
