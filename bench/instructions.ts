/**
 * Instructions per workflow, which the load of a shared machine does not
 * move: each subject of bench/overhead.ts runs under valgrind (callgrind,
 * no cache simulation) for N1 and N2 workflows after the same warm-up, and
 * the difference of the two totals is divided by N2 − N1. Slow (minutes):
 * not part of `npm run bench`; run it alone.
 *
 *   node --import tsx bench/instructions.ts [subject …]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emit, machine } from './lib.js';

const overhead = fileURLToPath(new URL('./overhead.ts', import.meta.url));
const N1 = 50;
const N2 = 250;

function instructions(subject: string, count: number): number {
  const run = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--import', 'tsx', overhead, '--only', subject, '--count', String(count)],
    { encoding: 'utf8' },
  );
  const collected = /Collected\s*:\s*(\d+)/.exec(run.stderr);
  if (!collected) throw new Error(`no instruction count for ${subject}: ${run.stderr.slice(-500)}`);
  return Number(collected[1]);
}

const subjects = process.argv.slice(2).length ? process.argv.slice(2) : ['plain_chain', 'bare_xstate', 'orchestrator', 'langgraph'];
const per: Record<string, number> = {};
for (const subject of subjects) per[subject] = Math.round((instructions(subject, N2) - instructions(subject, N1)) / (N2 - N1));
emit('instructions', { machine: machine(), workflows: [N1, N2], instructions_per_workflow: per });
