/** `gl-rl learn --dataset FILE`: teaches the example memory every `{query, sql}` pair of a JSONL dataset. */
import type { Command } from 'commander';
import { action, writeJson, writeOut } from '../shared.js';

interface LearnOptions {
  dataset: string;
  memory?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('learn')
    .description('add the {query, sql} pairs of a JSONL dataset to the example memory')
    .requiredOption('--dataset <file>', 'JSONL dataset: one {query, sql} per line ({query, expect} lines are skipped)')
    .option('--memory <file>', 'memory file (default: GL_RL_MEMORY_FILE, else ~/.gl-rl/memory.jsonl)')
    .option('--json', 'print the report as one JSON document')
    .addHelpText('after', '\nBad lines are reported with their line number; the others are still learned.')
    .action(action(async (options: LearnOptions) => learn(options)));
}

async function learn(options: LearnOptions): Promise<number> {
  const { ExampleMemory, learnFromDataset } = await import('../../agents/query-generator/memory/index.js');
  const { memory, report: loaded } = await ExampleMemory.open(...(options.memory ? [options.memory] : []));
  const report = await learnFromDataset(memory, options.dataset);
  for (const p of loaded.problems) process.stderr.write(`warning: ${loaded.path} line ${p.line}: ${p.message}\n`);
  for (const p of report.problems) process.stderr.write(`warning: ${report.path} line ${p.line}: ${p.message}\n`);
  if (options.json) writeJson({ ...report, memory: memory.path, size: memory.size });
  else {
    writeOut(
      `learned from ${report.path}: ${report.added} added, ${report.replaced} replaced, ${report.unchanged} unchanged, ${report.skipped} skipped, ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}\n` +
        `memory ${memory.path}: ${memory.size} examples`,
    );
  }
  return 0;
}
