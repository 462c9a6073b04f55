import type { SubgraphSpec } from '../../platform/federation/subgraph-spec.js';
import { FHIR_ROTATION } from './encrypted-columns.js';
import { buildFhirSchema } from './schema.js';
import { seedFhir } from './seed.js';
import { openFhirStore, SCHEMA, startFhirSubgraph } from './server.js';

/** The FHIR adapter: the clinical record (FHIR R4), and EHR data in. */
export const fhirAdapterSpec: SubgraphSpec = {
  name: 'fhir-adapter',
  schema: SCHEMA,
  portOffset: 3,
  buildSchema: buildFhirSchema,
  open: openFhirStore,
  start: startFhirSubgraph,
  seed: seedFhir,
  rotation: FHIR_ROTATION,
  // Not guarded: key rotation re-encrypts history in place, which its trigger alone permits.
  accessFacts: 'projection',
};
