import { setDisclosureMaxLag } from '../../platform/webhooks/disclosure.js';
import { DEFAULT_MAX_LAG_MS } from '../../platform/authz/index.js';
import type { Config } from '../../platform/config/index.js';
import { serveSubgraph } from '../../platform/federation/serve-subgraph.js';
import type { SubgraphStartArgs } from '../../platform/federation/run-subgraph.js';
import { openSubgraphStore, type SubgraphStore } from '../../platform/federation/subgraph-store.js';
import { createMetrics, type ServiceMetrics } from '../../platform/http/metrics.js';
import type { RunningService } from '../../platform/http/server.js';
import { consumersOf } from '../subscriptions.js';
import { createSchedulingContext, type SchedulingServices } from './context.js';
import { entities } from './entities/index.js';
import { schedulingTasks } from './events.js';
import { migrations } from './migrations/index.js';
import { logChannel, type NotificationChannel } from './notifications/channel.js';
import { permissions } from './permissions.js';
import { buildSchedulingSchema } from './schema.js';
import { DEFAULT_BOOKING_CAPS } from './store/booking-caps.js';
import { DEFAULT_WEBHOOK_MAX_ATTEMPTS } from '../../platform/webhooks/index.js';

export const SCHEMA = 'scheduling';

/** How the scheduling subgraph starts; `databaseUrl` is its own login, which reaches only the `scheduling` schema. */
export interface SchedulingSubgraphOptions extends SubgraphStartArgs {
  /** Run the event worker in this process (default true). */
  worker?: boolean;
  /** Where patient notifications go (default: a log line with ids only). */
  notificationChannel?: NotificationChannel;
  /** Tries per webhook delivery before it is marked failed (default 8: about half an hour of backoff). */
  webhookMaxAttempts?: number;
}

/** A running scheduling subgraph. */
export interface SchedulingSubgraph extends RunningService, SubgraphStore {
  metrics: ServiceMetrics;
  services: SchedulingServices;
}

/** Opens the scheduling store (migrated, keyring open) and its services. */
export async function openSchedulingStore(
  opts: Pick<SchedulingSubgraphOptions, 'keys' | 'databaseUrl' | 'webhookMaxAttempts'> & {
    config?: Pick<Config, 'production'> &
      Partial<
        Pick<
          Config,
          'ACCESS_FACTS_MAX_LAG_MS' | 'BOOKING_MAX_OPEN_PER_PATIENT' | 'BOOKING_MAX_OPEN_PER_CLIENT'
        >
      >;
  },
  onStatement?: (line: string) => void,
): Promise<SubgraphStore & { services: SchedulingServices }> {
  const webhookMaxAttempts = opts.webhookMaxAttempts ?? DEFAULT_WEBHOOK_MAX_ATTEMPTS;
  if (!Number.isInteger(webhookMaxAttempts) || webhookMaxAttempts < 1 || webhookMaxAttempts > 25)
    throw new RangeError('webhookMaxAttempts must be an integer from 1 to 25');
  const store = await openSubgraphStore({
    url: opts.databaseUrl,
    schema: SCHEMA,
    entities,
    migrations,
    kek: opts.keys.kek,
    onStatement,
  });
  setDisclosureMaxLag(opts.config?.ACCESS_FACTS_MAX_LAG_MS ?? DEFAULT_MAX_LAG_MS);
  return {
    ...store,
    services: {
      cipher: store.cipher,
      consumersOf,
      webhookMaxAttempts,
      // Without a config (provisioning), the stricter rule.
      production: opts.config?.production ?? true,
      accessFactsMaxLagMs: opts.config?.ACCESS_FACTS_MAX_LAG_MS ?? DEFAULT_MAX_LAG_MS,
      bookingCaps: {
        perPatient: opts.config?.BOOKING_MAX_OPEN_PER_PATIENT ?? DEFAULT_BOOKING_CAPS.perPatient,
        perClient: opts.config?.BOOKING_MAX_OPEN_PER_CLIENT ?? DEFAULT_BOOKING_CAPS.perClient,
      },
    },
  };
}

/** Builds and starts the scheduling subgraph and its event worker. */
export async function startSchedulingSubgraph(
  opts: SchedulingSubgraphOptions,
): Promise<SchedulingSubgraph> {
  const metrics = createMetrics('scheduling');
  const store = await openSchedulingStore(opts, () => metrics.dbStatements.inc());
  const { orm, services } = store;
  const running = await serveSubgraph({
    name: 'scheduling',
    args: opts,
    orm,
    metrics,
    buildSchema: buildSchedulingSchema,
    permissions,
    context: (base) => createSchedulingContext(base, services),
    schema: SCHEMA,
    tasks: (log) =>
      schedulingTasks({
        ...services,
        channel: opts.notificationChannel ?? logChannel(log),
        log,
      }),
    ...(opts.worker !== undefined ? { worker: opts.worker } : {}),
  });
  return { ...running, ...store, metrics };
}
