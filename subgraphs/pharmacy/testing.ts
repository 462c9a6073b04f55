import type { Principal } from '../../platform/identity/principal.js';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
  type SubgraphTestStoreOptions,
} from '../../platform/testing/subgraph-test-store.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';

/** The pharmacy schema in a fresh database, opened as pharmacy's own role (test support). */
export function openPharmacyTestStore(
  label: string,
  opts: Partial<Pick<SubgraphTestStoreOptions, 'events' | 'migrations' | 'kek'>> = {},
): Promise<SubgraphTestStore> {
  return openSubgraphTestStore(label, { schema: 'pharmacy', entities, migrations, ...opts });
}

/** A pharmacist, as store tests dispense (test support). */
export const testPharmacist = (sub = 'pharmacist-1'): Principal => ({
  sub,
  roles: ['pharmacist'],
  scopes: [],
  clientId: 'test',
  purposeOfUse: 'TREAT',
});
