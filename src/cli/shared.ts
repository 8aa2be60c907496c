/**
 * What every command shares: the exit-code convention, output helpers that
 * keep stdout for results only, and a lazily built orchestrator. Nothing here
 * imports the product at module load, so `gl-rl --help` stays cheap; heavy
 * modules are imported inside the actions that need them.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { Orchestrator } from '../orchestrator/orchestrator.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Commands that answer once and exit. */
const ONE_SHOT_COMMANDS = new Set(['ask', 'analyze', 'validate', 'sample-db', 'machines']);

/**
 * V8 flags for a command line, set before anything loads WASM (V8 reads them
 * when a module compiles, in every thread). A command that answers once keeps
 * WASM at the baseline tier (Liftoff): optimizing Postgres' 9 MB module in
 * the background costs a start more CPU than its few statements gain back
 * (`gl-rl ask` 1.2 s instead of 1.6 s on 2 cores); long runs (serve, batch,
 * eval, train) keep the optimizing tier. Global options take no value, so
 * the first word not starting with '-' names the command.
 */
export function v8FlagsFor(argv: readonly string[]): string[] {
  const command = argv.slice(2).find((arg) => !arg.startsWith('-'));
  return command !== undefined && ONE_SHOT_COMMANDS.has(command) ? ['--liftoff-only'] : [];
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  verbose?: boolean;
  progress?: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** Wraps a command's action: its return value is the exit code; thrown errors are reported on stderr. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    let code: number;
    try {
      code = (await fn(...args)) ?? EXIT.ok;
    } catch (error) {
      code = reportError(error, args.at(-1) as Command | undefined);
    }
    await exitAfterFlush(code);
  };
}

function reportError(error: unknown, command: Command | undefined): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`);
    if (command) process.stderr.write(`(see gl-rl ${command.name()} --help)\n`);
    return EXIT.usage;
  }
  const e = error as { message?: string; code?: string; toJSON?: () => unknown };
  const json = (command?.opts() as { json?: boolean } | undefined)?.json;
  if (json) writeJson(typeof e.toJSON === 'function' ? e.toJSON() : { error: e.message ?? String(error) });
  process.stderr.write(`error: ${e.code ? `[${e.code}] ` : ''}${e.message ?? String(error)}\n`);
  return EXIT.failed;
}

/** Exits once stdout has taken everything written: workers and sockets must not keep a finished command alive. */
export function exitAfterFlush(code: number): Promise<never> {
  return new Promise(() => {
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A file's text, `-` or no file meaning stdin; unreadable input is a run that could not be done (exit 1). */
export async function readInput(file: string | undefined): Promise<string> {
  if (file && file !== '-') return readFile(file, 'utf8');
  if (process.stdin.isTTY) throw new UsageError('no input: give it as an argument, with --file, or on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `log_level` for the orchestrator: `warn` on the command line unless --verbose or GL_RL_LOG_LEVEL says otherwise. */
export function logLevel(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): 'warn' | 'info' | undefined {
  if (options.verbose) return 'info';
  return env.GL_RL_LOG_LEVEL ? undefined : 'warn';
}

export interface OrchestratorRequest extends GlobalOptions {
  schema?: string;
  inspect?: string | boolean;
}

export interface CliOrchestrator {
  orchestrator: Orchestrator;
  /** Drains the orchestrator and stops the inspector. */
  close(): Promise<void>;
}

export async function openOrchestrator(options: OrchestratorRequest): Promise<CliOrchestrator> {
  const level = logLevel(options);
  const config = { ...(level ? { log_level: level } : {}), ...(options.schema ? { schema_file: options.schema } : {}) };
  await prestartDatabase(config);
  const [{ createOrchestrator }, inspector, agents] = await Promise.all([
    import('../index.js'),
    options.inspect ? openInspector(options.inspect) : undefined,
    agentsFromEnv(),
  ]);
  const orchestrator = createOrchestrator({
    config,
    ...(agents ? { agents } : {}),
    ...(inspector ? { inspect: inspector.inspect } : {}),
  });
  return {
    orchestrator,
    close: async () => {
      await orchestrator.shutdown();
      inspector?.stop();
    },
  };
}

/**
 * Boots the domain's first sample database before the rest of the system is
 * loaded, from the configuration the orchestrator will resolve (see
 * prestartSampleDatabase; a cached database only). A bad configuration or
 * schema is left for the orchestrator's own start to report.
 */
export async function prestartDatabase(config: Record<string, unknown>): Promise<void> {
  const [{ resolveConfig }, { prestartSampleDatabase }, { DEFAULT_SCHEMA_FILE }] = await Promise.all([
    import('../orchestrator/config.js'),
    import('../db/prestart.js'),
    import('../paths.js'),
  ]);
  try {
    const { schema_file, seeds } = resolveConfig({ config });
    prestartSampleDatabase({ ddl: await readFile(schema_file ?? DEFAULT_SCHEMA_FILE, 'utf8'), seed: seeds[0]! });
  } catch {
    // Reported, with its field, when the orchestrator resolves the same configuration.
  }
}

/**
 * With `GL_RL_LLM_BASE_URL` set, an LLM generates the SQL (drawing on the
 * example memory) and the embedded generator is kept as its fallback;
 * otherwise the shipped agents serve every role.
 */
export async function agentsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<import('../index.js').AgentsOption | undefined> {
  const [{ llmOptionsFromEnv, createLlmGenerator, ExampleMemory, defaultAgents }, { defaultMemoryPath }] = await Promise.all([
    import('../index.js'),
    import('../agents/query-generator/memory/index.js'),
  ]);
  const options = llmOptionsFromEnv(env);
  if (!options) return undefined;
  const { memory } = await ExampleMemory.open(defaultMemoryPath(env));
  return { query_generator: [createLlmGenerator({ ...options, memory }), defaultAgents.query_generator] };
}

export const INSPECT_HELP =
  'watch the actors in the Stately inspector: "sky" (default, prints a live link on stderr), "local[:PORT]" (a local inspector server) or a ws:// URL';

interface OpenInspector {
  inspect: (event: import('xstate').InspectionEvent) => void;
  stop(): void;
}

/** Wires @statelyai/inspect: the Stately Sky link, a local inspector server, or any WebSocket receiver. */
export async function openInspector(target: string | boolean): Promise<OpenInspector> {
  const { createSkyInspector, createWebSocketInspector } = await import('@statelyai/inspect');
  const where = target === true ? 'sky' : String(target);
  if (where === 'sky') {
    const inspector = createSkyInspector({ onerror: (error) => process.stderr.write(`inspector: ${error.message}\n`) });
    return { inspect: (event) => inspector.inspect.next?.(event), stop: () => inspector.stop() };
  }
  const local = /^local(?::(\d+))?$/.exec(where);
  if (!local && !/^wss?:\/\//.test(where)) throw new UsageError(`--inspect: expected sky, local[:PORT] or a ws:// URL, got "${where}"`);
  let server: { stop(): void } | undefined;
  let url = where;
  if (local) {
    const port = Number(local[1] ?? 8080);
    const { createInspectorServer } = await import('@statelyai/inspect/server');
    server = createInspectorServer({ port, autoOpen: false });
    url = `ws://localhost:${port}`;
    process.stderr.write(`inspector server on http://localhost:${port} (open it in a browser)\n`);
  }
  const inspector = createWebSocketInspector({ url });
  return {
    inspect: (event) => inspector.inspect.next?.(event),
    stop: () => {
      inspector.stop();
      server?.stop();
    },
  };
}

/** Parses an integer option; a bad value is a usage error. */
export function integer(name: string, min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}.`);
    return n;
  };
}

/** Parses a duration option in seconds (fractions allowed, > 0); a bad value is a usage error. */
export function seconds(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number of seconds greater than 0.`);
    return n;
  };
}
