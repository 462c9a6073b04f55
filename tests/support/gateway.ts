import fs from 'node:fs';
import path from 'node:path';
import { loadClientRegistry } from '../../gateway/clients/load.js';
import { startGateway } from '../../gateway/server.js';
import { loadUserVerifier } from '../../gateway/user-verifier.js';
import type { RunningService } from '../../platform/http/server.js';
import { loadGatewaySigner } from '../../platform/identity/service-keys.js';
import { SCHEMA_DIR } from '../../scripts/compose-lib.js';
import type { TestStack } from './stack.js';

/**
 * A second gateway over the test stack's subgraphs, with some of them
 * replaced (`patient: <a stand-in's URL>`), the stack's keys and its client
 * registry (so the admin token's first-party console runs free queries).
 */
export async function startGatewayOver(
  t: TestStack,
  replaced: Record<string, string>,
): Promise<RunningService> {
  return startGateway({
    port: 0,
    host: '127.0.0.1',
    production: false,
    supergraphSdl: fs.readFileSync(path.join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8'),
    subgraphUrls: {
      ...Object.fromEntries(Object.entries(t.stack.subgraphs).map(([n, s]) => [n, s.url])),
      ...replaced,
    },
    verifier: (await loadUserVerifier(t.config)).verifier,
    signer: await loadGatewaySigner(t.config),
    clients: await loadClientRegistry(t.config),
    log: t.stack.log,
  });
}
