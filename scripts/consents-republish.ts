import 'reflect-metadata';
import { loadConfig } from '../platform/config/index.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { createLogger } from '../platform/log/index.js';
import { CONSENT_CHANGED, republishConsents } from '../subgraphs/patient/consent-events.js';
import { openPatientStore } from '../subgraphs/patient/server.js';
import { consumersOf } from '../subgraphs/subscriptions.js';
import { withAdminDatabase } from './cli-db.js';
import { provisionAll, roleOf } from './provision-lib.js';

// `npm run consents:republish [-- <consumer task> ...]`: every consent's current state to the
// named consumers of consent.changed (default: all of them), e.g. after adding a subgraph whose
// consent projection must learn the consents recorded before it existed.
const config = loadConfig();
const keys = loadServiceKeys(config);
const log = createLogger({ name: 'consents-republish', level: config.LOG_LEVEL });
const known = consumersOf(CONSENT_CHANGED);
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !known.includes(a));
if (unknown.length) {
  log.error({ unknown, known }, 'not consumers of consent.changed');
  process.exit(2);
}
const consumers = asked.length ? asked : known;
await withAdminDatabase(config, async (adminUrl) => {
  const roles = await provisionAll(config, adminUrl, keys);
  const patient = await openPatientStore({
    config,
    keys,
    databaseUrl: roleOf(roles, 'patient').url,
  });
  try {
    const count = await republishConsents(patient.orm.em.fork(), consumers);
    log.info({ consents: count, consumers }, 'consents republished');
  } finally {
    await patient.orm.close();
  }
});
process.exit(0);
