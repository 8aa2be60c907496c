/**
 * createOrchestrator: the actor system behind the public API. It supplies the
 * statecharts of machines/ with their implementations (agent calls through
 * the registry and the bulkhead, circuit breakers, caches, the message log,
 * metrics and logs), keeps one session actor per conversation, and turns each
 * workflow's output into the specification's result or error response.
 * `process` never throws and never rejects.
 */
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import { createActor, fromPromise, type Actor } from 'xstate';
import { backoffMs, CIRCUIT_OPEN_MARK, type AgentReply, type CallAgentInput } from '../../machines/agent-call.js';
import { sessionMachine, type SessionContext } from '../../machines/session.js';
import {
  workflowMachine,
  type Preparation,
  type Stage,
  type WorkflowContext,
  type WorkflowInput,
  type WorkflowOutput,
} from '../../machines/workflow.js';
import type { WorkflowRole } from '../../machines/roles.js';
import { AppError } from '../errors.js';
import { checkReadOnly } from '../sql/safety.js';
import type { AgentCallContext, HistoricalQuery, Mode, Role } from '../agents/types.js';
import { Admission } from './admission.js';
import { printableConfig } from './config.js';
import { checkInput, normalizeHistory, type ProcessInput } from './input.js';
import { checkRequestSql } from './limits.js';
import { sessionToEvict, trimSession } from './session-limits.js';
import { MessageBus, ORCHESTRATOR, type AgentMessage } from './messages.js';
import { Metrics, SESSION_BUCKETS } from './metrics.js';
import { runAgent } from './registry.js';
import { screenRequest } from './screening.js';
import { buildRuntime, type Runtime } from './runtime.js';
import { EMPTY_CACHE_STATS } from './stage-cache.js';
import { errorResponse, failureResponse, isErrorResponse, stageOutput, successResult, type ErrorResponse, type ProcessOutcome } from './result.js';
import type {
  EndedTurn,
  LiveEvent,
  LiveListener,
  MetricsSnapshot,
  OrchestratorOptions,
  OrchestratorSummary,
  RecoveryEntry,
  SessionEvent,
  SessionSnapshot,
  SessionStatus,
  TurnEvent,
  TurnSnapshot,
} from './types.js';

interface SessionRecord {
  id: string;
  created_at: number;
  updated_at: number;
  status: SessionStatus;
  expired_reason?: 'idle' | 'cancelled';
  actor: Actor<typeof sessionMachine> | null;
  turns: TurnSnapshot[];
  turnCount: number;
  messages: AgentMessage[];
  recovery: RecoveryEntry[];
  /** Turns of one session run one after another. */
  queue: Promise<unknown>;
}

interface ActiveTurn {
  session: SessionRecord;
  record: TurnSnapshot;
  log: Logger;
  started: number;
  stage: Stage;
  stageStarted: number;
  settle: (outcome: ProcessOutcome) => void;
}

const SNAPSHOT_SAMPLE = 32;
/** Turns started per turn of the event loop during a burst (see Admission). */
const ADMISSION_BATCH = 16;

export class Orchestrator {
  /** Config, logger, registry, breakers, bulkhead, caches and services, built once by `initialize()`. */
  private runtime: Runtime | undefined;
  private readonly metricsStore = new Metrics();
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly active = new Map<string, ActiveTurn>();
  private readonly inFlight = new Set<Promise<ProcessOutcome>>();
  private readonly admission = new Admission(ADMISSION_BATCH);
  private readonly sessionListeners = new Map<string, Set<(event: SessionEvent) => void>>();
  private readonly eventListeners = new Set<LiveListener>();
  private readonly bus = new MessageBus(
    (message, session_id) => this.recordMessage(message, session_id),
    (receiver, error) => this.runtime?.logger.error({ receiver, err: error }, 'message subscriber failed'),
  );
  private sessionLogic!: ReturnType<Orchestrator['provideSession']>;
  private initializing: Promise<void> | undefined;
  private shuttingDown = false;
  private closed = false;

  constructor(private readonly options: OrchestratorOptions = {}) {}

  /** Checks the configuration and the agents, and starts what the agents need. Idempotent. */
  initialize(): Promise<void> {
    this.initializing ??= this.start();
    return this.initializing;
  }

  private async start(): Promise<void> {
    const runtime = await buildRuntime(this.options);
    this.runtime = runtime;
    this.sessionLogic = this.provideSession();
    this.bus.subscribe('circuit_breakers', (message) => {
      if ((message.content as { type?: string })?.type === 'orchestrator.shutting_down') {
        for (const breaker of runtime.breakers.values()) breaker.stop();
      }
    });
    runtime.logger.info({ config: printableConfig(runtime.config), agents: runtime.roleAgents }, 'orchestrator initialized');
  }

  /** The runtime: every caller runs after `initialize()` has built it. */
  private get rt(): Runtime {
    if (!this.runtime) throw new AppError('AGENT_FAILED', 'the orchestrator is used before initialize() finished');
    return this.runtime;
  }

  // ── The charts' implementations ────────────────────────────────────────────

  /** The effects of the agent requests stamped into each stage of the workflow chart (machines/agent-call.ts). */
  private callEffects() {
    const turnOf = (context: WorkflowContext) => this.active.get(context.correlation_id);
    const agentOf = (context: WorkflowContext, role: WorkflowRole) => context.agents[role][context.call.index]!;
    const recovery = (context: WorkflowContext, role: WorkflowRole, agent: string, kind: RecoveryEntry['kind'], detail: string) => {
      const turn = turnOf(context);
      if (!turn) return;
      const entry: RecoveryEntry = { at: new Date().toISOString(), turn: turn.record.turn, role, agent, kind, detail };
      push(turn.session.recovery, entry, this.rt.config.max_messages_per_session);
      if (this.eventListeners.size > 0) this.emitLive({ session_id: turn.session.id, turn: entry.turn, recovery: kind, role, agent, detail, at: entry.at });
    };
    return {
      agentRefused: ({ context }: { context: WorkflowContext }, { role }: { role: WorkflowRole }) => {
        this.metricsStore.agent(role, agentOf(context, role)).refusals++;
      },
      requestFaulted: ({ context }: { context: WorkflowContext }, { role }: { role: WorkflowRole }) => {
        const agent = agentOf(context, role);
        const failure = context.failure!;
        recovery(context, role, agent, 'failure', `${failure.error_code}: ${failure.message}`);
        turnOf(context)?.log.warn({ role, agent, error_code: failure.error_code }, `request fault at ${agent}: ${failure.message}`);
      },
      agentResponded: ({ context }: { context: WorkflowContext }, { role }: { role: WorkflowRole }) => {
        // Asking first spares a healthy breaker a macrostep on every turn.
        const breaker = this.rt.breakers.get(`${role}/${agentOf(context, role)}`);
        if (breaker?.getSnapshot().can({ type: 'agent.succeeded' })) breaker.send({ type: 'agent.succeeded' });
      },
      agentFailed: ({ context }: { context: WorkflowContext }, { role }: { role: WorkflowRole }) => {
        const agent = agentOf(context, role);
        const { reason, message } = context.call;
        const counts = this.metricsStore.agent(role, agent);
        counts.failures++;
        if (reason === 'timeout') counts.timeouts++;
        this.rt.breakers.get(`${role}/${agent}`)?.send({ type: 'agent.failed' });
        recovery(context, role, agent, reason === 'timeout' ? 'timeout' : 'failure', message);
        turnOf(context)?.log.warn({ role, agent, reason }, `agent ${agent} failed: ${message}`);
      },
      retryScheduled: ({ context }: { context: WorkflowContext }, { role }: { role: WorkflowRole }) => {
        const agent = agentOf(context, role);
        const attempt = context.call.attempt + 1;
        const delay_ms = backoffMs(context.limits.backoff_base, context.call.attempt);
        this.metricsStore.retries++;
        recovery(context, role, agent, 'retry', `attempt ${attempt} in ${delay_ms} ms`);
        turnOf(context)?.log.warn({ role, agent, attempt, delay_ms }, 'retrying agent');
      },
      failedOver: ({ context }: { context: WorkflowContext }, { role }: { role: WorkflowRole }) => {
        const fallback = context.fallbacks[context.fallbacks.length - 1]!;
        this.metricsStore.fallbacks++;
        const kind = fallback.reason === 'circuit_open' ? 'circuit_open' : 'fallback';
        recovery(context, role, fallback.from, kind, fallback.to ? `falling back to ${fallback.to}` : 'no agent left for the role');
        turnOf(context)?.log.warn({ role, from: fallback.from, to: fallback.to, reason: fallback.reason }, 'agent fallback');
      },
    };
  }

  /** One call of one agent; an agent whose circuit is open is not called, and the chart skips it. */
  private async callAgent(input: CallAgentInput, signal: AbortSignal): Promise<AgentReply> {
    const key = `${input.role}/${input.agent}`;
    const agent = this.rt.agentsByName.get(key);
    if (!agent) throw new AppError('AGENT_FAILED', `no agent ${input.agent} for ${input.role}`);
    if (this.rt.breakers.get(key)?.getSnapshot().value === 'open') throw Object.assign(new Error(`circuit open for ${input.agent}`), { reason: CIRCUIT_OPEN_MARK });
    this.metricsStore.agent(input.role, input.agent).calls++;
    const turn = this.active.get(input.correlation_id);
    if (turn) {
      const stage = turn.record.stages[turn.stage];
      if (stage) stage.attempts++;
    }
    const ctx: AgentCallContext = { signal, session: { session_id: input.session_id, turn: this.active.get(input.correlation_id)?.record.turn ?? 0 }, services: this.rt.services };
    return this.rt.bulkhead.run(
      () =>
        this.bus.request(
          { sender: ORCHESTRATOR, receiver: agent.name, content: input.content, correlation_id: input.correlation_id },
          input.session_id,
          () => runAgent(agent, input.content, ctx),
        ),
      signal,
    );
  }

  private provideWorkflow() {
    const turnOf = (context: WorkflowContext) => this.active.get(context.correlation_id);
    return workflowMachine.provide({
      actors: {
        callAgent: fromPromise<AgentReply, CallAgentInput>(({ input, signal }) => this.callAgent(input, signal)),
        prepareWorkflow: fromPromise<Preparation, { session_id: string; query: string; context: Record<string, unknown>; mode: Mode }>(
          async ({ input }) => this.prepare(input),
        ),
        entityExtractor: fromPromise<unknown, { query: string }>(async ({ input }) => this.rt.services.extractEntities?.(input.query)),
      },
      guards: {
        generatedSqlUnsafe: ({ context }) => !isReadOnlyGeneration(context.results.query_generation),
      },
      actions: {
        stageEntered: ({ context }, { stage }) => {
          const turn = turnOf(context);
          if (!turn) return;
          const now = performance.now();
          turn.stage = stage;
          turn.stageStarted = now;
          const existing = turn.record.stages[stage];
          if (!existing) turn.record.stages[stage] = { output: undefined, started_at: new Date().toISOString(), ms: 0, attempts: 0 };
          turn.log.info({ stage }, `stage ${stage}`);
          // Built only when someone listens: its timestamp is a cost on every stage of every turn.
          if (this.listening(turn.session.id)) this.emitSessionEvent({ session_id: turn.session.id, turn: turn.record.turn, stage, at: new Date().toISOString() });
        },
        stageExited: ({ context }, { stage }) => {
          const turn = turnOf(context);
          const record = turn?.record.stages[stage];
          if (!turn || !record) return;
          const ms = performance.now() - turn.stageStarted;
          record.ms = round3(record.ms + ms);
          this.metricsStore.stage(stage, ms);
        },
        analysisProduced: ({ context }) => {
          this.rt.stageCache.storeAnalysis(context, context.results.schema_analysis);
        },
        ...this.callEffects(),
      },
    });
  }

  private provideSession() {
    return sessionMachine.provide({
      actors: { workflow: this.provideWorkflow() },
      actions: {
        turnSettled: ({ context }, { output }) => this.settleTurn(context, output),
        turnCrashed: ({ context }, { error }) => this.settleCrash(context, error),
        sessionExpired: ({ context }, { reason }) => this.expireSession(context.session_id, reason),
      },
    });
  }

  private async prepare(input: { session_id: string; query: string; context: Record<string, unknown>; mode: Mode }): Promise<Preparation> {
    const session = this.sessions.get(input.session_id);
    const earlier: HistoricalQuery[] = (session?.turns ?? [])
      .filter((t) => t.result !== null)
      .map((t) => ({ query: t.query, ...(t.result && !isErrorResponse(t.result) ? { sql: t.result.sql } : {}) }));
    const historical_queries = [...normalizeHistory(input.context.historical_queries as HistoricalQuery[] | undefined), ...earlier];
    return {
      historical_queries,
      screening: screenRequest(input.query),
      cached: this.rt.stageCache.lookup({ ...input, options: this.workflowOptions(input.context) }, historical_queries.length > 0),
    };
  }

  private workflowOptions(context: Record<string, unknown>): WorkflowInput['options'] {
    const prefs = (context.user_preferences ?? {}) as Record<string, unknown>;
    const hints = Array.isArray(prefs.hint_tables) ? (prefs.hint_tables.filter((t) => typeof t === 'string') as string[]) : undefined;
    return {
      depth: this.rt.config.analysis_depth,
      num_candidates: this.rt.config.num_candidates,
      strict_mode: prefs.strict_mode === true || this.rt.config.strict_mode,
      ...(hints?.length ? { hint_tables: hints } : {}),
    };
  }

  // ── Public API ─────────────────────────────────────────────────────────────

  /** Runs one turn. Always resolves: with the result, or with the specification's error response. */
  process(input: ProcessInput | unknown): Promise<ProcessOutcome> {
    const run = this.runTurn(input).catch((error: unknown) => {
      this.runtime?.logger.error({ err: error }, 'unexpected orchestrator error');
      return errorResponse(error, sessionIdOf(input));
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  private async runTurn(raw: unknown): Promise<ProcessOutcome> {
    if (this.shuttingDown) return errorResponse(new AppError('SHUTTING_DOWN', 'no new requests are accepted'), sessionIdOf(raw));
    try {
      await this.initialize();
    } catch (error) {
      return errorResponse(error, sessionIdOf(raw));
    }
    let input;
    try {
      input = checkInput(raw);
      await checkRequestSql(input);
    } catch (error) {
      return errorResponse(error, sessionIdOf(raw));
    }
    await this.admission.enter();
    let session: SessionRecord;
    try {
      session = this.sessionFor(input.session_id);
    } catch (error) {
      return errorResponse(error, input.session_id ?? null);
    }
    if (session.status === 'expired') {
      return errorResponse(new AppError('SESSION_EXPIRED', `session ${session.id} expired (${session.expired_reason ?? 'idle'})`, { field: 'session_id' }), session.id);
    }
    const turn = session.queue.then(() => this.startTurn(session, input));
    session.queue = turn.catch(() => undefined);
    return turn;
  }

  private sessionFor(id: string | undefined): SessionRecord {
    const existing = id === undefined ? undefined : this.sessions.get(id);
    if (existing) return existing;
    const evicted = sessionToEvict(this.sessions.values(), this.rt.config.max_live_sessions);
    if (evicted) {
      evicted.actor?.stop();
      this.expireSession(evicted.id, 'idle');
    }
    const session_id = id ?? nanoid();
    const now = Date.now();
    const record: SessionRecord = {
      id: session_id,
      created_at: now,
      updated_at: now,
      status: 'created',
      actor: null,
      turns: [],
      turnCount: 0,
      messages: [],
      recovery: [],
      queue: Promise.resolve(),
    };
    const actor = createActor(this.sessionLogic, {
      input: { session_id, idle_timeout: this.idleTimeout() },
      inspect: this.options.inspect,
    });
    record.actor = actor;
    this.sessions.set(session_id, record);
    this.evictExpired();
    actor.start();
    return record;
  }

  /** Sessions idle longer than `cache_ttl` expire; with caching off they still expire, after the workflow timeout. */
  private idleTimeout(): number {
    return this.rt.config.cache_ttl > 0 ? this.rt.config.cache_ttl : this.rt.config.timeout;
  }

  private startTurn(session: SessionRecord, input: ReturnType<typeof checkInput>): Promise<ProcessOutcome> {
    if (session.status === 'expired' || !session.actor) {
      return Promise.resolve(errorResponse(new AppError('SESSION_EXPIRED', `session ${session.id} expired`, { field: 'session_id' }), session.id));
    }
    const correlation_id = nanoid(16);
    const turnNumber = ++session.turnCount;
    const record: TurnSnapshot = { turn: turnNumber, correlation_id, query: input.query, mode: input.mode, outcome: null, stages: {}, result: null };
    push(session.turns, record, this.rt.config.max_turns_per_session);
    const log = this.rt.logger.child({ session_id: session.id, correlation_id });
    this.metricsStore.workflows.started++;
    return new Promise<ProcessOutcome>((settle) => {
      this.active.set(correlation_id, { session, record, log, started: performance.now(), stage: 'initialization', stageStarted: performance.now(), settle });
      session.status = 'active';
      session.updated_at = Date.now();
      const workflowInput: WorkflowInput = {
        session_id: session.id,
        turn: turnNumber,
        correlation_id,
        query: input.query,
        context: input.context,
        mode: input.mode,
        agents: this.rt.roleAgents as Record<WorkflowRole, string[]>,
        limits: {
          max_retries: this.rt.config.max_retries,
          timeout: this.rt.config.timeout,
          inter_agent_timeout: this.rt.config.inter_agent_timeout,
          backoff_base: this.rt.config.retry_backoff,
        },
        options: this.workflowOptions(input.context),
      };
      session.actor!.send({ type: 'turn.started', input: workflowInput });
    });
  }

  private settleTurn(context: SessionContext, output: WorkflowOutput): void {
    const turn = context.turn && this.active.get(context.turn.correlation_id);
    if (!turn || !context.turn) return;
    this.active.delete(context.turn.correlation_id);
    const { session, record, log } = turn;
    for (const stage of output.completed_stages) {
      const stageRecord = record.stages[stage];
      if (stageRecord) stageRecord.output = stageOutput(output, stage);
    }
    const stage_timings_ms = Object.fromEntries(Object.entries(record.stages).map(([s, r]) => [s, r!.ms]));
    const outcome: ProcessOutcome =
      output.outcome === 'completed'
        ? successResult(output, { session_id: session.id, query: record.query, mode: record.mode, turn: record.turn, stage_timings_ms })
        : failureResponse(output, session.id);
    record.outcome = output.outcome;
    record.result = outcome;
    session.status = output.outcome === 'completed' ? 'completed' : output.outcome === 'expired' && output.failure?.error_code === 'CANCELLED' ? 'expired' : 'failed';
    session.updated_at = Date.now();
    const ms = performance.now() - turn.started;
    this.metricsStore.workflowEnded(output.outcome, ms, isErrorResponse(outcome) ? outcome.error_code : undefined);
    this.metricsStore.regenerations += output.regenerations;
    if (isErrorResponse(outcome)) {
      log.error({ error_code: outcome.error_code, failed_stage: outcome.failed_stage }, outcome.error);
    } else {
      log.info({ stage: 'completed', ms: round3(ms) }, 'workflow completed');
      if (outcome.validation.is_valid && output.regenerations === 0 && output.cache.query_generation === 'miss' && record.result) {
        this.rt.stageCache.storeGeneration({ query: record.query, mode: record.mode, context: context.turn.context }, output.results.query_generation);
      }
    }
    this.bus.notify(
      { sender: ORCHESTRATOR, receiver: 'turn_listeners', content: { outcome: output.outcome, turn: record.turn, session_id: session.id, mode: record.mode, query: record.query, result: outcome }, correlation_id: record.correlation_id },
      session.id,
    );
    if (this.listening(session.id)) {
      this.emitSessionEvent(
        {
          session_id: session.id,
          turn: record.turn,
          outcome: output.outcome,
          ...(isErrorResponse(outcome) ? { error_code: outcome.error_code } : {}),
          at: new Date().toISOString(),
        },
        { query: record.query, mode: record.mode, result: outcome },
      );
    }
    trimSession(session, this.rt.config.max_session_bytes);
    // Most recently used last: the live-session cap ends the session at the front first.
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
    turn.settle(outcome);
  }

  private settleCrash(context: SessionContext, error: unknown): void {
    const turn = context.turn && this.active.get(context.turn.correlation_id);
    if (!turn || !context.turn) return;
    this.active.delete(context.turn.correlation_id);
    const response: ErrorResponse = errorResponse(new AppError('AGENT_FAILED', (error as Error)?.message ?? 'workflow crashed'), turn.session.id, turn.stage);
    turn.record.outcome = 'failed';
    turn.record.result = response;
    turn.session.status = 'failed';
    this.metricsStore.workflowEnded('failed', performance.now() - turn.started, response.error_code);
    turn.log.error({ err: error }, 'workflow crashed');
    this.emitSessionEvent({ session_id: turn.session.id, turn: turn.record.turn, outcome: 'failed', error_code: response.error_code, at: new Date().toISOString() }, { query: turn.record.query, mode: turn.record.mode, result: response });
    turn.settle(response);
  }

  private expireSession(session_id: string, reason: 'idle' | 'cancelled'): void {
    const session = this.sessions.get(session_id);
    if (!session || session.status === 'expired') return;
    session.status = 'expired';
    session.expired_reason = reason;
    session.updated_at = Date.now();
    this.metricsStore.sessionEnded((session.updated_at - session.created_at) / 1000);
    this.rt.logger.info({ session_id, reason }, 'session expired');
    this.emitSessionEvent({ session_id, expired: reason, at: new Date().toISOString() });
    // The actor has reached its final state; drop it so only the record is retained.
    session.actor = null;
    this.evictExpired();
  }

  private evictExpired(): void {
    let excess = this.sessions.size - this.rt.config.max_retained_sessions;
    if (excess <= 0) return;
    for (const [id, session] of this.sessions) {
      if (excess <= 0) break;
      if (session.status === 'expired') {
        this.sessions.delete(id);
        excess--;
      }
    }
  }

  private recordMessage(message: AgentMessage, session_id: string | null): void {
    this.runtime?.logger.debug({ session_id, correlation_id: message.correlation_id, message_type: message.message_type, sender: message.sender, receiver: message.receiver }, 'agent message');
    if (session_id === null) return;
    const session = this.sessions.get(session_id);
    if (session) push(session.messages, message, this.rt.config.max_messages_per_session);
  }

  getSession(id: string): SessionSnapshot | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    return snapshotOf(session);
  }

  /** Cancels the session: a running turn ends with CANCELLED, and the session expires. */
  cancel(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session || session.status === 'expired' || !session.actor) return false;
    session.actor.send({ type: 'session.cancelled', reason: `session ${id} was cancelled` });
    return true;
  }

  metrics(): MetricsSnapshot {
    const m = this.metricsStore;
    const ended = m.workflows.completed + m.workflows.failed + m.workflows.expired;
    const by_status: Record<SessionStatus, number> = { created: 0, active: 0, completed: 0, failed: 0, expired: 0 };
    let messages_retained = 0;
    for (const s of this.sessions.values()) {
      by_status[s.status]++;
      messages_retained += s.messages.length;
    }
    return {
      workflows: { ...m.workflows, completion_rate: ended === 0 ? 0 : m.workflows.completed / ended, latency_ms: m.workflowLatency.summary() },
      error_codes: Object.fromEntries(m.errorCodes),
      stages: Object.fromEntries([...m.stageLatency].map(([stage, r]) => [stage, r.summary()])),
      agents: this.agentCounters(),
      recovery: this.recoveryCounters(),
      cache: this.cacheCounters(),
      sessions: {
        total: this.sessions.size,
        by_status,
        duration_s: m.sessionDurations.summary(),
        duration_buckets: m.sessionBuckets.map((count, i) => ({ le: SESSION_BUCKETS[i]!, count })),
        messages_retained,
        estimated_bytes_per_session: this.sessionFootprint().mean_bytes,
        limits: {
          max_retained_sessions: this.runtime?.config.max_retained_sessions ?? 0,
          max_messages_per_session: this.runtime?.config.max_messages_per_session ?? 0,
          max_turns_per_session: this.runtime?.config.max_turns_per_session ?? 0,
          max_live_sessions: this.runtime?.config.max_live_sessions ?? 0,
          max_session_bytes: this.runtime?.config.max_session_bytes ?? 0,
        },
      },
      bulkhead: this.status().bulkhead,
    };
  }

  /**
   * What a live dashboard refreshes, in constant time: counters only. Latency
   * percentiles come from the stage events (`onEvent`), session states from the
   * events too, so nothing here sorts a reservoir or walks the sessions.
   */
  summary(): OrchestratorSummary {
    const m = this.metricsStore;
    return {
      workflows: { ...m.workflows },
      error_codes: Object.fromEntries(m.errorCodes),
      agents: this.agentCounters(true),
      recovery: this.recoveryCounters(),
      cache: this.cacheCounters(),
      sessions: { retained: this.sessions.size, active_turns: this.active.size, duration_buckets: m.sessionBuckets.map((count, i) => ({ le: SESSION_BUCKETS[i]!, count })) },
      bulkhead: this.status().bulkhead,
    };
  }

  /** Agents that were called; with `idle`, every registered agent (a dashboard shows each breaker from the start). */
  private agentCounters(idle = false): MetricsSnapshot['agents'] {
    const agents: MetricsSnapshot['agents'] = {};
    const counted = new Map(this.metricsStore.agents);
    if (idle) for (const a of this.runtime?.agentsByName.values() ?? []) if (!counted.has(a.name)) counted.set(a.name, { role: a.role, calls: 0, failures: 0, timeouts: 0, refusals: 0 });
    for (const [name, counts] of counted) {
      const breaker = this.runtime?.breakers.get(`${counts.role}/${name}`);
      agents[name] = {
        ...counts,
        failure_rate: counts.calls === 0 ? 0 : counts.failures / counts.calls,
        circuit: String(breaker?.getSnapshot().value ?? 'closed'),
      };
    }
    return agents;
  }

  private recoveryCounters(): MetricsSnapshot['recovery'] {
    const m = this.metricsStore;
    return { retries: m.retries, fallbacks: m.fallbacks, regenerations: m.regenerations };
  }

  private cacheCounters(): MetricsSnapshot['cache'] {
    return this.runtime?.stageCache.stats() ?? { schema_analysis: EMPTY_CACHE_STATS, query_generation: EMPTY_CACHE_STATS };
  }

  /** What a health check needs, in constant time: `metrics()` summarizes latencies and serializes a sample of sessions. */
  status(): { sessions: number; bulkhead: MetricsSnapshot['bulkhead'] } {
    return {
      sessions: this.sessions.size,
      bulkhead: { limit: this.runtime?.config.max_concurrent_agents ?? 0, in_flight: this.runtime?.bulkhead.inFlight ?? 0, queued: this.runtime?.bulkhead.queued ?? 0, peak: this.runtime?.bulkhead.peak ?? 0 },
    };
  }

  /** Size estimate of retained session data, from a sample of snapshots (JSON bytes). */
  sessionFootprint(): { sampled: number; mean_bytes: number } {
    const sample: SessionRecord[] = [];
    for (const session of this.sessions.values()) {
      if (sample.length === SNAPSHOT_SAMPLE) break;
      sample.push(session);
    }
    if (sample.length === 0) return { sampled: 0, mean_bytes: 0 };
    const bytes = sample.reduce((sum, s) => sum + JSON.stringify(snapshotOf(s)).length, 0);
    return { sampled: sample.length, mean_bytes: Math.round(bytes / sample.length) };
  }

  /** Fire-and-forget listener of finished turns (e.g. the example memory): never awaited, its errors only logged. */
  onTurn(listener: (event: TurnEvent) => void | Promise<void>): () => void {
    return this.bus.subscribe('turn_listeners', (message) => listener(message.content as TurnEvent));
  }

  /**
   * Listens to one session as it runs (e.g. a Server-Sent Events feed): each
   * stage entered, each turn's outcome, and the session's expiry. The id may
   * be one no turn has used yet. Returns the unsubscribe function.
   */
  onStage(session_id: string, listener: (event: SessionEvent) => void): () => void {
    let listeners = this.sessionListeners.get(session_id);
    if (!listeners) this.sessionListeners.set(session_id, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.sessionListeners.get(session_id) === listeners) this.sessionListeners.delete(session_id);
    };
  }

  /**
   * Listens to every session at once (e.g. a dashboard's feed): the events
   * `onStage` gives for one session, each recovery step of an agent call, and
   * with each outcome the turn (question, mode, result). Returns the unsubscribe function.
   */
  onEvent(listener: LiveListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private listening(session_id: string): boolean {
    return this.eventListeners.size > 0 || this.sessionListeners.has(session_id);
  }

  private emitSessionEvent(event: SessionEvent, turn?: EndedTurn): void {
    for (const listener of this.sessionListeners.get(event.session_id) ?? []) this.callListener(listener, event);
    this.emitLive(event, turn);
  }

  private emitLive(event: LiveEvent, turn?: EndedTurn): void {
    for (const listener of this.eventListeners) this.callListener(listener, event, turn);
  }

  private callListener<E extends LiveEvent>(listener: (event: E, turn?: EndedTurn) => void, event: E, turn?: EndedTurn): void {
    try {
      listener(event, turn);
    } catch (error) {
      this.rt.logger.error({ err: error, session_id: event.session_id }, 'session listener failed');
    }
  }

  /**
   * Pipeline: one agent per role, in order, outside any session — each hop
   * receives the question plus what the hops before it produced, under the
   * content keys the workflow uses (`schema_analysis`, then the generator's
   * `sql`/`reasoning`, then `validation`). Used by `gl-rl analyze` and by tools
   * that want one role's answer without the whole workflow. Rejects on the
   * first failing hop (no retry, no fallback: that is the workflow's job).
   */
  async pipeline(
    roles: Role[],
    input: { query: string; context?: Record<string, unknown>; mode?: Mode; sql?: string; /** Extra content for the first hop, e.g. `hint_tables`, `depth`. */ content?: Record<string, unknown> },
  ): Promise<Record<string, unknown>> {
    await this.initialize();
    if (this.shuttingDown) throw new AppError('SHUTTING_DOWN', 'no new requests are accepted');
    const screening = screenRequest(input.query);
    if (screening.refusal) throw new AppError('WRITE_NOT_ALLOWED', screening.refusal.message, { field: 'query' });
    const correlation_id = nanoid(16);
    const content: Record<string, unknown> = {
      query: screening.question,
      context: input.context ?? {},
      mode: input.mode ?? 'generate',
      depth: this.rt.config.analysis_depth,
      attempt: 0,
      num_candidates: this.rt.config.num_candidates,
      strict_mode: this.rt.config.strict_mode,
      ...(input.sql ? { sql: input.sql } : {}),
      ...input.content,
    };
    const hops = roles.map((role) => {
      const agent = this.rt.registry.get(role)![0]!;
      return {
        receiver: agent.name,
        handle: async (current: unknown) => {
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(new AppError('AGENT_TIMEOUT', `${agent.name} gave no answer within ${this.rt.config.inter_agent_timeout}s`)), this.rt.config.inter_agent_timeout * 1000);
          try {
            const reply = await this.rt.bulkhead.run(
              () => runAgent(agent, current, { signal: controller.signal, session: { session_id: '', turn: 0 }, services: this.rt.services }),
              controller.signal,
            );
            if (reply.kind === 'refusal') throw new AppError('WRITE_NOT_ALLOWED', reply.refusal.message);
            return { ...(current as object), ...PIPELINE_KEYS[role](reply.output as Record<string, unknown>) };
          } finally {
            clearTimeout(timer);
          }
        },
      };
    });
    return this.bus.pipeline<Record<string, unknown>>(hops, content, correlation_id, null);
  }

  /** Stops accepting turns, drains those in flight, then stops every actor and closes the services. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.shuttingDown = true;
    if (this.initializing) await this.initializing.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    if (this.bus) await this.bus.broadcast({ type: 'orchestrator.shutting_down' });
    for (const session of this.sessions.values()) {
      session.actor?.stop();
      session.actor = null;
    }
    // The breakers stopped on the broadcast.
    await this.runtime?.services.close?.();
    this.closed = true;
    this.runtime?.logger.info('orchestrator shut down');
    this.runtime?.logger.flush?.();
  }

  /** Live actors the orchestrator holds: sessions and circuit breakers (0 after shutdown). */
  liveActors(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.actor && s.actor.getSnapshot().status === 'active') n++;
    for (const b of this.runtime?.breakers.values() ?? []) if (b.getSnapshot().status === 'active') n++;
    return n;
  }
}

export function createOrchestrator(options: OrchestratorOptions = {}): Orchestrator {
  return new Orchestrator(options);
}

/** Where each role's output goes in the content of the next pipeline hop (the workflow's content keys). */
const PIPELINE_KEYS: Record<Role, (output: Record<string, unknown>) => Record<string, unknown>> = {
  schema_analyzer: (output) => ({ schema_analysis: output }),
  query_generator: (output) => ({ sql: output.sql, reasoning: output.reasoning, generation: output }),
  validator: (output) => ({ validation: output }),
  reward_evaluator: (output) => ({ reward: output }),
};

/** The parser's verdict on a generation's SQL, once per generation output (the guard may be asked twice). */
const readOnlyVerdicts = new WeakMap<object, boolean>();
function isReadOnlyGeneration(generation: unknown): boolean {
  if (generation === null || typeof generation !== 'object') return false;
  let verdict = readOnlyVerdicts.get(generation);
  if (verdict === undefined) {
    const sql = (generation as { sql?: unknown }).sql;
    verdict = typeof sql === 'string' && checkReadOnly(sql).ok;
    readOnlyVerdicts.set(generation, verdict);
  }
  return verdict;
}

function snapshotOf(session: SessionRecord): SessionSnapshot {
  return {
    session_id: session.id,
    status: session.status,
    created_at: new Date(session.created_at).toISOString(),
    updated_at: new Date(session.updated_at).toISOString(),
    ...(session.expired_reason ? { expired_reason: session.expired_reason } : {}),
    turns: session.turns.map((t) => ({ ...t, stages: { ...t.stages } })),
    messages: [...session.messages],
    recovery: [...session.recovery],
  };
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

function sessionIdOf(input: unknown): string | null {
  const id = (input as { session_id?: unknown } | null)?.session_id;
  return typeof id === 'string' ? id : null;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
