/**
 * The domain (catalog, vocabulary, its databases) for commands that use an
 * agent's logic directly rather than a whole workflow: from the bundled
 * schema, a DDL file, or a user's database, as the settings resolve.
 */
import type { Domain } from '../agents/defaults.js';
import { domainConfig, prestartDatabase, type DomainRequest } from './shared.js';

export async function withDomain<T>(request: DomainRequest, use: (domain: Domain) => Promise<T>, extra: { refresh?: boolean } = {}): Promise<T> {
  const config = { ...domainConfig(request), seeds: [1] };
  await prestartDatabase(config);
  const [{ createDomain, domainOptions }, { resolveConfig }] = await Promise.all([import('../index.js'), import('../orchestrator/config.js')]);
  const domain = await createDomain({ ...domainOptions(resolveConfig({ config })), ...extra });
  try {
    return await use(domain);
  } finally {
    await domain.close();
  }
}
