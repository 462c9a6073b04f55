import 'reflect-metadata';
import { runSubgraph } from '../../platform/federation/run-subgraph.js';
import { SCHEMA, startSchedulingSubgraph } from './server.js';

// The scheduling subgraph alone (a container), with its event worker.
await runSubgraph({
  name: 'scheduling',
  schema: SCHEMA,
  portOffset: 1,
  start: startSchedulingSubgraph,
});
