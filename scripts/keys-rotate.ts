import 'reflect-metadata';
import { loadConfig } from '../platform/config/index.js';
import { rotateSchemaKey } from '../platform/crypto/rotate-schema.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { createOrm } from '../platform/db/orm.js';
import { explicitRolePasswords, serviceRoleUrl } from '../platform/db/provision.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';
import { withAdminDatabase } from './cli-db.js';

// Each schema is rotated as its own service role, the same rights the service has.
const config = loadConfig();
const passwords = explicitRolePasswords(
  config,
  SUBGRAPHS.map((s) => s.schema),
);
await withAdminDatabase(config, async (adminUrl) => {
  for (const s of SUBGRAPHS) {
    // Each subgraph's own keys (CAREFED_SECRETS_DIR), or the shared ones.
    const keys = loadServiceKeys(config, s.schema);
    const password = passwords[s.schema];
    const url = serviceRoleUrl(
      adminUrl,
      config.DB_ROLE_PREFIX,
      s.schema,
      password ? Buffer.alloc(0) : keys.dbRoleKey,
      password,
    );
    const orm = await createOrm({ url, schema: s.schema, entities: [], migrations: [] });
    try {
      // Services refresh their keyring every 30 s: wait that long, then sweep again.
      const result = await rotateSchemaKey(orm.em.fork(), s.schema, keys.kek, s.rotation, {
        settleMs: 31_000,
      });
      for (const t of result.tables)
        console.log(`${t.table}: ${t.rowsUpdated} rows re-encrypted in ${t.passes} passes`);
      console.log(`${s.schema}: data key ${result.fromVersion} -> ${result.toVersion}`);
    } finally {
      await orm.close();
    }
  }
});
