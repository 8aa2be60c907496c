/** The statecharts of the system, pure definitions: implementations are provided by src/orchestrator. */
export * from './agent-call.js';
export * from './circuit-breaker.js';
export * from './roles.js';
export * from './session.js';
export * from './workflow.js';
