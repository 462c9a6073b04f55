import 'reflect-metadata';
import path from 'node:path';
import { loadConfig } from '../platform/config/index.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { CARE_ROUTING_DATA_DIR } from '../subgraphs/care-routing/directory/data-dir.js';
import { importDirectoryFolder } from '../subgraphs/care-routing/directory/import-folder.js';
import { openCareRoutingStore, SCHEMA } from '../subgraphs/care-routing/server.js';
import { withAdminDatabase } from './cli-db.js';
import { provisionAll, roleOf } from './provision-lib.js';

// `npm run care-routing:import -- [folder]`: imports a folder of facility directory CSVs (the
// shapes of data/care-routing, the default) into the configured database, idempotently. Prints
// one JSON line per file, the totals, then every row left out (file, line, reason, key).
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const config = loadConfig();
const keys = loadServiceKeys(config);
const dir = path.resolve(
  process.argv.slice(2).find((a) => !a.startsWith('-')) ?? CARE_ROUTING_DATA_DIR,
);
await withAdminDatabase(config, async (adminUrl) => {
  const roles = await provisionAll(config, adminUrl, keys);
  const store = await openCareRoutingStore({
    config,
    keys,
    databaseUrl: roleOf(roles, SCHEMA).url,
  });
  try {
    const started = performance.now();
    const result = await importDirectoryFolder(store.orm.em.fork(), dir);
    const seconds = Math.round((performance.now() - started) / 10) / 100;
    for (const f of result.files) print(f);
    print({
      dir,
      directory: result.directory,
      centroids: result.centroids ?? null,
      skipped: result.skipped.length,
      unknownTimeZone: result.unknownTimeZone.length,
      seconds,
    });
    for (const s of result.skipped) print(s);
  } finally {
    await store.orm.close();
  }
});
process.exit(0);
