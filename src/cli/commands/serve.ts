/**
 * `gl-rl serve`: the HTTP service. Prints its base URL on stdout once
 * listening (with --port 0, the port chosen); logs go to stderr through the
 * pino logger it shares with the orchestrator. SIGTERM and SIGINT shut it
 * down gracefully: no request in flight is lost.
 */
import type { Command } from 'commander';
import { INSPECT_HELP, action, agentsFromEnv, integer, logLevel, openInspector, prestartDatabase, seconds, writeOut, type GlobalOptions } from '../shared.js';

interface ServeOptions extends GlobalOptions {
  port: number;
  host: string;
  apiKey: string[];
  bodyLimit: number;
  bodyTimeout: number;
  batchConcurrency: number;
  schema?: string;
  inspect?: string | boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP service (POST /v1/query, /v1/batch, sessions, SSE events, /metrics, /health, /openapi.json)')
    .option('-p, --port <port>', 'port (0 picks a free one)', integer('--port', 0), 8080)
    .option('-H, --host <host>', 'interface to listen on', '127.0.0.1')
    .option('--api-key <key>', 'require `Authorization: Bearer <key>` (repeatable; also GL_RL_API_KEYS, comma-separated)', collect, [])
    .option('--body-limit <bytes>', 'largest request body', integer('--body-limit', 1), 1024 * 1024)
    .option('--body-timeout <seconds>', 'time a request (headers and body) may take to arrive; slower ones get 408', seconds('--body-timeout'), 30)
    .option('--batch-concurrency <n>', 'batch items run at once', integer('--batch-concurrency', 1), 4)
    .option('--schema <file>', 'DDL file of the domain (default: the bundled GL schema)')
    .option('--inspect [target]', INSPECT_HELP)
    .action(action(async (options: ServeOptions, command: Command) => serve({ ...(command.optsWithGlobals() as GlobalOptions), ...options })));
}

async function serve(options: ServeOptions): Promise<number> {
  const config = options.schema ? { schema_file: options.schema } : {};
  await prestartDatabase(config);
  const [{ createOrchestrator }, { createServer }, { default: pino }, { readFile }, { PACKAGE_ROOT }, { createScorer, scorerDomains }] = await Promise.all([
    import('../../index.js'),
    import('../../http/server.js'),
    import('pino'),
    import('node:fs/promises'),
    import('../../paths.js'),
    import('../../agents/scorer.js'),
  ]);
  const level = logLevel(options) ?? process.env.GL_RL_LOG_LEVEL!;
  const logger = pino({ level, base: { name: 'gl-rl' } }, pino.destination({ dest: 2, sync: false }));
  const inspector = options.inspect ? await openInspector(options.inspect) : undefined;
  const agents = await agentsFromEnv();
  const orchestrator = createOrchestrator({
    logger,
    ...(agents ? { agents } : {}),
    config,
    ...(inspector ? { inspect: inspector.inspect } : {}),
  });
  // Configuration and domain errors stop the start-up here, before the port opens.
  await orchestrator.initialize();
  const envKeys = (process.env.GL_RL_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  const { version } = JSON.parse(await readFile(`${PACKAGE_ROOT}/package.json`, 'utf8')) as { version: string };
  // POST /v1/rewards scores against the same domain as the workflow (and the bundled one as `gl`), started on first use.
  const scorer = createScorer(scorerDomains(options.schema));
  const service = createServer({
    orchestrator,
    apiKeys: [...options.apiKey, ...envKeys],
    bodyLimit: options.bodyLimit,
    bodyTimeout: options.bodyTimeout,
    batchConcurrency: options.batchConcurrency,
    logger,
    version,
    scorer,
  });
  const url = await service.listen({ port: options.port, host: options.host });
  writeOut(url);
  logger.info({ url, auth: options.apiKey.length + envKeys.length > 0 }, `gl-rl listening on ${url}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: draining requests in flight');
      service
        .close()
        .then(() => scorer.close())
        .then(() => inspector?.stop())
        .finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.flush();
  return 0;
}
