import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../platform/db/embedded.js';
import { provisionDatabase } from '../platform/db/provision.js';
import { openSubgraphStore } from '../platform/federation/subgraph-store.js';
import { DEFAULT_UNTIL } from '../subgraphs/fhir-adapter/population/generate.js';
import type { Accuracy } from '../subgraphs/open-data/domain/forecast/index.js';
import { pseudonymsOf } from '../subgraphs/open-data/domain/pseudonyms.js';
import { entities } from '../subgraphs/open-data/entities/index.js';
import { migrations } from '../subgraphs/open-data/migrations/index.js';
import { feedPopulation } from '../tests/support/open-data-population/feed.js';
import { SCHEMA } from '../subgraphs/open-data/server.js';
import { refreshForecasts } from '../subgraphs/open-data/store/forecasts.js';
import { publishRelease } from '../subgraphs/open-data/store/releases.js';

/**
 * Open data at population scale: N generated patients (default 10,000, seed 1,
 * 5 years to the generator's fixed 2026-01-01) turned into the events their
 * producers would publish (population/population-events.ts) and ingested in
 * batches of patients, one transaction each, as population/feed.ts does, but
 * with each kind of event timed on its own. Then both releases are published
 * and the forecasts refreshed. Prints one JSON line per phase: generation and
 * ingestion seconds, events per second per kind, store row counts, seconds to
 * publish each release kind and to refresh the forecasts, and per forecast
 * family the mean backtest MAE and MASE of the model and of the seasonal-naive
 * baseline. DATABASE_URL (a superuser URL) to use a server of your own, else
 * an embedded PostgreSQL under .data.
 * `npm run bench:open-data-population -- --patients 10000 --seed 1 --years 5 --batch 200`
 */
const { values: flags } = parseArgs({
  options: {
    patients: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    years: { type: 'string', default: '5' },
    batch: { type: 'string', default: '200' },
  },
});
const int = (name: keyof typeof flags) => {
  const v = Number(flags[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
};
const patients = int('patients');
const batch = int('batch');
const gen = { seed: int('seed'), years: int('years'), until: DEFAULT_UNTIL };
const now = new Date(gen.until * 1000);

const label = randomBytes(3).toString('hex');
const dataDir = path.resolve('.data', `opendata-bench-${label}`);
const server = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({
      dataDir,
      port: await freePort(55462),
      quiet: true,
    });
const rootUrl = process.env.DATABASE_URL ?? server!.adminUrl;
const dbName = `opendata_bench_${label}`;
const root = new pg.Client(rootUrl);
await root.connect();
await root.query(`CREATE DATABASE ${dbName}`);
const prefix = `ob${label}`;
const roles = await provisionDatabase(withDb(rootUrl, dbName), {
  schemas: [SCHEMA],
  rolePrefix: prefix,
  secret: randomBytes(32),
  hooks: { sharedSql: [], grantSql: () => [] },
});
const store = await openSubgraphStore({
  url: roles[SCHEMA]!.url,
  schema: SCHEMA,
  entities,
  migrations,
  kek: randomBytes(32),
});
const ids = pseudonymsOf(randomBytes(32));

const print = (phase: string, data: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ phase, ...data })}\n`);
const seconds = (ms: number) => Math.round(ms / 10) / 100;
const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
};

const KINDS = ['profiles', 'clinical', 'appointments', 'dispenses'] as const;

/** Mean of the finite values (null when there are none). */
const mean = (xs: readonly (number | null)[]) => {
  const ok = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return ok.length ? Math.round((ok.reduce((a, b) => a + b, 0) / ok.length) * 1000) / 1000 : null;
};

try {
  const em = store.orm.em.fork();
  const fed = await feedPopulation(em, ids, { ...gen, patients, batch });
  const ingestMs = KINDS.reduce((s, k) => s + fed.ms[k], 0) + fed.ms.commit;
  print('generate and ingest', {
    patients,
    seed: gen.seed,
    years: gen.years,
    batch,
    generateSeconds: seconds(fed.ms.generate),
    ingestSeconds: seconds(ingestMs),
    totalSeconds: seconds(fed.ms.generate + ingestMs),
    beginCommitSeconds: seconds(fed.ms.commit),
    facilityRegions: fed.regions,
  });
  for (const k of KINDS)
    print(`ingest ${k}`, {
      events: fed.events[k],
      seconds: seconds(fed.ms[k]),
      eventsPerSecond: Math.round(fed.events[k] / (fed.ms[k] / 1000)),
    });
  const tables = await em.execute<{ t: string }[]>(
    `SELECT table_name AS t FROM information_schema.tables
      WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1`,
    [SCHEMA],
  );
  const counts: Record<string, number> = {};
  for (const { t } of tables) {
    const [r] = await em.execute<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${SCHEMA}.${t}`);
    counts[t] = Number(r!.n);
  }
  print('store rows', counts);
  for (const kind of ['tables', 'records'] as const) {
    const [release, took] = await timed(() =>
      store.orm.em.fork().transactional((tem) => publishRelease(tem, kind, 'bench', now)),
    );
    print(`publish ${kind}`, {
      seconds: seconds(took),
      rows: release?.rowCount ?? null,
      method: release ? (JSON.parse(release.method) as unknown) : null,
    });
  }
  const [made, took] = await timed(() =>
    store.orm.em.fork().transactional((tem) => refreshForecasts(tem, now)),
  );
  print('refresh forecasts', { seconds: seconds(took), series: made.length });
  const stored = await em.execute<
    { series: string; backtest: { model: Accuracy; baseline: Accuracy } | null }[]
  >('SELECT series, backtest FROM forecast ORDER BY series, series_key');
  for (const family of [...new Set(stored.map((s) => s.series))]) {
    const tested = stored.filter((s) => s.series === family && s.backtest);
    const bt = tested.map((s) => s.backtest!);
    print(`forecast accuracy ${family}`, {
      series: stored.filter((s) => s.series === family).length,
      backtested: tested.length,
      modelMae: mean(bt.map((b) => b.model.mae)),
      baselineMae: mean(bt.map((b) => b.baseline.mae)),
      modelMase: mean(bt.map((b) => b.model.mase)),
      baselineMase: mean(bt.map((b) => b.baseline.mase)),
      modelBeatsBaseline: bt.filter((b) => b.model.mae < b.baseline.mae).length,
    });
  }
} finally {
  await store.orm.close();
  await root.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await root.query(`DROP ROLE IF EXISTS "${prefix}_${SCHEMA}"`);
  await root.end();
  if (server) {
    await server.stop();
    // This run's own cluster (a fresh label each run): nothing else reads it.
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
