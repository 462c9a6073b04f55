import type { SubgraphSpec } from '../../platform/federation/subgraph-spec.js';
import { SCHEDULING_ROTATION } from './encrypted-columns.js';
import { buildSchedulingSchema } from './schema.js';
import { seedScheduling } from './seed.js';
import { openSchedulingStore, SCHEMA, startSchedulingSubgraph } from './server.js';

/** The scheduling subgraph: practitioners, schedules, slots and appointments. */
export const schedulingSpec: SubgraphSpec = {
  name: 'scheduling',
  schema: SCHEMA,
  portOffset: 1,
  buildSchema: buildSchedulingSchema,
  open: openSchedulingStore,
  start: startSchedulingSubgraph,
  seed: (store, { dataDir }) => seedScheduling(store.orm.em.fork(), dataDir),
  rotation: SCHEDULING_ROTATION,
  accessFacts: 'projection',
};
