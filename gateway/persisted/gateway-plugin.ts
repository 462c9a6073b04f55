import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { ClientRegistry } from '../clients/registry.js';
import type { GatewayContext } from '../context.js';
import { loadPersistedManifest, type PersistedManifest } from './manifest.js';
import { persistedOperationsPlugin } from './plugin.js';

/**
 * The gateway's safelisting: callers the client registry holds to the
 * manifest (gateway/clients/registry.ts `persistedOnly`) run only its
 * operations, by id; refusals are logged with the request id and client.
 */
export function gatewayPersistedOperations(
  clients: ClientRegistry,
  log: Logger,
  manifest: PersistedManifest = loadPersistedManifest(),
): ApolloServerPlugin<GatewayContext> {
  return persistedOperationsPlugin<GatewayContext>({
    manifest,
    persistedOnly: (ctx) => clients.persistedOnly(ctx.principal),
    onRefused: (ctx, reason) =>
      log.info(
        { requestId: ctx.requestId, clientId: ctx.principal.clientId, refusal: reason },
        'persisted-only client refused',
      ),
  });
}
