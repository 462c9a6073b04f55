import fs from 'node:fs';
import type { JWK } from 'jose';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import {
  createInternalTokenVerifier,
  InternalTokenSigner,
  loadGatewayPublicJwk,
  type InternalTokenVerifier,
} from './internal-token.js';
import { createLogger } from '../log/index.js';
import { memoryReplayCache, redisReplayCache, type ReplayCache } from './replay-cache.js';

const readJwk = (file: string): JWK => JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;

/** The gateway's signer: GATEWAY_SIGNING_KEY_FILE, or the development key under DATA_DIR/keys. */
export function loadGatewaySigner(config: Config): Promise<InternalTokenSigner> {
  if (config.GATEWAY_SIGNING_KEY_FILE)
    return InternalTokenSigner.load(
      readJwk(config.GATEWAY_SIGNING_KEY_FILE),
      config.INTERNAL_TOKEN_TTL_SECONDS,
    );
  if (config.NODE_ENV === 'production')
    throw new Error('GATEWAY_SIGNING_KEY_FILE is not set: the gateway needs its signing key');
  return InternalTokenSigner.load(config.keysDir, config.INTERNAL_TOKEN_TTL_SECONDS);
}

/** Where spent gateway-token ids are kept: Redis when REDIS_URL is set (shared by replicas), else memory. */
export function replayCacheFor(config: Config, log: Logger): ReplayCache {
  return config.REDIS_URL
    ? redisReplayCache(config.REDIS_URL, config.RATE_LIMIT_KEY_PREFIX, log)
    : memoryReplayCache();
}

/**
 * What a subgraph verifies the gateway's tokens with: GATEWAY_PUBLIC_KEY_FILE,
 * or the development key, refusing spent token ids (`replayCacheFor`).
 */
export async function loadInternalVerifier(
  config: Config,
  log: Logger = createLogger({ name: 'internal-token', level: config.LOG_LEVEL }),
): Promise<InternalTokenVerifier> {
  const opts = {
    ttlSeconds: config.INTERNAL_TOKEN_TTL_SECONDS,
    replayCache: replayCacheFor(config, log),
  };
  if (config.GATEWAY_PUBLIC_KEY_FILE)
    return createInternalTokenVerifier(readJwk(config.GATEWAY_PUBLIC_KEY_FILE), opts);
  if (config.NODE_ENV === 'production')
    throw new Error('GATEWAY_PUBLIC_KEY_FILE is not set: subgraphs need the gateway public key');
  return createInternalTokenVerifier(await loadGatewayPublicJwk(config.keysDir), opts);
}
