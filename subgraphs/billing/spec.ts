import type { SubgraphSpec } from '../../platform/federation/subgraph-spec.js';
import { MONEY_TABLES } from './migrations/money-tables.js';
import { BILLING_ROTATION } from './encrypted-columns.js';
import { buildBillingSchema } from './schema.js';
import { demoPatientIds, seedBilling } from './seed.js';
import { openBillingStore, SCHEMA, startBillingSubgraph } from './server.js';

/** The billing subgraph: coverage, charges, claims, payments and the account ledger. */
export const billingSpec: SubgraphSpec = {
  name: 'billing',
  schema: SCHEMA,
  portOffset: 2,
  buildSchema: buildBillingSchema,
  open: openBillingStore,
  start: startBillingSubgraph,
  seed: (store, { dataDir }) =>
    seedBilling(store.orm.em.fork(), store.cipher, { patientIds: demoPatientIds(dataDir) }),
  rotation: BILLING_ROTATION,
  // Every money table is append-only: not even billing's own login may update, delete or
  // drop its triggers. `claim` is the view of each claim at its newest state.
  guarded: {
    tables: ['ledger_entry', ...MONEY_TABLES, 'claim', 'dispense_charge'],
    functions: [
      'ledger_entry_immutable()',
      'ledger_entry_check_reversal()',
      'money_row_immutable()',
    ],
  },
  accessFacts: 'projection',
};
