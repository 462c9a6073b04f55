import fs from 'node:fs';
import type { JWK } from 'jose';
import type { Config } from '../config/index.js';
import {
  createInternalTokenVerifier,
  InternalTokenSigner,
  loadGatewayPublicJwk,
  type InternalTokenVerifier,
} from './internal-token.js';

const readJwk = (file: string): JWK => JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;

/** The gateway's signer: GATEWAY_SIGNING_KEY_FILE, or the development key under DATA_DIR/keys. */
export function loadGatewaySigner(config: Config): Promise<InternalTokenSigner> {
  if (config.GATEWAY_SIGNING_KEY_FILE)
    return InternalTokenSigner.load(readJwk(config.GATEWAY_SIGNING_KEY_FILE));
  if (config.NODE_ENV === 'production')
    throw new Error('GATEWAY_SIGNING_KEY_FILE is not set: the gateway needs its signing key');
  return InternalTokenSigner.load(config.keysDir);
}

/** What a subgraph verifies the gateway's tokens with: GATEWAY_PUBLIC_KEY_FILE, or the development key. */
export async function loadInternalVerifier(config: Config): Promise<InternalTokenVerifier> {
  if (config.GATEWAY_PUBLIC_KEY_FILE)
    return createInternalTokenVerifier(readJwk(config.GATEWAY_PUBLIC_KEY_FILE));
  if (config.NODE_ENV === 'production')
    throw new Error('GATEWAY_PUBLIC_KEY_FILE is not set: subgraphs need the gateway public key');
  return createInternalTokenVerifier(await loadGatewayPublicJwk(config.keysDir));
}
