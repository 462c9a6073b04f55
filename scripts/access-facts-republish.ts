import 'reflect-metadata';
import { loadConfig } from '../platform/config/index.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { createLogger } from '../platform/log/index.js';
import { republishAccessFacts } from '../subgraphs/patient/events.js';
import { openPatientStore } from '../subgraphs/patient/server.js';
import { ACCESS_FACT_CONSUMERS } from '../subgraphs/subscriptions.js';
import { withAdminDatabase } from './cli-db.js';
import { provisionAll, roleOf } from './provision-lib.js';

// `npm run access-facts:republish [-- <consumer task> ...]`: every consent, care-team link and
// unexpired break-the-glass grant, as it stands, to the named access-fact consumers (default: all
// of them), e.g. after adding a subgraph whose projections must learn the facts that predate it.
const config = loadConfig();
const keys = loadServiceKeys(config);
const log = createLogger({ name: 'access-facts-republish', level: config.LOG_LEVEL });
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !ACCESS_FACT_CONSUMERS.includes(a));
if (unknown.length) {
  log.error({ unknown, known: ACCESS_FACT_CONSUMERS }, 'not access-fact consumers');
  process.exit(2);
}
const consumers = asked.length ? asked : ACCESS_FACT_CONSUMERS;
await withAdminDatabase(config, async (adminUrl) => {
  const roles = await provisionAll(config, adminUrl, keys);
  const patient = await openPatientStore({
    config,
    keys,
    databaseUrl: roleOf(roles, 'patient').url,
  });
  try {
    const counts = await republishAccessFacts(patient.orm.em.fork(), consumers);
    log.info({ ...counts, consumers }, 'access facts republished');
  } finally {
    await patient.orm.close();
  }
});
process.exit(0);
