import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { UnauthenticatedError } from './errors.js';

/**
 * EdDSA (Ed25519) compact JWS on `node:crypto` with key objects made once:
 * signing and verifying are one synchronous call each, without jose's
 * per-call key handling and WebCrypto round trip. Tokens are ordinary
 * compact JWTs (jose reads ours; we read jose's).
 */

/** Longer tokens are refused before any parsing. */
const MAX_TOKEN_LENGTH = 16_384;
const B64URL = /^[A-Za-z0-9_-]*$/;

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A signing key made once from an Ed25519 private JWK. */
export function ed25519PrivateKey(jwk: JWK): KeyObject {
  return createPrivateKey({
    key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d },
    format: 'jwk',
  });
}

/** A verifying key made once from an Ed25519 public JWK. */
export function ed25519PublicKey(jwk: JWK): KeyObject {
  return createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
}

/** The encoded protected header `{ alg: EdDSA, kid, typ }`, made once per signer. */
export function encodedEdDsaHeader(kid: string, typ: string): string {
  return b64({ alg: 'EdDSA', kid, typ });
}

/** Signs `payload` under an encoded header from {@link encodedEdDsaHeader}. */
export function signEdDsa(encodedHeader: string, payload: object, key: KeyObject): string {
  const input = `${encodedHeader}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

/** A JWS whose signature checked out: its header and payload, not yet their claims. */
export interface OpenedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

function parseObject(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new UnauthenticatedError('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UnauthenticatedError('malformed');
  return value as Record<string, unknown>;
}

/**
 * Checks a compact EdDSA JWS against the one key `kid` names: shape, `alg`
 * (EdDSA only; no `crit`, no unencoded payload), `kid`, then the signature.
 * Throws UnauthenticatedError (`malformed`, `bad-algorithm`, `unknown-key`,
 * `bad-signature`); claims are the caller's to check.
 */
export function openEdDsa(token: string, kid: string, key: KeyObject): OpenedJws {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH)
    throw new UnauthenticatedError('malformed');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => p.length > 0 && B64URL.test(p)))
    throw new UnauthenticatedError('malformed');
  const [h, p, s] = parts as [string, string, string];
  const header = parseObject(h);
  if (header.alg !== 'EdDSA') throw new UnauthenticatedError('bad-algorithm');
  if ('crit' in header || 'b64' in header) throw new UnauthenticatedError('malformed');
  if (header.kid !== kid) throw new UnauthenticatedError('unknown-key');
  const signature = Buffer.from(s, 'base64url');
  if (signature.length !== 64 || !verify(null, Buffer.from(`${h}.${p}`), key, signature))
    throw new UnauthenticatedError('bad-signature');
  return { header, payload: parseObject(p) };
}
