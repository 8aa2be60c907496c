import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found by walking up from this file: the same code runs
 * from `src/` (tests, tsx) and from `dist/src/` (the built CLI), at different depths.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'data'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('gl-rl-model: package root with data/ not found');
    dir = parent;
  }
}

export const PACKAGE_ROOT = findRoot();
export const DATA_DIR = join(PACKAGE_ROOT, 'data');
export const DEFAULT_SCHEMA_FILE = join(DATA_DIR, 'gl', 'schema.sql');
