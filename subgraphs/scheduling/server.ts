import { applyMiddleware } from 'graphql-middleware';
import type { Logger } from 'pino';
import type { Config } from '../../platform/config/index.js';
import type { ServiceKeys } from '../../platform/crypto/service-keys.js';
import { startEventWorker, type EventWorker } from '../../platform/events/consumer.js';
import { startSubgraphServer } from '../../platform/federation/subgraph-server.js';
import { openSubgraphStore, type SubgraphStore } from '../../platform/federation/subgraph-store.js';
import { createMetrics, type ServiceMetrics } from '../../platform/http/metrics.js';
import type { RunningService } from '../../platform/http/server.js';
import type { InternalTokenVerifier } from '../../platform/identity/internal-token.js';
import { consumersOf } from '../subscriptions.js';
import { createSchedulingContext, type SchedulingServices } from './context.js';
import { entities } from './entities/index.js';
import { handlers } from './events.js';
import { migrations } from './migrations/index.js';
import { permissions } from './permissions.js';
import { buildSchedulingSchema } from './schema.js';

export const SCHEMA = 'scheduling';

export interface SchedulingSubgraphOptions {
  config: Config;
  keys: ServiceKeys;
  /** This subgraph's own database login (its role reaches only the `scheduling` schema). */
  databaseUrl: string;
  port: number;
  log: Logger;
  verifier: InternalTokenVerifier;
  /** Run the event worker in this process (default true). */
  worker?: boolean;
}

/** A running scheduling subgraph. */
export interface SchedulingSubgraph extends RunningService, SubgraphStore {
  metrics: ServiceMetrics;
  services: SchedulingServices;
}

/** Opens the scheduling store (migrated, keyring open) and its services. */
export async function openSchedulingStore(
  opts: Pick<SchedulingSubgraphOptions, 'keys' | 'databaseUrl'>,
  onStatement?: () => void,
): Promise<SubgraphStore & { services: SchedulingServices }> {
  const store = await openSubgraphStore({
    url: opts.databaseUrl,
    schema: SCHEMA,
    entities,
    migrations,
    kek: opts.keys.kek,
    onStatement,
  });
  return { ...store, services: { cipher: store.cipher, consumersOf } };
}

/** Builds and starts the scheduling subgraph and its event worker. */
export async function startSchedulingSubgraph(
  opts: SchedulingSubgraphOptions,
): Promise<SchedulingSubgraph> {
  const metrics = createMetrics('scheduling');
  const store = await openSchedulingStore(opts, () => metrics.dbStatements.inc());
  const { orm, services } = store;
  const log = opts.log.child({ subgraph: 'scheduling' });
  let worker: EventWorker | undefined;
  try {
    if (opts.worker !== false)
      worker = await startEventWorker({
        connectionString: opts.databaseUrl,
        schema: SCHEMA,
        handlers,
        orm,
        log,
        pollInterval: 500,
      });
    const { schema } = await buildSchedulingSchema();
    const running = await startSubgraphServer({
      name: 'scheduling',
      port: opts.port,
      host: opts.config.BIND_HOST,
      schema: applyMiddleware(schema, permissions),
      orm,
      log,
      metrics,
      verifier: opts.verifier,
      production: opts.config.production,
      context: (base) => createSchedulingContext(base, services),
      onStop: async () => {
        await worker?.stop();
        await orm.close();
      },
    });
    return { ...running, ...store, metrics };
  } catch (err) {
    await worker?.stop();
    await orm.close();
    throw err;
  }
}
