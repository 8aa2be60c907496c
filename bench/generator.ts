/**
 * Embedded generator speed: milliseconds per dev question (lexicon built once,
 * before timing; no caches inside the generator).
 *
 *   node --import tsx bench/generator.ts [--quick]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEmbedded } from '../src/agents/query-generator/embedded/generate.js';
import { buildLexicon } from '../src/agents/query-generator/embedded/lexicon.js';
import { loadCatalogFile } from '../src/schema/catalog.js';
import { loadVocabulary } from '../src/schema/vocabulary.js';
import { DEFAULT_SCHEMA_FILE, PACKAGE_ROOT } from '../src/paths.js';
import { loadParser } from '../src/sql/parser.js';
import { emit, machine, QUICK } from './lib.js';

await loadParser();
const catalog = loadCatalogFile(DEFAULT_SCHEMA_FILE);
const built = performance.now();
const lex = buildLexicon({ catalog, vocabulary: loadVocabulary() });
const buildMs = performance.now() - built;
const questions = readFileSync(join(PACKAGE_ROOT, 'test/fixtures/gl-dev.jsonl'), 'utf8').trim().split('\n')
  .map((l) => (JSON.parse(l) as { query: string }).query);

for (const q of questions) generateEmbedded(q, lex, undefined);
const rounds = QUICK ? 3 : 20;
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const q of questions) {
    const t = performance.now();
    generateEmbedded(q, lex, undefined);
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
emit('generator', {
  machine: machine(),
  questions: questions.length, runs: times.length, lexicon_build_ms: +buildMs.toFixed(1),
  median_ms: +at(0.5).toFixed(3), p90_ms: +at(0.9).toFixed(3), p99_ms: +at(0.99).toFixed(3), max_ms: +times.at(-1)!.toFixed(3),
});
