import {
  openSubgraphTestStore,
  type SubgraphTestStore,
  type SubgraphTestStoreOptions,
} from '../../platform/testing/subgraph-test-store.js';
import type { Principal } from '../../platform/identity/principal.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';

/** A fresh database with the billing schema migrated, opened as billing's own role. */
export type BillingTestStore = SubgraphTestStore;

export type BillingTestStoreOptions = Partial<
  Pick<SubgraphTestStoreOptions, 'events' | 'migrations' | 'kek'>
>;

/** The billing schema in a fresh database (platform/testing/subgraph-test-store.ts). */
export function openBillingTestStore(
  label: string,
  opts: BillingTestStoreOptions = {},
): Promise<BillingTestStore> {
  return openSubgraphTestStore(label, { schema: 'billing', entities, migrations, ...opts });
}

/** A billing clerk, as store tests take payments (test support). */
export const testClerk = (sub = 'billing-clerk-1'): Principal => ({
  sub,
  roles: ['billing'],
  scopes: [],
  clientId: 'test',
  purposeOfUse: 'HPAYMT',
});
