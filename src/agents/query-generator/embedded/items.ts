/**
 * Questions about an annotated item that every reader asks: does it carry a
 * grammar keyword, which senses of a kind it has, is it a content word.
 */
import type { Sense } from './lexicon.js';
import type { Item } from './tokens.js';

export type ColumnSense = Extract<Sense, { kind: 'column' }>;
export type ValueSense = Extract<Sense, { kind: 'value' }>;
export type FilterSense = Extract<Sense, { kind: 'filter' }>;
export type MeasureSense = Extract<Sense, { kind: 'measure' }>;

export function has(item: Item | undefined, ...kws: string[]): boolean {
  return item !== undefined && kws.some((k) => item.kws.has(k));
}

export function senses<K extends Sense['kind']>(item: Item | undefined, kind: K): Array<Extract<Sense, { kind: K }>> {
  return (item?.senses ?? []).filter((s): s is Extract<Sense, { kind: K }> => s.kind === kind);
}

/** A word that names something of the schema or the question (not only grammar). */
export function isContent(item: Item): boolean {
  return item.kind !== 'phrase' || item.senses.some((s) => s.kind !== 'kw');
}

export function plural(item: Item): boolean {
  const last = item.text.split(' ').at(-1) ?? '';
  return /s$/i.test(last) && !/(ss|us|is)$/i.test(last);
}
