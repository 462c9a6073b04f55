import { createHash } from 'node:crypto';
import type { BoundOperation } from '../identity/operation-hash.js';

/**
 * The operation a gateway token for a REST call is bound to (as a GraphQL
 * token is bound to its query and variables): the method, the path with its
 * query string, and the SHA-256 of the exact body bytes. A token captured
 * from one call opens no other call and no other body.
 */
export function restOperation(
  method: string,
  url: string,
  body: Buffer | undefined,
): BoundOperation {
  const sha256 = createHash('sha256')
    .update(body ?? Buffer.alloc(0))
    .digest('hex');
  return { query: `${method.toUpperCase()} ${url}`, variables: { sha256 } };
}
