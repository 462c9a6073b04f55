import type { Keyring } from '../../platform/crypto/index.js';
import type { MikroORM } from '../../platform/db/orm.js';
import type { SubgraphStartArgs } from '../../platform/federation/run-subgraph.js';
import { openSubgraphStore } from '../../platform/federation/subgraph-store.js';
import { serveSubgraph } from '../../platform/federation/serve-subgraph.js';
import { createMetrics, type ServiceMetrics } from '../../platform/http/metrics.js';
import type { RunningService } from '../../platform/http/server.js';
import { createPatientContext, type PatientServices } from './context.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';
import { permissions } from './permissions.js';
import { buildPatientSchema } from './schema.js';

export const SCHEMA = 'patient';

/** How the patient subgraph starts; `databaseUrl` is its own login, which reaches only the `patient` schema. */
export type PatientSubgraphOptions = SubgraphStartArgs;

/** A running patient subgraph. */
export interface PatientSubgraph extends RunningService {
  metrics: ServiceMetrics;
  keyring: Keyring;
  orm: MikroORM;
  services: PatientServices;
}

/** The patient store opened: migrated, keyring loaded, services ready. */
export interface PatientStore {
  orm: MikroORM;
  keyring: Keyring;
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
  const { orm, keyring, cipher } = await openSubgraphStore({
    url: opts.databaseUrl,
    schema: SCHEMA,
    entities,
    migrations,
    kek: opts.keys.kek,
    onStatement,
  });
  const services: PatientServices = {
    cipher,
    indexKey: opts.keys.indexKey,
    breakGlassMinutes: opts.config.BREAK_GLASS_MINUTES,
  };
  return { orm, keyring, services };
}

/** Builds and starts the patient subgraph: migrate, open the keyring, serve. */
export async function startPatientSubgraph(opts: PatientSubgraphOptions): Promise<PatientSubgraph> {
  const metrics = createMetrics('patient');
  const { orm, keyring, services } = await openPatientStore(opts, () => metrics.dbStatements.inc());
  const running = await serveSubgraph({
    name: 'patient',
    args: opts,
    orm,
    metrics,
    buildSchema: buildPatientSchema,
    permissions,
    context: (base) => createPatientContext(base, services),
  });
  return { ...running, metrics, keyring, orm, services };
}
