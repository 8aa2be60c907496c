import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildCatalog } from '../../../src/schema/catalog.js';
import type { Catalog } from '../../../src/schema/types.js';
import { DEFAULT_SCHEMA_FILE } from '../../../src/paths.js';

export function glCatalog(): Catalog {
  return buildCatalog(readFileSync(DEFAULT_SCHEMA_FILE, 'utf8'));
}

export interface DevItem {
  query: string;
  sql?: string;
  expect?: string;
}

export function devItems(): DevItem[] {
  const path = fileURLToPath(new URL('../../fixtures/gl-dev.jsonl', import.meta.url));
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as DevItem);
}

export function goldSql(): string[] {
  return devItems().flatMap((item) => (item.sql ? [item.sql] : []));
}
