import 'reflect-metadata';
import { loadConfig } from '../platform/config/index.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { createLogger } from '../platform/log/index.js';
import { seedBilling } from '../subgraphs/billing/seed.js';
import { openBillingStore } from '../subgraphs/billing/server.js';
import { seedPatients } from '../subgraphs/patient/seed.js';
import { openPatientStore } from '../subgraphs/patient/server.js';
import { seedScheduling } from '../subgraphs/scheduling/seed.js';
import { openSchedulingStore } from '../subgraphs/scheduling/server.js';
import { withAdminDatabase } from './cli-db.js';
import { guardAll, provisionAll, roleOf } from './provision-lib.js';
import { DEMO_DATA_DIR } from './stack.js';

// `npm run db:provision [-- --seed]`: schemas, roles and migrations (and demo data), as the
// one-shot job before the services start when they run apart (docker-compose).
const config = loadConfig();
const keys = loadServiceKeys(config);
const log = createLogger({ name: 'provision', level: config.LOG_LEVEL });
await withAdminDatabase(config, async (adminUrl) => {
  const roles = await provisionAll(config, adminUrl, keys);
  const seed = process.argv.includes('--seed');
  const patient = await openPatientStore({
    config,
    keys,
    databaseUrl: roleOf(roles, 'patient').url,
  });
  let patientIds: string[] = [];
  try {
    if (seed)
      ({ patientIds } = await seedPatients(
        { em: patient.orm.em.fork(), requestId: 'seed', log, now: new Date() },
        patient.services,
        DEMO_DATA_DIR,
      ));
  } finally {
    await patient.orm.close();
  }
  const scheduling = await openSchedulingStore({
    keys,
    databaseUrl: roleOf(roles, 'scheduling').url,
  });
  try {
    if (seed) await seedScheduling(scheduling.orm.em.fork(), DEMO_DATA_DIR);
  } finally {
    await scheduling.orm.close();
  }
  // Billing imports its reference data (payers, plans, fee schedule) as it opens.
  const billing = await openBillingStore({
    config,
    keys,
    log,
    databaseUrl: roleOf(roles, 'billing').url,
  });
  try {
    if (seed) await seedBilling(billing.orm.em.fork(), billing.services.cipher, { patientIds });
  } finally {
    await billing.orm.close();
  }
  // Migrated: guarded tables (the billing ledger) pass to their NOLOGIN owners.
  await guardAll(config, adminUrl);
  log.info({ schemas: Object.keys(roles) }, 'database provisioned');
});
