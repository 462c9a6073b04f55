import type { SubgraphSpec } from '../../platform/federation/subgraph-spec.js';
import { CARE_ROUTING_ROTATION } from './encrypted-columns.js';
import { buildCareRoutingSchema } from './schema.js';
import { seedCareRouting } from './seed.js';
import { openCareRoutingStore, SCHEMA, startCareRoutingSubgraph } from './server.js';

/** Care routing: the facility directory, capacity and status, nearby search and care recommendations. */
export const careRoutingSpec: SubgraphSpec = {
  name: 'care-routing',
  schema: SCHEMA,
  portOffset: 5,
  buildSchema: buildCareRoutingSchema,
  open: openCareRoutingStore,
  start: startCareRoutingSubgraph,
  seed: seedCareRouting,
  rotation: CARE_ROUTING_ROTATION,
  accessFacts: 'projection',
};
