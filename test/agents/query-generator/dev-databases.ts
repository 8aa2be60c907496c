import { readGeneratorValues } from '../../../src/agents/query-generator/values.js';
import { closeAll, openTestSuite, type SampleDatabase, type ValueDomains } from '../../../src/db/database.js';
import type { Catalog } from '../../../src/schema/types.js';

/** Seeded sample databases for the generator's tests, with the values its lexicon matches literals against. */
export interface DevDatabases {
  sources: SampleDatabase[];
  values: ValueDomains;
  close(): Promise<void>;
}

export async function openDevDatabases(catalog: Catalog, seeds: number[]): Promise<DevDatabases> {
  const sources = await openTestSuite({ catalog, seeds });
  return { sources, values: await readGeneratorValues(sources[0], catalog), close: () => closeAll(sources) };
}
