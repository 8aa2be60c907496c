/**
 * Runs the built `gl-rl` binary (dist/src/cli/main.js), building it first
 * when any source is newer than the build.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const BIN = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js');

function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0);
  }
  return t;
}

export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(BIN).mtimeMs;
  } catch {
    built = 0;
  }
  if (built >= Math.max(newest(join(PACKAGE_ROOT, 'src')), newest(join(PACKAGE_ROOT, 'machines')))) return;
  // Emits even when another part of the tree has a type error; the bin must exist afterwards.
  spawnSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT, stdio: 'ignore' });
  // As `npm run build` does: the bin is run by its path (npx, a shell), not only through node.
  chmodSync(BIN, 0o755);
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PACKAGE_ROOT, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
