import { Migration20261206110000Catalogue } from '../migrations/Migration20261206110000Catalogue.js';
import { migrations } from '../migrations/index.js';
import { openPharmacyTestStore } from '../testing.js';
import type { SubgraphTestStore } from '../../../platform/testing/subgraph-test-store.js';

/** The pharmacy schema with the catalogue's migration (test support, until the lead lists it in index.ts). */
export function openCatalogueTestStore(label: string): Promise<SubgraphTestStore> {
  const listed = migrations.some((m) => m.name === 'Migration20261206110000Catalogue');
  return openPharmacyTestStore(label, {
    migrations: listed
      ? migrations
      : [
          ...migrations,
          { name: 'Migration20261206110000Catalogue', class: Migration20261206110000Catalogue },
        ],
  });
}
