import type { OpenedStore, SeedArgs } from '../../platform/federation/subgraph-spec.js';

/** The facility directory and the demo data's facilities, once (filled in by the directory import). */
export async function seedCareRouting(_store: OpenedStore, _args: SeedArgs): Promise<number> {
  return Promise.resolve(0);
}
