/**
 * Degrees of adjectives that measure a column: WordNet names the attribute an
 * adjective measures ("old" and "young" → age, "heavy" → weight, "tall" →
 * height), so a schema never seen gets "older than 20" on its Age column and
 * "the heaviest" on its weight, from the column's name alone.
 */
import { relatedWords } from '../../../language/wordnet.js';
import { identifierWords } from '../../../language/words.js';
import type { Catalog } from '../../../schema/types.js';

export interface DegreeForm {
  words: string[];
  table: string;
  column: string;
  more: boolean;
  superlative: boolean;
}

const VOWEL = /[aeiou]/;

/** "big" → bigger/biggest, "heavy" → heavier/heaviest, "large" → larger/largest, "old" → older/oldest. */
export function degreesOf(adjective: string): { comparative: string; superlative: string } {
  const a = adjective.toLowerCase();
  if (a.endsWith('e')) return { comparative: `${a}r`, superlative: `${a}st` };
  if (/[^aeiou]y$/.test(a)) return { comparative: `${a.slice(0, -1)}ier`, superlative: `${a.slice(0, -1)}iest` };
  const n = a.length;
  // One syllable ending consonant–vowel–consonant doubles its last letter (not w, x, y).
  if (n >= 3 && !VOWEL.test(a[n - 1]) && !/[wxy]/.test(a[n - 1]) && VOWEL.test(a[n - 2]) && !VOWEL.test(a[n - 3]) && (a.match(/[aeiou]+/g) ?? []).length === 1) {
    return { comparative: `${a}${a[n - 1]}er`, superlative: `${a}${a[n - 1]}est` };
  }
  return { comparative: `${a}er`, superlative: `${a}est` };
}

/** Short adjectives take -er/-est; longer ones ("mature", "standard") go with more/most, which the grammar reads. */
function inflects(adjective: string): boolean {
  return /^[a-z]+$/.test(adjective) && (adjective.length <= 5 || /[^aeiou]y$/.test(adjective));
}

/** The comparative and superlative forms naming each numeric, non-key column of the catalog. */
export function degreeForms(catalog: Catalog, lesser: ReadonlySet<string>): DegreeForm[] {
  const out: DegreeForm[] = [];
  for (const table of catalog.tables) {
    const keys = new Set([...table.primaryKey, ...table.foreignKeys.flatMap((f) => f.columns)]);
    for (const column of table.columns) {
      if (column.category !== 'number' || keys.has(column.name)) continue;
      for (const noun of identifierWords(column.name)) {
        for (const r of relatedWords(noun, { pos: ['noun'], relations: ['attribute'], senses: 3 })) {
          if (r.pos !== 'adj' || !inflects(r.word)) continue;
          const { comparative, superlative } = degreesOf(r.word);
          const more = !lesser.has(r.word);
          out.push({ words: [comparative], table: table.name, column: column.name, more, superlative: false });
          out.push({ words: [comparative, 'than'], table: table.name, column: column.name, more, superlative: false });
          out.push({ words: [superlative], table: table.name, column: column.name, more, superlative: true });
        }
      }
    }
  }
  return out;
}
