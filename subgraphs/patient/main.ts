import 'reflect-metadata';
import { loadConfig } from '../../platform/config/index.js';
import { requireProductionSettings } from '../../platform/config/production.js';
import { loadServiceKeys } from '../../platform/crypto/service-keys.js';
import { serviceRoleUrl } from '../../platform/db/provision.js';
import { onShutdown } from '../../platform/http/shutdown.js';
import { loadInternalVerifier } from '../../platform/identity/service-keys.js';
import { createLogger } from '../../platform/log/index.js';
import { SCHEMA, startPatientSubgraph } from './server.js';

// The patient subgraph alone (a container). Its database login is SUBGRAPH_DATABASE_URL,
// or its role on DATABASE_URL's server (run `npm run db:provision` first).
const config = loadConfig();
requireProductionSettings(config, ['kek', 'indexKey', 'gatewayPublicKey']);
const keys = loadServiceKeys(config);
const log = createLogger({ name: 'patient', level: config.LOG_LEVEL });
const databaseUrl =
  config.SUBGRAPH_DATABASE_URL ??
  (config.DATABASE_URL &&
    serviceRoleUrl(config.DATABASE_URL, config.DB_ROLE_PREFIX, SCHEMA, keys.dbRoleKey));
if (!databaseUrl)
  throw new Error('Set SUBGRAPH_DATABASE_URL (or DATABASE_URL) for the patient subgraph');
const subgraph = await startPatientSubgraph({
  config,
  keys,
  databaseUrl,
  port: config.SUBGRAPH_PORT_BASE,
  log,
  verifier: await loadInternalVerifier(config),
});
log.info({ url: subgraph.url }, 'patient subgraph listening');
onShutdown(log, () => subgraph.stop());
