import 'reflect-metadata';
import { loadConfig } from '../platform/config/index.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { createLogger } from '../platform/log/index.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';
import { withAdminDatabase } from './cli-db.js';
import { guardAll, provisionAll, releaseAll, roleOf } from './provision-lib.js';
import { DEMO_DATA_DIR } from './stack.js';

// `npm run db:provision [-- --seed]`: schemas, roles and migrations (and demo data), as the
// one-shot job before the services start when they run apart (docker-compose). Each subgraph's
// store is opened as its own role, as the registry defines it; opening migrates it (and loads
// its reference data), seeding adds its part of the demo data.
const config = loadConfig();
// Roles are provisioned with the shared keys; each subgraph's store is opened with its own.
const keys = loadServiceKeys(config);
const log = createLogger({ name: 'provision', level: config.LOG_LEVEL });
await withAdminDatabase(config, async (adminUrl) => {
  const roles = await provisionAll(config, adminUrl, keys);
  // Guarded tables go back to their services while they migrate, and are guarded again after.
  await releaseAll(config, adminUrl);
  const seed = process.argv.includes('--seed');
  const now = new Date();
  for (const spec of SUBGRAPHS) {
    const store = await spec.open({
      config,
      keys: loadServiceKeys(config, spec.schema),
      log,
      databaseUrl: roleOf(roles, spec.schema).url,
    });
    try {
      if (seed && spec.seed)
        // The clinical record is imported through the running graph (npm start, npm run fhir:import).
        await spec.seed(store, {
          dataDir: DEMO_DATA_DIR,
          config: { ...config, SEED_CLINICAL_RECORD: 'off' },
          log,
          now,
        });
    } finally {
      await store.orm.close();
    }
  }
  // Migrated: guarded tables (the billing ledger) pass to their NOLOGIN owners.
  await guardAll(config, adminUrl);
  log.info({ schemas: Object.keys(roles) }, 'database provisioned');
});
