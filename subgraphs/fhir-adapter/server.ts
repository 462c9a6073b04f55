import { DEFAULT_MAX_LAG_MS } from '../../platform/authz/index.js';
import type { Config } from '../../platform/config/index.js';
import { createGraphClient } from '../../platform/federation/graph-client.js';
import { serveSubgraph } from '../../platform/federation/serve-subgraph.js';
import type { SubgraphStartArgs } from '../../platform/federation/run-subgraph.js';
import { openSubgraphStore, type SubgraphStore } from '../../platform/federation/subgraph-store.js';
import { createMetrics, type ServiceMetrics } from '../../platform/http/metrics.js';
import type { RunningService } from '../../platform/http/server.js';
import type { ServiceKeys } from '../../platform/crypto/service-keys.js';
import { loadOrCreateDevClientSecret } from '../../gateway/clients/load.js';
import { readFile } from 'node:fs/promises';
import { createFhirContext, type FhirServices } from './context.js';
import { entities } from './entities/index.js';
import { fhirTasks } from './events.js';
import { fhirRoutes } from './http/fhir-routes.js';
import { graphForeignWriter } from './import/graph-foreign.js';
import { migrations } from './migrations/index.js';
import { permissions } from './permissions.js';
import { buildFhirSchema } from './schema.js';

export const SCHEMA = 'fhir';

/** A running FHIR adapter. */
export interface FhirSubgraph extends RunningService, SubgraphStore {
  metrics: ServiceMetrics;
  services: FhirServices;
}

type GraphConfig = Pick<
  Config,
  | 'FHIR_GRAPH_URL'
  | 'FHIR_TOKEN_URL'
  | 'FHIR_IMPORT_CLIENT_ID'
  | 'FHIR_IMPORT_CLIENT_SECRET_FILE'
  | 'GATEWAY_PORT'
  | 'NODE_ENV'
  | 'keysDir'
>;

/**
 * The graph as the FHIR adapter's system client: FHIR_GRAPH_URL (or the
 * stack's gateway), a client-credentials token for FHIR_IMPORT_CLIENT_ID with
 * the secret in FHIR_IMPORT_CLIENT_SECRET_FILE (outside production, the
 * development secret the gateway's registry holds).
 */
export function importerGraph(config: GraphConfig, graphUrl?: () => string) {
  const url =
    config.FHIR_GRAPH_URL ?? graphUrl ?? `http://127.0.0.1:${config.GATEWAY_PORT}/graphql`;
  return createGraphClient({
    url,
    ...(config.FHIR_TOKEN_URL ? { tokenUrl: config.FHIR_TOKEN_URL } : {}),
    clientId: config.FHIR_IMPORT_CLIENT_ID,
    secret: async () => {
      if (config.FHIR_IMPORT_CLIENT_SECRET_FILE)
        return (await readFile(config.FHIR_IMPORT_CLIENT_SECRET_FILE, 'utf8')).trim();
      if (config.NODE_ENV === 'production')
        throw new Error('FHIR_IMPORT_CLIENT_SECRET_FILE is required under NODE_ENV=production');
      return loadOrCreateDevClientSecret(config.keysDir, config.FHIR_IMPORT_CLIENT_ID);
    },
  });
}

/** Opens the FHIR adapter's store: migrated, keyring open, services ready (the graph is reached lazily). */
export async function openFhirStore(
  opts: {
    keys: ServiceKeys;
    databaseUrl: string;
    config: GraphConfig & Partial<Pick<Config, 'ACCESS_FACTS_MAX_LAG_MS'>>;
    graphUrl?: () => string;
  },
  onStatement?: () => void,
): Promise<SubgraphStore & { services: FhirServices }> {
  const store = await openSubgraphStore({
    url: opts.databaseUrl,
    schema: SCHEMA,
    entities,
    migrations,
    kek: opts.keys.kek,
    onStatement,
  });
  const services: FhirServices = {
    cipher: store.cipher,
    indexKey: opts.keys.indexKey,
    accessFactsMaxLagMs: opts.config.ACCESS_FACTS_MAX_LAG_MS ?? DEFAULT_MAX_LAG_MS,
    foreign: graphForeignWriter(importerGraph(opts.config, opts.graphUrl)),
  };
  return { ...store, services };
}

/** Builds and starts the FHIR adapter: GraphQL, the FHIR REST routes, and its event worker. */
export async function startFhirSubgraph(opts: SubgraphStartArgs): Promise<FhirSubgraph> {
  const metrics = createMetrics('fhir-adapter');
  const store = await openFhirStore(opts, () => metrics.dbStatements.inc());
  const { orm, services } = store;
  const running = await serveSubgraph({
    name: 'fhir-adapter',
    args: opts,
    orm,
    metrics,
    buildSchema: buildFhirSchema,
    permissions,
    context: (base) => createFhirContext(base, services),
    schema: SCHEMA,
    tasks: (log) => fhirTasks(orm, services, log),
    routes: fhirRoutes({ orm, verifier: opts.verifier, services, log: opts.log }),
  });
  return { ...running, ...store, services, metrics };
}
