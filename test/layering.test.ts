/**
 * Every import points down (docs/architecture.md, "Layers"): a folder imports
 * only from its own level or below, and machines/ imports nothing from src/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/paths.js';

/** Higher imports lower or equal, never the reverse. */
const LEVELS: Array<[string, number]> = [
  ['src/cli/', 9],
  ['src/http/', 8],
  ['src/eval/', 7],
  ['src/index.ts', 6],
  ['src/diagrams.ts', 5],
  ['src/orchestrator/', 5],
  ['src/agents/', 4],
  ['src/db/', 3],
  ['src/schema/', 2],
  ['src/sql/', 1],
  // English words, numbers, periods, POS and WordNet: no schema, no SQL.
  ['src/language/', 0.5],
  ['src/errors.ts', 0],
  ['src/paths.ts', 0],
  ['src/dictionary.ts', 0],
  ['machines/', -1],
];

function level(file: string): number {
  const found = LEVELS.find(([prefix]) => file.startsWith(prefix));
  if (!found) throw new Error(`no layer for ${file}`);
  return found[1];
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('layering', () => {
  it('no import points up', () => {
    const upward: string[] = [];
    for (const path of [...files(join(PACKAGE_ROOT, 'src')), ...files(join(PACKAGE_ROOT, 'machines'))]) {
      const file = relative(PACKAGE_ROOT, path);
      for (const [, spec] of readFileSync(path, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = relative(PACKAGE_ROOT, resolve(dirname(path), spec!)).replace(/\.js$/, '.ts');
        if (level(target) > level(file)) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
