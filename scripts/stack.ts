import fs from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import { startGateway } from '../gateway/server.js';
import { auditSchemaSql, grantAuditSql } from '../platform/audit/index.js';
import { startHeadSigner, type HeadSigner } from '../platform/audit/head-signer.js';
import type { Config } from '../platform/config/index.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../platform/db/embedded.js';
import { provisionDatabase } from '../platform/db/provision.js';
import type { RunningService } from '../platform/http/server.js';
import { DevIssuer, devIssuerUrl } from '../platform/identity/dev-issuer.js';
import {
  createInternalTokenVerifier,
  InternalTokenSigner,
} from '../platform/identity/internal-token.js';
import { createTokenVerifier } from '../platform/identity/verify.js';
import { createLogger, type Logger } from '../platform/log/index.js';
import { seedPatients, type PatientSeedResult } from '../subgraphs/patient/seed.js';
import { startPatientSubgraph, type PatientSubgraph } from '../subgraphs/patient/server.js';
import { SCHEMA_DIR } from './compose-lib.js';

export const DEMO_DATA_DIR = path.resolve(import.meta.dirname, '..', 'data', 'synthea');

/** The whole supergraph running in one process, each service on its own port. */
export interface Stack {
  gatewayUrl: string;
  adminUrl: string;
  patient: PatientSubgraph;
  gateway: RunningService;
  devIssuer?: DevIssuer;
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

function readJwkFile(file: string): JWK {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
}

/**
 * Starts PostgreSQL (embedded unless DATABASE_URL is set), provisions one
 * schema and role per subgraph, starts every subgraph and the gateway with
 * real HTTP between them, and optionally loads the demo data.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const { config } = opts;
  const log = opts.log ?? createLogger({ name: 'carefed', level: config.LOG_LEVEL });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: Error) => log.error({ err: err.message }, 'stop failed'));
  };
  try {
    let embedded: EmbeddedDatabase | undefined;
    if (!config.DATABASE_URL) {
      embedded = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.EMBEDDED_PG_PORT,
        quiet: true,
      });
      stops.push(() => embedded!.stop());
    }
    const adminUrl = config.DATABASE_URL ?? embedded!.adminUrl;
    const keys = loadServiceKeys(config);
    const roles = await provisionDatabase(adminUrl, {
      schemas: ['patient'],
      rolePrefix: config.DB_ROLE_PREFIX,
      secret: keys.dbRoleKey,
      hooks: { sharedSql: auditSchemaSql(), grantSql: grantAuditSql },
    });

    const signer = await InternalTokenSigner.load(
      config.GATEWAY_SIGNING_KEY_FILE
        ? readJwkFile(config.GATEWAY_SIGNING_KEY_FILE)
        : config.keysDir,
    );
    const internalVerifier = createInternalTokenVerifier(signer.publicJwk);
    const port = (base: number, offset = 0) => (opts.ephemeralPorts ? 0 : base + offset);

    const patient = await startPatientSubgraph({
      config,
      keys,
      databaseUrl: config.SUBGRAPH_DATABASE_URL ?? roles.patient.url,
      port: port(config.SUBGRAPH_PORT_BASE),
      log,
      verifier: internalVerifier,
    });
    stops.push(() => patient.stop());

    const heads = await startHeadSigner({
      config,
      em: () => patient.orm.em.fork(),
      log,
    });
    stops.push(() => heads.stop());

    const issuerUrl = config.OIDC_ISSUER ?? devIssuerUrl(config.GATEWAY_PORT);
    const devIssuer = config.OIDC_ISSUER
      ? undefined
      : await DevIssuer.load(config.keysDir, issuerUrl, config.OIDC_AUDIENCE);
    const verifier = createTokenVerifier({
      issuer: issuerUrl,
      audience: config.OIDC_AUDIENCE,
      algorithms: config.OIDC_ALGORITHMS.split(',').map((a) => a.trim()),
      jwks: devIssuer
        ? devIssuer.jwks()
        : new URL(config.OIDC_JWKS_URL ?? `${issuerUrl}/.well-known/jwks.json`),
    });

    const seed = opts.seed
      ? await seedPatients(
          { em: patient.orm.em.fork(), requestId: 'seed', log, now: new Date() },
          patient.services,
          DEMO_DATA_DIR,
        )
      : undefined;

    const gateway = await startGateway({
      port: port(config.GATEWAY_PORT),
      host: config.BIND_HOST,
      production: config.production,
      supergraphSdl: fs.readFileSync(path.join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8'),
      subgraphUrls: { patient: patient.url },
      verifier,
      signer,
      devIssuer,
      log,
    });
    stops.push(() => gateway.stop());
    return {
      gatewayUrl: gateway.url,
      adminUrl,
      patient,
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
