import fs from 'node:fs';
import path from 'node:path';
import { loadClientRegistry } from '../gateway/clients/load.js';
import { rateLimitSettings } from '../gateway/rate-limit/settings.js';
import { startGateway } from '../gateway/server.js';
import { loadUserVerifier } from '../gateway/user-verifier.js';
import { startHeadSigner, type HeadSigner } from '../platform/audit/head-signer.js';
import type { Config } from '../platform/config/index.js';
import { requireProductionSettings } from '../platform/config/production.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { startEmbeddedPostgres } from '../platform/db/embedded.js';
import type { RunningService } from '../platform/http/server.js';
import type { DevIssuer } from '../platform/identity/dev-issuer.js';
import { assertFetchablePort } from '../platform/config/bad-ports.js';
import { metricsTokenOf } from '../platform/http/metrics-token.js';
import { createInternalTokenVerifier } from '../platform/identity/internal-token.js';
import { loadGatewaySigner, replayCacheFor } from '../platform/identity/service-keys.js';
import { waitForTasks } from '../platform/events/settle.js';
import { createLogger, type Logger } from '../platform/log/index.js';
import type { RunningSubgraph } from '../platform/federation/subgraph-spec.js';
import type { PatientSeedResult } from '../subgraphs/patient/seed.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';
import { ACCESS_FACT_CONSUMERS } from '../subgraphs/subscriptions.js';
import { SCHEMA_DIR } from './compose-lib.js';
import { guardAll, provisionAll, releaseAll, roleOf } from './provision-lib.js';

export const DEMO_DATA_DIR = path.resolve(import.meta.dirname, '..', 'data', 'synthea');

/** The whole supergraph running in one process, each service on its own port. */
export interface Stack {
  gatewayUrl: string;
  adminUrl: string;
  /** Every subgraph of the registry, running, by name. */
  subgraphs: Readonly<Record<string, RunningSubgraph>>;
  /** The running subgraph of this name; throws if there is none. */
  subgraph(name: string): RunningSubgraph;
  gateway: RunningService;
  devIssuer?: DevIssuer;
  /** The demo patients and care teams (the patient subgraph's seed), when seeded. */
  seed?: PatientSeedResult;
  heads: HeadSigner;
  log: Logger;
  stop(): Promise<void>;
}

export interface StackOptions {
  config: Config;
  seed: boolean;
  /** Listen on free ports instead of the configured ones (tests). */
  ephemeralPorts?: boolean;
  log?: Logger;
}

/**
 * Starts PostgreSQL (embedded unless DATABASE_URL is set), provisions one
 * schema and role per subgraph, starts every subgraph and the gateway with
 * real HTTP between them, and optionally loads the demo data. `stop()` undoes
 * it in reverse order.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const { config } = opts;
  const log = opts.log ?? createLogger({ name: 'carefed', level: config.LOG_LEVEL });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: Error) => log.error({ err: err.message }, 'stop failed'));
  };
  const port = (base: number) => (opts.ephemeralPorts ? 0 : base);
  requireProductionSettings(config, [
    'kek',
    'indexKey',
    'dbRoleKey',
    'oidcIssuer',
    'gatewaySigningKey',
    'auditSigningKey',
  ]);
  // The gateway fetches every subgraph: a port Node's fetch refuses must fail now, not at the first query.
  if (!opts.ephemeralPorts)
    for (const spec of SUBGRAPHS)
      assertFetchablePort(config.SUBGRAPH_PORT_BASE + spec.portOffset, 'SUBGRAPH_PORT_BASE');
  try {
    let adminUrl = config.DATABASE_URL;
    if (!adminUrl) {
      const embedded = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.EMBEDDED_PG_PORT,
        quiet: true,
      });
      stops.push(() => embedded.stop());
      adminUrl = embedded.adminUrl;
    }
    const keys = loadServiceKeys(config);
    const roles = await provisionAll(config, adminUrl, keys);
    // Guarded tables go back to their services while they migrate, and are guarded again after.
    await releaseAll(config, adminUrl);
    const signer = await loadGatewaySigner(config);

    const internalVerifier = createInternalTokenVerifier(signer.publicJwk, {
      ttlSeconds: config.INTERNAL_TOKEN_TTL_SECONDS,
      replayCache: replayCacheFor(config, log),
    });
    stops.push(() => internalVerifier.close());
    const subgraphs: Record<string, RunningSubgraph> = {};
    // Subgraphs that write through the graph (the FHIR adapter's import) learn the gateway's
    // address once it runs (its port may be ephemeral).
    let gatewayUrl = '';
    const graphUrl = () => {
      if (!gatewayUrl) throw new Error('The gateway is not running yet');
      return gatewayUrl;
    };
    for (const spec of SUBGRAPHS) {
      const running = await spec.start({
        config,
        keys,
        databaseUrl: roleOf(roles, spec.schema).url,
        port: port(config.SUBGRAPH_PORT_BASE + spec.portOffset),
        log,
        verifier: internalVerifier,
        graphUrl,
      });
      stops.push(() => running.stop());
      subgraphs[spec.name] = running;
    }
    const subgraph = (name: string): RunningSubgraph => {
      const s = subgraphs[name];
      if (!s) throw new Error(`No running subgraph ${name}`);
      return s;
    };
    // Migrated: now guarded tables (the billing ledger) pass to their NOLOGIN owners.
    await guardAll(config, adminUrl);

    const first = subgraph(SUBGRAPHS[0]!.name);
    const heads = await startHeadSigner({ config, em: () => first.orm.em.fork(), log });
    stops.push(() => heads.stop());

    const { verifier, devIssuer } = await loadUserVerifier(config);
    const gateway = await startGateway({
      port: port(config.GATEWAY_PORT),
      host: config.BIND_HOST,
      production: config.production,
      supergraphSdl: fs.readFileSync(path.join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8'),
      subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([n, s]) => [n, s.url])),
      verifier,
      signer,
      devIssuer,
      clients: await loadClientRegistry(config),
      rateLimit: rateLimitSettings(config),
      metricsToken: metricsTokenOf(config),
      log,
    });
    stops.push(() => gateway.stop());
    gatewayUrl = gateway.url;

    // Each subgraph seeds its own part of the demo data, in registry order, with the gateway
    // running: a seed may write through the graph (the FHIR adapter's import does).
    const seeds = new Map<string, unknown>();
    if (opts.seed) {
      const now = new Date();
      for (const spec of SUBGRAPHS)
        if (spec.seed)
          seeds.set(
            spec.name,
            await spec.seed(subgraph(spec.name), { dataDir: DEMO_DATA_DIR, config, log, now }),
          );
      // The demo care teams reach every subgraph by event: wait for them, so the printed
      // clinician token reaches its patients' records from the first request.
      if (!(await waitForTasks(adminUrl, ACCESS_FACT_CONSUMERS, 30_000)))
        log.warn('demo access facts are still being delivered to the subgraphs');
    }
    const seed = seeds.get('patient') as PatientSeedResult | undefined;

    return {
      gatewayUrl: gateway.url,
      adminUrl,
      subgraphs,
      subgraph,
      gateway,
      devIssuer,
      seed,
      heads,
      log,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
