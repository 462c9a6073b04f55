import 'reflect-metadata';
import { runSubgraph } from '../../platform/federation/run-subgraph.js';
import { SCHEMA, startBillingSubgraph } from './server.js';

// The billing subgraph alone (a container), with its event worker.
await runSubgraph({
  name: 'billing',
  schema: SCHEMA,
  portOffset: 2,
  start: startBillingSubgraph,
});
