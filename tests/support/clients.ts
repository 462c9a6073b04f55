import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClientApp } from '../../gateway/clients/registry.js';

/**
 * Environment for `startTestStack` whose client registry lists `ids` as
 * partner apps that may send query text. For tests of what a partner role may
 * do in the subgraphs (not of the edge), which send their queries as text;
 * tests/persisted-operations.test.ts covers persisted-only apps.
 */
export function textPartnerClients(ids: string[]): { CLIENTS_FILE: string } {
  const clients: ClientApp[] = ids.map((id) => ({
    id,
    allowedScopes: [],
    persistedOnly: false,
    rateLimitTier: 'standard',
    patientBinding: { required: false },
  }));
  const file = path.join(os.tmpdir(), `carefed-clients-${randomBytes(6).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify({ clients }), { mode: 0o600 });
  return { CLIENTS_FILE: file };
}
