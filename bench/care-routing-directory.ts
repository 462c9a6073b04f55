import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../platform/db/embedded.js';
import { provisionDatabase } from '../platform/db/provision.js';
import { openSubgraphStore } from '../platform/federation/subgraph-store.js';
import { CARE_ROUTING_DATA_DIR } from '../subgraphs/care-routing/directory/data-dir.js';
import { readDirectory } from '../subgraphs/care-routing/directory/read-directory.js';
import { readZipCentroids } from '../subgraphs/care-routing/directory/zip-centroids.js';
import { entities } from '../subgraphs/care-routing/entities/index.js';
import { migrations } from '../subgraphs/care-routing/migrations/index.js';
import { SCHEMA } from '../subgraphs/care-routing/server.js';
import {
  importDirectory,
  importZipCentroids,
} from '../subgraphs/care-routing/store/directory-import.js';

/**
 * The full facility directory (data/care-routing, ~17k facilities and ~27k
 * ZIP centroids) read, imported into an empty schema, then imported again
 * (nothing to write) and once more with every row changed. Prints seconds per
 * phase and the statements each import sent. DATABASE_URL (a superuser URL)
 * to use a server of your own, else an embedded PostgreSQL under .data.
 * `npm run bench:care-routing-directory`.
 */
const label = randomBytes(3).toString('hex');
const server = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({
      dataDir: path.resolve('.data', `routing-bench-${label}`),
      port: await freePort(55452),
      quiet: true,
    });
const rootUrl = process.env.DATABASE_URL ?? server!.adminUrl;
const dbName = `routing_bench_${label}`;
const root = new pg.Client(rootUrl);
await root.connect();
await root.query(`CREATE DATABASE ${dbName}`);
const prefix = `rb${label}`;
const roles = await provisionDatabase(withDb(rootUrl, dbName), {
  schemas: [SCHEMA],
  rolePrefix: prefix,
  secret: randomBytes(32),
  hooks: { sharedSql: [], grantSql: () => [] },
});
let statements = 0;
const store = await openSubgraphStore({
  url: roles[SCHEMA]!.url,
  schema: SCHEMA,
  entities,
  migrations,
  kek: randomBytes(32),
  onStatement: () => void statements++,
});

const timed = async <T>(
  phase: string,
  fn: () => T | Promise<T>,
  show: (r: T) => unknown = (r) => r,
): Promise<T> => {
  statements = 0;
  const started = performance.now();
  const result = await fn();
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  process.stdout.write(`${JSON.stringify({ phase, seconds, statements, result: show(result) })}\n`);
  return result;
};

try {
  const centroids = await timed(
    'read zipcodes.csv',
    () => readZipCentroids(CARE_ROUTING_DATA_DIR).centroids,
    (c) => ({ centroids: c.length }),
  );
  const lookup = new Map(centroids.map((c) => [c.zip, c]));
  const facilities = await timed(
    'read the facility files',
    () => readDirectory(CARE_ROUTING_DATA_DIR, lookup).flatMap((r) => r.facilities),
    (f) => ({ facilities: f.length }),
  );
  await timed('import ZIP centroids', () => importZipCentroids(store.orm.em.fork(), centroids));
  await timed('import the directory (empty schema)', () =>
    importDirectory(store.orm.em.fork(), facilities),
  );
  await timed('import the directory again (unchanged)', () =>
    importDirectory(store.orm.em.fork(), facilities),
  );
  await timed('import the directory with every row changed', () =>
    importDirectory(
      store.orm.em.fork(),
      facilities.map((f) => ({ ...f, beds: (f.beds ?? 0) + 1 })),
    ),
  );
} finally {
  await store.orm.close();
  await root.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await root.query(`DROP ROLE IF EXISTS "${prefix}_${SCHEMA}"`);
  await root.end();
  await server?.stop();
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
