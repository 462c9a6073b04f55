import { DEFAULT_MAX_LAG_MS } from '../../platform/authz/index.js';
import type { Config } from '../../platform/config/index.js';
import { serveSubgraph } from '../../platform/federation/serve-subgraph.js';
import type { SubgraphStartArgs } from '../../platform/federation/run-subgraph.js';
import { openSubgraphStore, type SubgraphStore } from '../../platform/federation/subgraph-store.js';
import { createMetrics, type ServiceMetrics } from '../../platform/http/metrics.js';
import type { RunningService } from '../../platform/http/server.js';
import type { ServiceKeys } from '../../platform/crypto/service-keys.js';
import { createCareRoutingContext, type CareRoutingServices } from './context.js';
import { parseWeights } from './domain/weights.js';
import { entities } from './entities/index.js';
import { careRoutingTasks } from './events.js';
import { migrations } from './migrations/index.js';
import { permissions } from './permissions.js';
import { buildCareRoutingSchema } from './schema.js';

export const SCHEMA = 'routing';

/** A running care-routing subgraph. */
export interface CareRoutingSubgraph extends RunningService, SubgraphStore {
  metrics: ServiceMetrics;
  services: CareRoutingServices;
}

type CareRoutingConfig = Partial<
  Pick<
    Config,
    | 'ACCESS_FACTS_MAX_LAG_MS'
    | 'CARE_ROUTING_STALE_MINUTES'
    | 'CARE_ROUTING_TRAFFIC_TTL_MINUTES'
    | 'CARE_ROUTING_WEIGHTS'
  >
>;

/** Opens care routing's store: migrated, keyring open, services ready. */
export async function openCareRoutingStore(
  opts: { keys: ServiceKeys; databaseUrl: string; config: CareRoutingConfig },
  onStatement?: () => void,
): Promise<SubgraphStore & { services: CareRoutingServices }> {
  const store = await openSubgraphStore({
    url: opts.databaseUrl,
    schema: SCHEMA,
    entities,
    migrations,
    kek: opts.keys.kek,
    onStatement,
  });
  const services: CareRoutingServices = {
    cipher: store.cipher,
    accessFactsMaxLagMs: opts.config.ACCESS_FACTS_MAX_LAG_MS ?? DEFAULT_MAX_LAG_MS,
    staleMinutes: opts.config.CARE_ROUTING_STALE_MINUTES ?? 60,
    trafficTtlMinutes: opts.config.CARE_ROUTING_TRAFFIC_TTL_MINUTES ?? 30,
    weights: parseWeights(opts.config.CARE_ROUTING_WEIGHTS),
  };
  return { ...store, services };
}

/** Builds and starts care routing: GraphQL and its event worker. */
export async function startCareRoutingSubgraph(
  opts: SubgraphStartArgs,
): Promise<CareRoutingSubgraph> {
  const metrics = createMetrics('care-routing');
  const store = await openCareRoutingStore(opts, () => metrics.dbStatements.inc());
  const { orm, services } = store;
  const running = await serveSubgraph({
    name: 'care-routing',
    args: opts,
    orm,
    metrics,
    buildSchema: buildCareRoutingSchema,
    permissions,
    context: (base) => createCareRoutingContext(base, services),
    schema: SCHEMA,
    tasks: (log) => careRoutingTasks(orm, services, log),
  });
  return { ...running, ...store, services, metrics };
}
