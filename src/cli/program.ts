/** The `gl-rl` program: global options and every command of the registry. */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { addDatabaseOptions, DATABASE_COMMANDS } from './shared.js';

export function buildProgram(): Command {
  const program = new Command('gl-rl')
    .description('Business questions to safe, validated PostgreSQL over an ERP schema; SQL rewards for GRPO training.')
    .option('-v, --verbose', 'log at info level on stderr (default: warn; GL_RL_LOG_LEVEL overrides)')
    .option('--progress', 'show progress bars on stderr even when it is not a terminal')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  for (const command of program.commands) if (DATABASE_COMMANDS.has(command.name())) addDatabaseOptions(command);
  for (const command of program.commands) command.exitOverride().showHelpAfterError('(add --help for usage)');
  return program;
}
