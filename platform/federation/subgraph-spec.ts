import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { RotationSpec } from '../crypto/rotate.js';
import type { ServiceKeys } from '../crypto/service-keys.js';
import type { GuardedObjects } from '../db/guard.js';
import type { ServiceMetrics } from '../http/metrics.js';
import type { RunningService } from '../http/server.js';
import type { FederatedSchema } from './build-schema.js';
import type { SubgraphStartArgs } from './run-subgraph.js';
import type { SubgraphStore } from './subgraph-store.js';

/** A subgraph's store opened without serving (provisioning, seeds, CLIs): migrated, reference data loaded. */
export type OpenedStore = SubgraphStore & { services: unknown };

/** A running subgraph, as the stack, its tests and its tools see every one of them. */
export type RunningSubgraph = RunningService & OpenedStore & { metrics: ServiceMetrics };

/** What opening a store needs (its own login: it reaches only its schema). */
export interface OpenStoreArgs {
  config: Config;
  keys: ServiceKeys;
  databaseUrl: string;
  log: Logger;
}

/** What a seed gets: the demo data set and one clock reading. */
export interface SeedArgs {
  dataDir: string;
  config: Config;
  log: Logger;
  now: Date;
}

/**
 * One subgraph, defined once: everything start-up, `npm start`, provisioning,
 * key rotation, composition and the compose file's structure test need to
 * know of it. Each subgraph's `spec.ts` exports one; `subgraphs/registry.ts`
 * lists them, and nothing else names a subgraph.
 */
export interface SubgraphSpec {
  /** Its name in the supergraph, in `SUBGRAPH_URL_<NAME>` and `npm run subgraph -- <name>`. */
  name: string;
  /** Its PostgreSQL schema (and the suffix of its login role). */
  schema: string;
  /** Offset from SUBGRAPH_PORT_BASE. */
  portOffset: number;
  /** Its federated schema (no database needed: composition uses it). */
  buildSchema: () => Promise<FederatedSchema>;
  /** Opens its store: migrations, keyring, reference data, services. */
  open: (args: OpenStoreArgs) => Promise<OpenedStore>;
  /** Starts it: store, event worker, schema behind its shield, HTTP server. */
  start: (args: SubgraphStartArgs) => Promise<RunningSubgraph>;
  /** Loads its part of the demo data once (a store that holds data is left alone). */
  seed?: (store: OpenedStore, args: SeedArgs) => Promise<unknown>;
  /** Its encrypted columns, for `npm run keys:rotate`. */
  rotation: readonly RotationSpec[];
  /** Tables (and their trigger functions) its own role may only read and append to (platform/db/guard.ts). */
  guarded?: Omit<GuardedObjects, 'schema'>;
  /**
   * How it knows the access facts (consents, care-team links, grants): it
   * owns them (`source`), keeps the platform's projections by event
   * (`projection`, consumer task `<name>:access-facts`), or holds no patient data.
   */
  accessFacts: 'source' | 'projection' | 'none';
}
