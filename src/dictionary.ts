/**
 * Lookup tables keyed by data — words of a question, names from a schema,
 * keys of a JSON file — have no prototype: on a plain object, "constructor",
 * "toString" or "__proto__" would find Object.prototype's members (and writing
 * under "__proto__" would change the object's prototype).
 */

/** A table with no prototype holding `entries`. */
export function dictionary<T>(entries: Readonly<Record<string, T>> | Iterable<readonly [string, T]> = {}): Record<string, T> {
  const table = Object.create(null) as Record<string, T>;
  for (const [key, value] of Symbol.iterator in entries ? (entries as Iterable<readonly [string, T]>) : Object.entries(entries)) table[key] = value;
  return table;
}

/** `JSON.parse` whose objects have no prototype. */
export function parseJsonData(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? dictionary(value as Record<string, unknown>) : value);
}
