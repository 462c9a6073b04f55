import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../platform/db/embedded.js';
import { provisionDatabase } from '../platform/db/provision.js';
import { openSubgraphStore } from '../platform/federation/subgraph-store.js';
import { importDemoCatalogue } from '../subgraphs/pharmacy/catalogue/demo.js';
import { RXNORM_SYSTEM } from '../subgraphs/pharmacy/domain/safety-checks.js';
import { entities } from '../subgraphs/pharmacy/entities/index.js';
import { migrations } from '../subgraphs/pharmacy/migrations/index.js';
import { checkPrescription } from '../subgraphs/pharmacy/store/catalogue-checks.js';

/**
 * The prescribing safety check: the demo catalogue imported, then
 * `checkPrescription` for simvastatin against a patient on 20 active
 * medications (real catalogue drugs; amiodarone, methadone, verapamil and
 * lopinavir/ritonavir among them interact) and two allergies, BENCH_CHECKS times
 * (default 2,000) one after another. Prints p50/p99 ms and the statements
 * each check sent. DATABASE_URL (a superuser URL) to use a server of your
 * own, else an embedded PostgreSQL under .data. `npm run bench:pharmacy-checks`.
 */
const iterations = Number(process.env.BENCH_CHECKS ?? 2000);
const label = randomBytes(3).toString('hex');
const server = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({
      dataDir: path.resolve('.data', `pharmacy-bench-${label}`),
      port: await freePort(55442),
      quiet: true,
    });
const rootUrl = process.env.DATABASE_URL ?? server!.adminUrl;
const dbName = `pharmacy_bench_${label}`;
const root = new pg.Client(rootUrl);
await root.connect();
await root.query(`CREATE DATABASE ${dbName}`);
const adminUrl = withDb(rootUrl, dbName);
const prefix = `pb${label}`;
const roles = await provisionDatabase(adminUrl, {
  schemas: ['pharmacy'],
  rolePrefix: prefix,
  secret: randomBytes(32),
  hooks: { sharedSql: [], grantSql: () => [] },
});
let statements = 0;
const store = await openSubgraphStore({
  url: roles.pharmacy!.url,
  schema: 'pharmacy',
  entities,
  migrations,
  kek: randomBytes(32),
  onStatement: () => void statements++,
});

try {
  const imported = await importDemoCatalogue(store.orm.em.fork());
  process.stdout.write(
    `${JSON.stringify({ catalogue: { drugs: imported.drugs, ingredients: imported.ingredients, uncovered: imported.uncovered.length } })}\n`,
  );
  const rx = (code: string) => [{ system: RXNORM_SYSTEM, code }];
  const active = [
    '834357',
    '864718',
    '897718',
    '310385',
    '197604',
    '855332',
    '314076',
    '197361',
    '310798',
    '860975',
    '966222',
    '979485',
    '309362',
    '198014',
    '312938',
    '1049221',
    '197319',
    '313988',
    '105585',
    '597730',
  ];
  const input = {
    drugRxcui: '312961',
    medications: active.map((code, i) => ({
      ref: `rx-${i}`,
      source: 'prescription' as const,
      codes: rx(code),
    })),
    allergies: [
      { ref: 'al-1', codes: rx('1191') },
      { ref: 'al-2', codes: [{ system: 'http://snomed.info/sct', code: '111088007' }] },
    ],
  };
  const warm = await checkPrescription(store.orm.em.fork(), input);
  const times: number[] = [];
  statements = 0;
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await checkPrescription(store.orm.em.fork(), input);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    Number(times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2));
  process.stdout.write(
    `${JSON.stringify({
      case: 'checkPrescription, 20 active medications, 2 allergies',
      iterations,
      alerts: warm.alerts.length,
      blocking: warm.alerts.filter((a) => a.blocking).length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      statementsPerCheck: statements / iterations,
    })}\n`,
  );
} finally {
  await store.orm.close();
  await root.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await root.query(`DROP ROLE IF EXISTS "${prefix}_pharmacy"`);
  await root.end();
  await server?.stop();
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
