/**
 * wink-nlp (with wink-eng-lite-web-model) against compromise on what the
 * generator and the analyzer ask of a tagger: coarse parts of speech and
 * lemmas on hand-tagged analyst questions (bench/fixtures/pos-gold.txt), the
 * cost of loading each library in a fresh process, and the time per question.
 * `node --import tsx bench/language.ts`; the figures are in docs/language.md.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { analyze } from '../src/language/nlp.js';

type Coarse = 'N' | 'V' | 'A' | 'R' | 'D' | 'F';
interface GoldToken {
  word: string;
  tag: Coarse;
  lemma: string;
}

const GOLD = readFileSync(join(import.meta.dirname, 'fixtures', 'pos-gold.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => l.split(' ').map((t): GoldToken => {
    const [word, tag, lemma] = t.split('/');
    return { word, tag: tag as Coarse, lemma };
  }));

interface Tagged {
  tag: Coarse;
  lemma: string;
}
type Tagger = (sentence: string) => Tagged[];

const require = createRequire(import.meta.url);

function wink(): Tagger {
  const nlp = require('wink-nlp')(require('wink-eng-lite-web-model'), ['sbd', 'negation', 'pos']);
  const its = nlp.its;
  return (s) => {
    const doc = nlp.readDoc(s);
    const pos = doc.tokens().out(its.pos) as string[];
    const lemma = doc.tokens().out(its.lemma) as string[];
    return pos.map((p, i) => ({ tag: WINK_COARSE[p] ?? 'F', lemma: lemma[i].toLowerCase() }));
  };
}

const WINK_COARSE: Record<string, Coarse> = { NOUN: 'N', PROPN: 'N', VERB: 'V', AUX: 'V', ADJ: 'A', ADV: 'R', NUM: 'D' };

/** What the product uses: wink with src/language/nlp.ts's two corrections for questions. */
function product(): Tagger {
  return (s) => analyze(s).map((t) => ({ tag: WINK_COARSE[t.pos] ?? 'F', lemma: t.lemma }));
}

function compromise(): Tagger {
  const nlp = require('compromise');
  const coarse = (tags: string[]): Coarse => {
    if (tags.includes('Value')) return 'D';
    if (tags.includes('Pronoun') || tags.includes('Determiner') || tags.includes('Preposition') || tags.includes('Conjunction') || tags.includes('QuestionWord')) return 'F';
    if (tags.includes('Verb')) return 'V';
    if (tags.includes('Noun')) return 'N';
    if (tags.includes('Adjective')) return 'A';
    if (tags.includes('Adverb')) return 'R';
    return 'F';
  };
  return (s) => {
    const doc = nlp(s);
    doc.compute('root');
    const out: Tagged[] = [];
    for (const term of doc.json()[0].terms as Array<{ text: string; normal: string; root?: string; tags: string[]; post: string }>) {
      out.push({ tag: coarse(term.tags), lemma: (term.root ?? term.normal).toLowerCase() });
      // compromise keeps punctuation on the word ("month?"); the gold has it as a token of its own.
      if (/[?!.,]\s*$/.test(term.post)) out.push({ tag: 'F', lemma: '-' });
    }
    return out;
  };
}

function score(tagger: Tagger) {
  let tokens = 0;
  let tagsRight = 0;
  let lemmas = 0;
  let lemmasRight = 0;
  let misaligned = 0;
  const misses: string[] = [];
  for (const sentence of GOLD) {
    const tagged = tagger(sentence.map((t) => t.word).join(' ').replace(/ \?/g, '?'));
    if (tagged.length !== sentence.length) {
      misaligned++;
      continue;
    }
    sentence.forEach((g, i) => {
      tokens++;
      if (tagged[i].tag === g.tag) tagsRight++;
      else misses.push(`${g.word}: ${tagged[i].tag} for ${g.tag}`);
      if (g.lemma !== '-') {
        lemmas++;
        if (tagged[i].lemma === g.lemma) lemmasRight++;
        else misses.push(`${g.word}: lemma ${tagged[i].lemma} for ${g.lemma}`);
      }
    });
  }
  return { tokens, pos: tagsRight / tokens, lemma: lemmasRight / lemmas, misaligned, misses };
}

function perQuestionMs(tagger: Tagger): number {
  const sentences = GOLD.map((s) => s.map((t) => t.word).join(' '));
  for (const s of sentences) tagger(s);
  const rounds = 20;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) for (const s of sentences) tagger(s);
  return (performance.now() - started) / (rounds * sentences.length);
}

/** Load and first-question time in a fresh Node process (median of 5), so no module cache helps. */
function startupMs(library: 'wink' | 'compromise'): { load: number; first: number } {
  const code =
    library === 'wink'
      ? "const t0=performance.now();const n=require('wink-nlp')(require('wink-eng-lite-web-model'),['sbd','negation','pos']);const t1=performance.now();n.readDoc('How many orders were shipped last month?').tokens().out(n.its.lemma);const t2=performance.now();console.log(JSON.stringify([t1-t0,t2-t1]))"
      : "const t0=performance.now();const n=require('compromise');const t1=performance.now();const d=n('How many orders were shipped last month?');d.compute('root');d.json();const t2=performance.now();console.log(JSON.stringify([t1-t0,t2-t1]))";
  const runs = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, ['-e', code], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' })) as [number, number]);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[2];
  return { load: median(runs.map((r) => r[0])), first: median(runs.map((r) => r[1])) };
}

const winkStartup = startupMs('wink');
const rows = [
  { name: 'wink-nlp + wink-eng-lite-web-model', tagger: wink(), startup: winkStartup },
  { name: 'the same, with src/language/nlp.ts corrections', tagger: product(), startup: winkStartup },
  { name: 'compromise', tagger: compromise(), startup: startupMs('compromise') },
].map(({ name, tagger, startup }) => ({ name, ...score(tagger), perQuestionMs: perQuestionMs(tagger), startup }));
console.log(`${GOLD.length} questions, ${rows[0].tokens} tokens`);
console.log('| library | POS (coarse) | lemmas (content words) | load | first question | per question |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${(r.pos * 100).toFixed(1)}% | ${(r.lemma * 100).toFixed(1)}% | ${r.startup.load.toFixed(0)} ms | ${r.startup.first.toFixed(1)} ms | ${r.perQuestionMs.toFixed(3)} ms |`,
  );
}
for (const r of rows) console.log(`\n${r.name}: ${r.misaligned} sentences tokenized differently; misses: ${r.misses.join('; ')}`);
