#!/usr/bin/env node
/**
 * gl-rl: the command line. stdout carries results only, logs and progress go
 * to stderr. Exit codes: 0 success, 1 the workflow failed or the run could
 * not be done, 2 usage error.
 */
import { setFlagsFromString } from 'node:v8';
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { EXIT, exitAfterFlush, v8FlagsFor } from './shared.js';

for (const flag of v8FlagsFor(process.argv)) setFlagsFromString(flag);

// Libraries that print with console.log (the Sky inspector's link) must not mix with results on stdout.
console.log = console.error;

// The last line of defence of "no stack trace on any path": a failure no command caught is reported as
// every other error is, by its code and message, and the run fails (exit 1).
const fatal = (error: unknown) => {
  const e = error as { message?: string; code?: string };
  process.stderr.write(`error: ${e?.code ? `[${e.code}] ` : ''}${e?.message ?? String(error)}\n`);
  void exitAfterFlush(EXIT.failed);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    await exitAfterFlush(EXIT.usage);
  }
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version are answers (0); every other parser complaint is a usage error (2), already printed.
      await exitAfterFlush(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
    }
    process.stderr.write(`error: ${(error as Error).message ?? String(error)}\n`);
    await exitAfterFlush(EXIT.failed);
  }
}

await main(process.argv);
