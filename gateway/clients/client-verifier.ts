import { UnauthenticatedError } from '../../platform/identity/errors.js';
import type { Principal } from '../../platform/identity/principal.js';
import type { TokenVerifier } from '../../platform/identity/verify.js';
import type { ClientRegistry } from './registry.js';

/**
 * The user-token verifier with the client registry's bound on top: a token
 * whose purpose of use its client may not assert (gateway/clients/registry.ts
 * `allowsPurpose`) is refused like any invalid token (401, reason
 * `bad-claims` on `purpose_of_use`). The roles' bound is the verifier's own
 * (platform/identity/purpose-policy.ts).
 */
export function clientBoundVerifier(
  verifier: TokenVerifier,
  registry: ClientRegistry,
): TokenVerifier {
  return {
    async verify(token: string): Promise<Principal> {
      const principal = await verifier.verify(token);
      if (!registry.allowsPurpose(principal))
        throw new UnauthenticatedError('bad-claims', 'purpose_of_use');
      return principal;
    },
  };
}
