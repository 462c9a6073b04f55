import type { SubgraphSpec } from '../../platform/federation/subgraph-spec.js';
import { PHARMACY_ROTATION } from './encrypted-columns.js';
import { buildPharmacySchema } from './schema.js';
import { seedPharmacy } from './seed.js';
import { openPharmacyStore, SCHEMA, startPharmacySubgraph } from './server.js';

/** Pharmacy: the drug catalogue, prescriptions with safety checks, dispensing and stock. */
export const pharmacySpec: SubgraphSpec = {
  name: 'pharmacy',
  schema: SCHEMA,
  portOffset: 4,
  buildSchema: buildPharmacySchema,
  open: openPharmacyStore,
  start: startPharmacySubgraph,
  seed: seedPharmacy,
  rotation: PHARMACY_ROTATION,
  // The stock ledger and the dispenses are append-only: not even pharmacy's own login may
  // update, delete or drop their triggers. Prescription versions are not guarded: key rotation
  // re-encrypts them in place, which their trigger alone permits.
  guarded: { tables: ['stock_ledger', 'dispense'], functions: ['stock_row_immutable()'] },
  accessFacts: 'projection',
};
