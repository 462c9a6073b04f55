import type { RotationSpec } from '../platform/crypto/rotate.js';
import type { GuardedObjects } from '../platform/db/guard.js';
import type { FederatedSchema } from '../platform/federation/build-schema.js';
import { BILLING_ROTATION } from './billing/encrypted-columns.js';
import { buildBillingSchema } from './billing/schema.js';
import { PATIENT_ROTATION } from './patient/encrypted-columns.js';
import { SCHEDULING_ROTATION } from './scheduling/encrypted-columns.js';
import { buildSchedulingSchema } from './scheduling/schema.js';
import { buildPatientSchema } from './patient/schema.js';

/** A subgraph as the stack, the compose script and the tests know it. */
export interface SubgraphDefinition {
  name: string;
  /** Its Postgres schema (and the suffix of its role name). */
  schema: string;
  /** Offset from SUBGRAPH_PORT_BASE. */
  portOffset: number;
  buildSchema: () => Promise<FederatedSchema>;
  /** Its encrypted columns, for `npm run keys:rotate`. */
  rotation: RotationSpec[];
  /** Tables (and their trigger functions) its own role may only read and append to (platform/db/guard.ts). */
  guarded?: Omit<GuardedObjects, 'schema'>;
}

/** Every subgraph in the supergraph, in start order. */
export const SUBGRAPHS: SubgraphDefinition[] = [
  {
    name: 'patient',
    schema: 'patient',
    portOffset: 0,
    buildSchema: buildPatientSchema,
    rotation: PATIENT_ROTATION,
  },
  {
    name: 'scheduling',
    schema: 'scheduling',
    portOffset: 1,
    buildSchema: buildSchedulingSchema,
    rotation: SCHEDULING_ROTATION,
  },
  {
    name: 'billing',
    schema: 'billing',
    portOffset: 2,
    buildSchema: buildBillingSchema,
    rotation: BILLING_ROTATION,
    // The ledger is append-only: not even billing's own login may drop its triggers.
    guarded: {
      tables: ['ledger_entry'],
      functions: ['ledger_entry_immutable()', 'ledger_entry_check_reversal()'],
    },
  },
];

/** The URL a subgraph is composed under (the gateway overrides it with where it really runs). */
export const composedUrl = (s: SubgraphDefinition): string => `http://${s.name}:4001/graphql`;
