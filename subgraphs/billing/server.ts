import { DEFAULT_MAX_LAG_MS } from '../../platform/authz/index.js';
import type { Config } from '../../platform/config/index.js';
import { serveSubgraph } from '../../platform/federation/serve-subgraph.js';
import type { SubgraphStartArgs } from '../../platform/federation/run-subgraph.js';
import { openSubgraphStore, type SubgraphStore } from '../../platform/federation/subgraph-store.js';
import { createMetrics, type ServiceMetrics } from '../../platform/http/metrics.js';
import type { RunningService } from '../../platform/http/server.js';
import { createBillingContext, type BillingServices } from './context.js';
import { billingPolicy } from './policy.js';
import { entities } from './entities/index.js';
import { billingTasks } from './events.js';
import { migrations } from './migrations/index.js';
import type { PaymentProvider } from '../../platform/payments/provider.js';
import {
  billingPaymentProvider,
  intentPolicy,
  WEBHOOK_PATH,
  type PaymentConfig,
} from './payments/provider.js';
import { paymentWebhook } from './payments/webhook.js';
import { permissions } from './permissions.js';
import { importReferenceData } from './reference/import.js';
import { describeProblem } from './reference/parse.js';
import { buildBillingSchema } from './schema.js';

export const SCHEMA = 'billing';

/** How the billing subgraph starts; `databaseUrl` is its own login, which reaches only the `billing` schema. */
export interface BillingSubgraphOptions extends SubgraphStartArgs {
  /** Run the event worker in this process (default true). */
  worker?: boolean;
}

/** A running billing subgraph. */
export interface BillingSubgraph extends RunningService, SubgraphStore {
  metrics: ServiceMetrics;
  services: BillingServices;
}

/**
 * Opens the billing store: migrated, reference data (payers, plans, the
 * HCPCS fee schedule) imported or refreshed, keyring open. Rows the import
 * rejected are logged by file and line, so an operator sees them.
 */
export async function openBillingStore(
  opts: Pick<BillingSubgraphOptions, 'keys' | 'databaseUrl' | 'log'> & {
    config: Pick<Config, 'BILLING_VISIT_CODES' | 'BILLING_NO_SHOW_FEE'> &
      PaymentConfig &
      Partial<Pick<Config, 'ACCESS_FACTS_MAX_LAG_MS'>>;
  },
  onStatement?: () => void,
): Promise<SubgraphStore & { services: BillingServices }> {
  const policy = billingPolicy(opts.config);
  const store = await openSubgraphStore({
    url: opts.databaseUrl,
    schema: SCHEMA,
    entities,
    migrations,
    kek: opts.keys.kek,
    onStatement,
  });
  try {
    const imported = await importReferenceData(store.orm.em.fork());
    for (const problem of imported.rejected)
      opts.log.warn({ problem: describeProblem(problem) }, 'reference data row rejected');
    opts.log.info(
      {
        payers: imported.payers,
        plans: imported.plans,
        codes: imported.codes,
        changed: imported.changed,
        unpriced: imported.notes.length,
      },
      'billing reference data imported',
    );
  } catch (err) {
    await store.orm.close();
    throw err;
  }
  const accessFactsMaxLagMs = opts.config.ACCESS_FACTS_MAX_LAG_MS ?? DEFAULT_MAX_LAG_MS;
  // A store opened without serving (seeds, CLIs) takes no payments.
  const payments = { provider: null, policy: intentPolicy(opts.config) };
  return { ...store, services: { cipher: store.cipher, policy, accessFactsMaxLagMs, payments } };
}

/**
 * Builds and starts the billing subgraph, its event worker and its payment
 * provider, whose signed callbacks come to `POST /payments/webhook` on the
 * same server (not through the gateway).
 */
export async function startBillingSubgraph(opts: BillingSubgraphOptions): Promise<BillingSubgraph> {
  const metrics = createMetrics('billing');
  const store = await openBillingStore(opts, () => metrics.dbStatements.inc());
  const { orm } = store;
  let callbackUrl = '';
  let provider: PaymentProvider | null;
  try {
    provider = billingPaymentProvider(opts.config, () => callbackUrl, opts.log);
  } catch (err) {
    await orm.close();
    throw err;
  }
  const services: BillingServices = {
    ...store.services,
    payments: { ...store.services.payments, provider },
  };
  const running = await serveSubgraph({
    name: 'billing',
    args: opts,
    orm,
    metrics,
    buildSchema: buildBillingSchema,
    permissions,
    context: (base) => createBillingContext(base, services),
    schema: SCHEMA,
    tasks: (log) => billingTasks({ policy: services.policy, log }),
    ...(provider ? { routes: paymentWebhook({ orm, log: opts.log, provider }) } : {}),
    ...(opts.worker !== undefined ? { worker: opts.worker } : {}),
  }).catch(async (err: unknown) => {
    await provider?.stop();
    throw err;
  });
  const host = ['0.0.0.0', '::', ''].includes(opts.config.BIND_HOST)
    ? '127.0.0.1'
    : opts.config.BIND_HOST;
  callbackUrl = `http://${host.includes(':') ? `[${host}]` : host}:${running.port}${WEBHOOK_PATH}`;
  return {
    ...running,
    ...store,
    services,
    metrics,
    stop: async () => {
      await provider?.stop();
      await running.stop();
    },
  };
}
