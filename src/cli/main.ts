#!/usr/bin/env node
/**
 * gl-rl: the command line. stdout carries results only, logs and progress go
 * to stderr. Exit codes: 0 success, 1 the workflow failed or the run could
 * not be done, 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { EXIT, exitAfterFlush } from './shared.js';

// Libraries that print with console.log (the Sky inspector's link) must not mix with results on stdout.
console.log = console.error;

export function buildProgram(): Command {
  const program = new Command('gl-rl')
    .description('Business questions to safe, validated PostgreSQL over an ERP schema; SQL rewards for GRPO training.')
    .option('-v, --verbose', 'log at info level on stderr (default: warn; GL_RL_LOG_LEVEL overrides)')
    .option('--progress', 'show progress bars on stderr even when it is not a terminal')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  for (const command of program.commands) command.exitOverride().showHelpAfterError('(add --help for usage)');
  return program;
}

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
