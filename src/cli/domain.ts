/**
 * The shipped domain (catalog, vocabulary, one seed-1 sample database) for
 * commands that use an agent's logic directly rather than a whole workflow.
 */
import type { Domain } from '../agents/defaults.js';
import { prestartDatabase } from './shared.js';

export async function withDomain<T>(schema: string | undefined, use: (domain: Domain) => Promise<T>): Promise<T> {
  const options = { schema_file: schema ?? null, seeds: [1] };
  await prestartDatabase(options);
  const { createDomain } = await import('../agents/defaults.js');
  const domain = await createDomain(options);
  try {
    return await use(domain);
  } finally {
    await domain.close();
  }
}
