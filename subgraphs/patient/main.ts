import 'reflect-metadata';
import { runSubgraph } from '../../platform/federation/run-subgraph.js';
import { SCHEMA, startPatientSubgraph } from './server.js';

// The patient subgraph alone (a container).
await runSubgraph({ name: 'patient', schema: SCHEMA, portOffset: 0, start: startPatientSubgraph });
