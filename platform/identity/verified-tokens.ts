import { createHash } from 'node:crypto';
import type { FlattenedJWSInput, JWTHeaderParameters, JWTVerifyGetKey } from 'jose';
import { BoundedLru } from '../cache/lru.js';
import { toUnauthenticated } from './errors.js';
import type { Principal } from './principal.js';

/** Default bound of the verified-token cache: entries, each a principal and a key reference. */
export const DEFAULT_VERIFIED_TOKENS = 10_000;

type VerifyingKey = Awaited<ReturnType<JWTVerifyGetKey>>;

/** What one full verification established. */
export interface FreshVerification {
  principal: Principal;
  /** The key object the signature was checked with, as the key set handed it out. */
  key: VerifyingKey;
  /** The token's `exp` (seconds). */
  exp: number;
}

interface Entry {
  principal: Principal;
  key: VerifyingKey;
  header: JWTHeaderParameters;
  input: FlattenedJWSInput;
}

const freeze = (p: Principal): Principal =>
  Object.freeze({
    ...p,
    roles: Object.freeze([...p.roles]),
    scopes: Object.freeze([...p.scopes]),
  }) as Principal;

/**
 * Remembers verified user tokens (bounded LRU keyed by the token's SHA-256) until the
 * earliest of the token's `exp` and the key set's cache age. A hit still asks the key
 * set for the token's key: the same key object means the set has not been reloaded
 * since; a reloaded set (new objects) sends the token through full verification
 * again, and a key the set no longer holds refuses it. Refusals are never cached.
 */
export function verifiedTokenCache(
  getKey: JWTVerifyGetKey,
  opts: { maxEntries: number; keySetMaxAgeMs: number },
): {
  verify(token: string, fresh: (token: string) => Promise<FreshVerification>): Promise<Principal>;
} {
  const entries = new BoundedLru<string, Entry>(opts.maxEntries);
  return {
    async verify(token, fresh) {
      const id = createHash('sha256').update(token).digest('base64url');
      const hit = entries.get(id);
      if (hit) {
        let key: VerifyingKey;
        try {
          key = await getKey(hit.header, hit.input);
        } catch (err) {
          entries.delete(id);
          throw toUnauthenticated(err);
        }
        if (key === hit.key) return hit.principal;
        entries.delete(id);
      }
      const verified = await fresh(token);
      const [h = '', payload = '', signature = ''] = token.split('.');
      const header = JSON.parse(
        Buffer.from(h, 'base64url').toString('utf8'),
      ) as JWTHeaderParameters;
      const principal = freeze(verified.principal);
      const until = Math.min(verified.exp * 1000, Date.now() + opts.keySetMaxAgeMs);
      entries.set(
        id,
        { principal, key: verified.key, header, input: { protected: h, payload, signature } },
        until,
      );
      return principal;
    },
  };
}
