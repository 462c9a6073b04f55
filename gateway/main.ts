import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../platform/config/index.js';
import { requireProductionSettings } from '../platform/config/production.js';
import { loadGatewaySigner } from '../platform/identity/service-keys.js';
import { createLogger } from '../platform/log/index.js';
import { metricsTokenOf } from '../platform/http/metrics-token.js';
import { onShutdown } from '../platform/http/shutdown.js';
import { loadClientRegistry } from './clients/load.js';
import { startGateway } from './server.js';
import { rateLimitSettings } from './rate-limit/settings.js';
import { loadUserVerifier } from './user-verifier.js';

// The gateway alone (a container): subgraphs are found at SUBGRAPH_URL_<NAME>.
const config = loadConfig();
requireProductionSettings(config, ['oidcIssuer', 'gatewaySigningKey']);
const log = createLogger({ name: 'gateway', level: config.LOG_LEVEL });
const { verifier, devIssuer } = await loadUserVerifier(config);
const gateway = await startGateway({
  port: config.GATEWAY_PORT,
  host: config.BIND_HOST,
  production: config.production,
  supergraphSdl: fs.readFileSync(
    path.resolve(import.meta.dirname, '..', 'schema', 'supergraph.graphql'),
    'utf8',
  ),
  subgraphUrls: config.subgraphUrls,
  verifier,
  signer: await loadGatewaySigner(config),
  devIssuer,
  clients: await loadClientRegistry(config),
  rateLimit: rateLimitSettings(config),
  metricsToken: metricsTokenOf(config),
  log,
});
log.info({ url: gateway.url }, 'gateway listening');
onShutdown(log, () => gateway.stop());
