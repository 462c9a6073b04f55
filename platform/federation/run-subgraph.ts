import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config/index.js';
import { assertFetchablePort } from '../config/bad-ports.js';
import { requireProductionSettings } from '../config/production.js';
import { loadServiceKeys, type ServiceKeys } from '../crypto/service-keys.js';
import { subgraphLoginUrl } from '../db/provision.js';
import { onShutdown } from '../http/shutdown.js';
import type { RunningService } from '../http/server.js';
import type { InternalTokenVerifier } from '../identity/internal-token.js';
import { loadInternalVerifier } from '../identity/service-keys.js';
import { createLogger } from '../log/index.js';
import { armFault } from '../testing/fault-points.js';

/** What every subgraph's start function receives. */
export interface SubgraphStartArgs {
  config: Config;
  keys: ServiceKeys;
  databaseUrl: string;
  port: number;
  log: Logger;
  verifier: InternalTokenVerifier;
  /** Where the gateway's /graphql is, when only the stack knows (ephemeral ports); default: from config. */
  graphUrl?: () => string;
}

/**
 * Runs one subgraph alone (a container's entry point): configuration,
 * production checks, its database login (SUBGRAPH_DATABASE_URL, or its role
 * on DATABASE_URL's server after `npm run db:provision`), graceful shutdown.
 */
export async function runSubgraph(opts: {
  name: string;
  schema: string;
  portOffset: number;
  start: (args: SubgraphStartArgs) => Promise<RunningService>;
}): Promise<void> {
  const config = loadConfig();
  armFault(config.CAREFED_FAULT);
  requireProductionSettings(config, ['kek', 'indexKey', 'gatewayPublicKey']);
  const keys = loadServiceKeys(config, opts.schema);
  const log = createLogger({ name: opts.name, level: config.LOG_LEVEL });
  const databaseUrl = subgraphLoginUrl(config, opts.schema, () => keys.dbRoleKey);
  if (!databaseUrl)
    throw new Error(`Set SUBGRAPH_DATABASE_URL (or DATABASE_URL) for the ${opts.name} subgraph`);
  const port = config.SUBGRAPH_PORT_BASE + opts.portOffset;
  assertFetchablePort(port, 'SUBGRAPH_PORT_BASE');
  const verifier = await loadInternalVerifier(config, log);
  const service = await opts.start({ config, keys, databaseUrl, port, log, verifier });
  log.info({ url: service.url }, `${opts.name} subgraph listening`);
  onShutdown(log, () => service.stop().finally(() => verifier.close()));
}
