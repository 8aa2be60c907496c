/** `gl-rl machines`: the statecharts computed from machines/, as Mermaid or JSON. */
import { Option, type Command } from 'commander';
import { UsageError, action, writeJson, writeOut } from '../shared.js';

interface MachinesOptions {
  format: 'mermaid' | 'json';
  machine?: string;
}

export function register(program: Command): void {
  program
    .command('machines')
    .description('export the statecharts (workflow, session, circuit_breaker)')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'json']).default('mermaid'))
    .option('--machine <name>', 'only this machine (default: all)')
    .action(action(async (options: MachinesOptions) => machines(options)));
}

async function machines(options: MachinesOptions): Promise<number> {
  const { MACHINES, machineToJson, machineToMermaid } = await import('../../diagrams.js');
  const names = options.machine === undefined ? Object.keys(MACHINES) : [options.machine];
  for (const name of names) {
    if (!Object.hasOwn(MACHINES, name)) throw new UsageError(`unknown machine "${name}" (known: ${Object.keys(MACHINES).join(', ')})`);
  }
  if (options.format === 'json') {
    const docs = Object.fromEntries(names.map((name) => [name, machineToJson(MACHINES[name]!)]));
    writeJson(options.machine === undefined ? docs : docs[options.machine]);
  } else {
    writeOut(names.map((name) => `%% ${name}\n${machineToMermaid(MACHINES[name]!)}`).join('\n\n'));
  }
  return 0;
}
