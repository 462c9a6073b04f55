import type { SubgraphSpec } from '../../platform/federation/subgraph-spec.js';
import { OPEN_DATA_ROTATION } from './encrypted-columns.js';
import { buildOpenDataSchema } from './schema.js';
import { seedOpenData } from './seed.js';
import { openOpenDataStore, SCHEMA, startOpenDataSubgraph } from './server.js';

/** Open data: de-identified research data, differentially private answers, releases, forecasts. */
export const openDataSpec: SubgraphSpec = {
  name: 'open-data',
  schema: SCHEMA,
  portOffset: 6,
  buildSchema: buildOpenDataSchema,
  open: openOpenDataStore,
  start: startOpenDataSubgraph,
  seed: seedOpenData,
  rotation: OPEN_DATA_ROTATION,
  accessFacts: 'none',
};
