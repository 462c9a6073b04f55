import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../platform/config/index.js';
import { devPrincipal } from '../platform/identity/dev-principal.js';
import { createLogger } from '../platform/log/index.js';
import { startStack, DEMO_DATA_DIR } from '../scripts/stack.js';
import { runImport, type FileReport } from '../subgraphs/fhir-adapter/import/import-cli.js';
import { sharedDataDir } from '../subgraphs/fhir-adapter/population/data-dir.js';
import { DEFAULT_UNTIL, writePopulation } from '../subgraphs/fhir-adapter/population/generate.js';
import { loadReferenceData } from '../subgraphs/fhir-adapter/population/reference-data.js';

/**
 * FHIR import throughput: the whole stack (every subgraph, the gateway, the
 * adapter's worker) in this process, importing through the one import path
 * as `npm run fhir:import` does (bulk NDJSON through the gateway, one file
 * after another, patients through the patient subgraph): the Synthea set,
 * then a generated population of BENCH_IMPORT_PATIENTS (default 10,000).
 * Prints resources per second (entries of every type, unmapped ones
 * included) and this process's CPU per resource. DATABASE_URL (a superuser
 * URL) to use a server of your own, else an embedded PostgreSQL under .data.
 * `npm run bench:fhir-import`.
 */
const patients = Number(process.env.BENCH_IMPORT_PATIENTS ?? 10_000);
const label = randomBytes(3).toString('hex');
const dataDir = path.resolve('.data', `fhir-import-bench-${label}`);
// A database of its own on DATABASE_URL's server (dropped at the end), else the embedded server.
const benchDb = process.env.DATABASE_URL
  ? await ownDatabase(process.env.DATABASE_URL, `fhir_bench_${label}`)
  : undefined;
const config = loadConfig({
  ...process.env,
  ...(benchDb ? { DATABASE_URL: benchDb.url } : {}),
  NODE_ENV: 'test',
  DATA_DIR: dataDir,
  DB_ROLE_PREFIX: `b${label}`,
  LOG_LEVEL: 'warn',
  SEED_CLINICAL_RECORD: 'off',
  // Registering thousands of patients queues their events ahead of the access-fact heartbeat in
  // each subgraph's serial lane, so the projections look stale for a while (docs/performance.md).
  ACCESS_FACTS_MAX_LAG_MS: process.env.ACCESS_FACTS_MAX_LAG_MS ?? '30000',
  EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT ?? '55499',
  RATE_LIMIT_PER_CLIENT: '1000000',
  RATE_LIMIT_PER_USER: '1000000',
  RATE_LIMIT_PER_ADDRESS: '1000000',
});
const stack = await startStack({
  config,
  seed: true,
  ephemeralPorts: true,
  log: createLogger({ name: 'bench', level: 'warn' }),
});
const token = await stack.devIssuer!.sign(devPrincipal('admin'));

async function measure(name: string, folder: string, source: string) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const reports: FileReport[] = await runImport({
    folder,
    gateway: stack.gatewayUrl,
    source,
    token,
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const total = reports.reduce((a, r) => a + r.total, 0);
  const errors = reports.reduce((a, r) => a + (r.errors.issue?.length ?? 0), 0);
  const row = {
    case: name,
    resources: total,
    seconds: Number(seconds.toFixed(1)),
    resourcesPerSecond: Math.round(total / seconds),
    cpuMsPerResource: Number(((used.user + used.system) / 1000 / total).toFixed(3)),
    errors,
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
  return row;
}

try {
  process.stdout.write(`FHIR import throughput (${new Date().toISOString()})\n`);
  await measure('synthea (7,160 resources, 10 patients)', DEMO_DATA_DIR, 'bench-synthea');
  const popDir = path.join(dataDir, 'population');
  const summary = await writePopulation(
    loadReferenceData(sharedDataDir()),
    { patients, seed: 1, years: 5, until: DEFAULT_UNTIL },
    popDir,
  );
  process.stdout.write(
    `generated ${summary.total} resources for ${patients} patients in ${summary.seconds.toFixed(1)} s\n`,
  );
  await measure(`population (${patients} patients)`, popDir, 'bench-population');
  process.stdout.write('target: at least 1,000 resources/s on this 2-core machine\n');
} finally {
  await stack.stop();
  await benchDb?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** A fresh database on a superuser URL's server, and how to drop it (and the bench's roles). */
async function ownDatabase(url: string, name: string) {
  const admin = new pg.Client(url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client(url);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      const { rows } = await c.query<{ rolname: string }>(
        'SELECT rolname FROM pg_roles WHERE rolname LIKE $1',
        [`b${label}\\_%`],
      );
      for (const r of rows) await c.query(`DROP ROLE IF EXISTS "${r.rolname}"`);
      await c.end();
    },
  };
}
