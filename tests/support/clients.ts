import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIRST_PARTY_PURPOSES } from '../../gateway/clients/load.js';
import type { ClientApp } from '../../gateway/clients/registry.js';
import { DEV_IDS } from '../../platform/identity/dev-principal.js';

/**
 * Environment for `startTestStack` whose client registry lists `ids` as
 * apps that may send query text, with any role's purpose, beside the demo
 * first-party console (the client of `t.token`'s staff tokens): unlisted
 * apps run persisted operations only. For tests of what a role may do in the
 * subgraphs (not of the edge), which send their queries as text;
 * tests/persisted-operations.test.ts covers persisted-only apps. `others`
 * are listed as given.
 */
export function textPartnerClients(
  ids: string[],
  others: ClientApp[] = [],
): { CLIENTS_FILE: string } {
  const text: ClientApp[] = [DEV_IDS.firstPartyClient, ...ids]
    .filter((id, i, all) => all.indexOf(id) === i)
    .map((id) => ({
      id,
      allowedScopes: [],
      persistedOnly: false,
      rateLimitTier: 'standard',
      allowedPurposes: FIRST_PARTY_PURPOSES,
      patientBinding: { required: false },
    }));
  const clients = [...text, ...others];
  const file = path.join(os.tmpdir(), `carefed-clients-${randomBytes(6).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify({ clients }), { mode: 0o600 });
  return { CLIENTS_FILE: file };
}
