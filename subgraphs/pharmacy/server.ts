import { DEFAULT_MAX_LAG_MS } from '../../platform/authz/index.js';
import type { Config } from '../../platform/config/index.js';
import { serveSubgraph } from '../../platform/federation/serve-subgraph.js';
import type { SubgraphStartArgs } from '../../platform/federation/run-subgraph.js';
import { openSubgraphStore, type SubgraphStore } from '../../platform/federation/subgraph-store.js';
import { createMetrics, type ServiceMetrics } from '../../platform/http/metrics.js';
import type { RunningService } from '../../platform/http/server.js';
import type { ServiceKeys } from '../../platform/crypto/service-keys.js';
import { createPharmacyContext, type PharmacyServices } from './context.js';
import { entities } from './entities/index.js';
import { pharmacyTasks } from './events.js';
import { scheduleExpiryRun } from './store/expiry-job.js';
import { migrations } from './migrations/index.js';
import { permissions } from './permissions.js';
import { buildPharmacySchema } from './schema.js';

export const SCHEMA = 'pharmacy';

/** A running pharmacy subgraph. */
export interface PharmacySubgraph extends RunningService, SubgraphStore {
  metrics: ServiceMetrics;
  services: PharmacyServices;
}

type PharmacyConfig = Partial<
  Pick<Config, 'ACCESS_FACTS_MAX_LAG_MS' | 'PHARMACY_NEAR_EXPIRY_DAYS'>
>;

/** Opens pharmacy's store: migrated, keyring open, services ready. */
export async function openPharmacyStore(
  opts: { keys: ServiceKeys; databaseUrl: string; config: PharmacyConfig },
  onStatement?: () => void,
): Promise<SubgraphStore & { services: PharmacyServices }> {
  const store = await openSubgraphStore({
    url: opts.databaseUrl,
    schema: SCHEMA,
    entities,
    migrations,
    kek: opts.keys.kek,
    onStatement,
  });
  const services: PharmacyServices = {
    cipher: store.cipher,
    accessFactsMaxLagMs: opts.config.ACCESS_FACTS_MAX_LAG_MS ?? DEFAULT_MAX_LAG_MS,
    nearExpiryDays: opts.config.PHARMACY_NEAR_EXPIRY_DAYS ?? 30,
  };
  return { ...store, services };
}

/** Builds and starts pharmacy: GraphQL and its event worker. */
export async function startPharmacySubgraph(opts: SubgraphStartArgs): Promise<PharmacySubgraph> {
  const metrics = createMetrics('pharmacy');
  const store = await openPharmacyStore(opts, () => metrics.dbStatements.inc());
  const { orm, services } = store;
  const running = await serveSubgraph({
    name: 'pharmacy',
    args: opts,
    orm,
    metrics,
    buildSchema: buildPharmacySchema,
    permissions,
    context: (base) => createPharmacyContext(base, services),
    schema: SCHEMA,
    tasks: (log) => pharmacyTasks(orm, services, log),
  });
  // The daily expiry run schedules itself; this starts the chain (once: a waiting run is kept).
  await orm.em.fork().transactional((em) => scheduleExpiryRun(em, new Date()));
  return { ...running, ...store, services, metrics };
}
