import { auditPaths } from '../../platform/audit/head-signer.js';
import { startAccessFactsHeartbeat } from '../../platform/authz/access-facts/index.js';
import type { SubgraphStartArgs } from '../../platform/federation/run-subgraph.js';
import { openSubgraphStore, type SubgraphStore } from '../../platform/federation/subgraph-store.js';
import { serveSubgraph } from '../../platform/federation/serve-subgraph.js';
import { createMetrics, type ServiceMetrics } from '../../platform/http/metrics.js';
import type { RunningService } from '../../platform/http/server.js';
import { createPatientContext, type PatientServices } from './context.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';
import { permissions } from './permissions.js';
import { buildPatientSchema } from './schema.js';
import { ACCESS_FACT_CONSUMERS } from '../subscriptions.js';

export const SCHEMA = 'patient';

/** How the patient subgraph starts; `databaseUrl` is its own login, which reaches only the `patient` schema. */
export type PatientSubgraphOptions = SubgraphStartArgs;

/** A running patient subgraph. */
export interface PatientSubgraph extends RunningService, PatientStore {
  metrics: ServiceMetrics;
}

/** The patient store opened: migrated, keyring loaded, services ready. */
export interface PatientStore extends SubgraphStore {
  services: PatientServices;
}

/**
 * Connects as the patient role, applies pending migrations and opens the
 * keyring: what the server and the seed script both need.
 */
export async function openPatientStore(
  opts: Pick<PatientSubgraphOptions, 'config' | 'keys' | 'databaseUrl'>,
  onStatement?: () => void,
): Promise<PatientStore> {
  const store = await openSubgraphStore({
    url: opts.databaseUrl,
    schema: SCHEMA,
    entities,
    migrations,
    kek: opts.keys.kek,
    onStatement,
  });
  const services: PatientServices = {
    cipher: store.cipher,
    indexKey: opts.keys.indexKey,
    breakGlassMinutes: opts.config.BREAK_GLASS_MINUTES,
    auditPublicKeyFile: auditPaths(opts.config).publicKeyFile,
  };
  return { ...store, services };
}

/** Builds and starts the patient subgraph: migrate, open the keyring, serve. */
export async function startPatientSubgraph(opts: PatientSubgraphOptions): Promise<PatientSubgraph> {
  const metrics = createMetrics('patient');
  const store = await openPatientStore(opts, () => metrics.dbStatements.inc());
  const { orm, services } = store;
  const running = await serveSubgraph({
    name: 'patient',
    args: opts,
    orm,
    metrics,
    buildSchema: buildPatientSchema,
    permissions,
    context: (base) => createPatientContext(base, services),
  });
  // Every consumer's freshness watermark, through its access-fact queue (platform/authz/access-facts).
  const heartbeat = startAccessFactsHeartbeat({
    connectionString: opts.databaseUrl,
    consumers: ACCESS_FACT_CONSUMERS,
    everyMs: opts.config.ACCESS_FACTS_HEARTBEAT_MS,
    log: opts.log.child({ subgraph: 'patient' }),
  });
  return {
    ...running,
    ...store,
    metrics,
    stop: async () => {
      await heartbeat.stop();
      await running.stop();
    },
  };
}
