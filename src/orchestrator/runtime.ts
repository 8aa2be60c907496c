/**
 * What every turn shares, built once by `initialize()` and frozen: the
 * resolved configuration, the logger, the agent registry, a circuit breaker
 * per agent, the bulkhead, the stage caches and the agents' services.
 */
import pino, { type Logger } from 'pino';
import { createActor, type Actor } from 'xstate';
import { circuitBreakerMachine } from '../../machines/circuit-breaker.js';
import { AppError } from '../errors.js';
import { loadParser } from '../sql/parser.js';
import { ROLES, type AgentServices, type Role } from '../agents/types.js';
import { Bulkhead } from './bulkhead.js';
import { resolveConfig, type OrchestratorConfig } from './config.js';
import { buildRegistry, type AgentSpec, type AgentsOption, type RegisteredAgent } from './registry.js';
import { StageCache } from './stage-cache.js';
import type { OrchestratorOptions } from './types.js';

export interface Runtime {
  readonly config: OrchestratorConfig;
  readonly logger: Logger;
  readonly registry: ReadonlyMap<Role, RegisteredAgent[]>;
  /** Agent names per role, primary first: every turn shares one copy. */
  readonly roleAgents: Readonly<Record<Role, string[]>>;
  /** Agents by `role/name`, the key of their circuit breakers too. */
  readonly agentsByName: ReadonlyMap<string, RegisteredAgent>;
  readonly breakers: ReadonlyMap<string, Actor<typeof circuitBreakerMachine>>;
  readonly bulkhead: Bulkhead;
  readonly stageCache: StageCache;
  readonly services: AgentServices;
}

export async function buildRuntime(options: OrchestratorOptions): Promise<Runtime> {
  const config = resolveConfig({ config: options.config, env: options.env });
  const logger = options.logger ?? pino({ level: config.log_level, base: { name: 'gl-rl' } }, pino.destination({ dest: 2, sync: true }));
  const defaults = options.defaults;
  const given = options.agents ?? {};
  if (!defaults && ROLES.some((role) => !given[role])) {
    const missing = ROLES.filter((role) => !given[role]);
    throw new AppError('INVALID_CONFIG', `agents for ${missing.join(', ')} are required when no defaults are given`, { field: 'agents' });
  }
  const registry = buildRegistry(defaults?.agents ?? (given as Record<Role, AgentSpec>), given);
  const agentsByName = new Map<string, RegisteredAgent>();
  for (const list of registry.values()) for (const agent of list) agentsByName.set(`${agent.role}/${agent.name}`, agent);
  // The read-only gate on every generated SQL text parses it, whatever agents are configured.
  await loadParser();
  // Services (databases, catalogs) are started only when a shipped agent is registered.
  const services = defaults?.services && usesShipped(defaults.agents, given) ? await defaults.services(config, logger) : {};
  const roleAgents = Object.fromEntries(ROLES.map((role) => [role, registry.get(role)!.map((a) => a.name)])) as Record<Role, string[]>;
  return Object.freeze({
    config,
    logger,
    registry,
    roleAgents,
    agentsByName,
    breakers: startBreakers(agentsByName.keys(), config, logger, options.inspect),
    bulkhead: new Bulkhead(config.max_concurrent_agents),
    stageCache: new StageCache(config.cache_ttl * 1000),
    services,
  });
}

function startBreakers(keys: Iterable<string>, config: OrchestratorConfig, logger: Logger, inspect: OrchestratorOptions['inspect']) {
  const logic = circuitBreakerMachine.provide({
    actions: {
      circuitChanged: (_, params) => {
        const log = params.state === 'open' ? 'warn' : 'info';
        logger[log]({ agent: params.agent, circuit: params.state }, `circuit ${params.state} for ${params.agent}`);
      },
    },
  });
  const breakers = new Map<string, Actor<typeof circuitBreakerMachine>>();
  for (const key of keys) {
    const actor = createActor(logic, {
      input: { agent: key, failure_threshold: config.circuit_failure_threshold, reset_timeout: config.circuit_reset_timeout },
      inspect,
    });
    breakers.set(key, actor.start());
  }
  return breakers;
}

function usesShipped(shipped: Record<Role, AgentSpec | AgentSpec[]>, given: AgentsOption): boolean {
  const defaults = new Set<unknown>(Object.values(shipped).flat());
  return ROLES.some((role) => {
    const specs = given[role];
    if (specs === undefined) return true;
    return (Array.isArray(specs) ? specs : [specs]).some((spec) => defaults.has(spec) || defaults.has((spec as { agent?: unknown }).agent));
  });
}
