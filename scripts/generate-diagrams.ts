/** Rewrites the generated statechart section of docs/architecture.md from machines/ (npm run docs:diagrams). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { architectureDiagrams } from '../src/diagrams.js';
import { PACKAGE_ROOT } from '../src/paths.js';

export const BEGIN = '<!-- generated:machines:begin (npm run docs:diagrams) -->';
export const END = '<!-- generated:machines:end -->';
export const ARCHITECTURE_DOC = join(PACKAGE_ROOT, 'docs', 'architecture.md');

export function withDiagrams(doc: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${ARCHITECTURE_DOC} lacks the generated-section markers`);
  return `${doc.slice(0, start + BEGIN.length)}\n\n${architectureDiagrams()}\n\n${doc.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(ARCHITECTURE_DOC, withDiagrams(readFileSync(ARCHITECTURE_DOC, 'utf8')));
  console.log(`updated ${ARCHITECTURE_DOC}`);
}
