import type { Config } from '../../platform/config/index.js';
import type { ServiceKeys } from '../../platform/crypto/service-keys.js';
import { serveSubgraph } from '../../platform/federation/serve-subgraph.js';
import type { SubgraphStartArgs } from '../../platform/federation/run-subgraph.js';
import { openSubgraphStore, type SubgraphStore } from '../../platform/federation/subgraph-store.js';
import { createMetrics, type ServiceMetrics } from '../../platform/http/metrics.js';
import type { RunningService } from '../../platform/http/server.js';
import { createOpenDataContext, type OpenDataServices } from './context.js';
import { pseudonymsOf } from './domain/pseudonyms.js';
import { entities } from './entities/index.js';
import { openDataTasks } from './events.js';
import { migrations } from './migrations/index.js';
import { permissions } from './permissions.js';
import { scheduleRefresh } from './store/refresh-job.js';
import { buildOpenDataSchema } from './schema.js';

export const SCHEMA = 'opendata';

const MICRO = 1_000_000;

/** A running open-data subgraph. */
export interface OpenDataSubgraph extends RunningService, SubgraphStore {
  metrics: ServiceMetrics;
  services: OpenDataServices;
}

type OpenDataConfig = Partial<
  Pick<
    Config,
    'OPEN_DATA_EPSILON_BUDGET' | 'OPEN_DATA_MAX_QUERY_EPSILON' | 'OPEN_DATA_FORECAST_HOURS'
  >
>;

/** Opens open data's store: migrated, services ready. */
export async function openOpenDataStore(
  opts: { keys: ServiceKeys; databaseUrl: string; config: OpenDataConfig },
  onStatement?: () => void,
): Promise<SubgraphStore & { services: OpenDataServices }> {
  const store = await openSubgraphStore({
    url: opts.databaseUrl,
    schema: SCHEMA,
    entities,
    migrations,
    kek: opts.keys.kek,
    onStatement,
  });
  const services: OpenDataServices = {
    pseudonyms: pseudonymsOf(opts.keys.indexKey),
    budgetMicro: Math.round((opts.config.OPEN_DATA_EPSILON_BUDGET ?? 10) * MICRO),
    maxQueryMicro: Math.round((opts.config.OPEN_DATA_MAX_QUERY_EPSILON ?? 1) * MICRO),
    forecastHours: opts.config.OPEN_DATA_FORECAST_HOURS ?? 24,
  };
  return { ...store, services };
}

/** Builds and starts open data: GraphQL and its event worker. */
export async function startOpenDataSubgraph(opts: SubgraphStartArgs): Promise<OpenDataSubgraph> {
  const metrics = createMetrics('open-data');
  const store = await openOpenDataStore(opts, () => metrics.dbStatements.inc());
  const { orm, services } = store;
  const running = await serveSubgraph({
    name: 'open-data',
    args: opts,
    orm,
    metrics,
    buildSchema: buildOpenDataSchema,
    permissions,
    context: (base) => createOpenDataContext(base, services),
    schema: SCHEMA,
    tasks: (log) => openDataTasks(orm, services, log),
  });
  // Forecasts refresh on a schedule (the first run one period after the first start).
  await orm.em
    .fork()
    .transactional((em) => scheduleRefresh(em, new Date(), services.forecastHours));
  return { ...running, ...store, services, metrics };
}
