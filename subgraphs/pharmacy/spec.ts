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
  accessFacts: 'projection',
};
