import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../platform/config/index.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { loadGatewaySigner } from '../platform/identity/service-keys.js';
import { CASES } from './cases.js';
import { startBare } from './harness/bare.js';
import { startCarefed, type ProcessStack } from './harness/carefed.js';
import { startBenchDatabase } from './harness/database.js';
import { makeFixtures, type Fixtures } from './harness/fixtures.js';
import { emptyTally, round, type Tally } from './harness/measure.js';
import { peakRssMb } from './harness/procs.js';
import { printMemory, printTable } from './harness/table.js';
import { growPopulation } from './harness/population.js';
import { checkSameData } from './harness/same-data.js';
import type { BenchDatabase } from './harness/database.js';

/**
 * `npm run bench`: Carefed as production runs it (every service its own
 * process) against the bare Apollo federation of bench/bare/ over the same
 * database, in alternating rounds; then the read cases again over larger
 * populations. docs/performance.md explains every column and setting.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number);
const scales = (process.env.BENCH_SCALES ?? '1000,100000').split(',').filter(Boolean).map(Number);
const dataDir = path.resolve('.data', `bench-${randomBytes(3).toString('hex')}`);
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
// The database first: the key files' mkdir (mode 0700) must not make a directory it has to enter.
const db = await startBenchDatabase(dataDir, process.env.DATABASE_URL);
// Keys every process shares are created once, here, before the processes race to create them.
void loadServiceKeys(config).kek;
await loadGatewaySigner(config);
const stacks: ProcessStack[] = [];
try {
  console.log(`Carefed bench: ${rounds} alternating rounds of ${seconds} s; logs under ${dataDir}`);
  const carefed = await startCarefed(db.adminUrl, dataDir);
  stacks.push(carefed);
  const fixtures = await makeFixtures(
    config,
    db,
    carefed.gatewayUrl,
    Math.max(...connectionCounts),
  );
  const bare = await startBare(db, dataDir);
  stacks.push(bare);
  await checkSameData(CASES, fixtures, carefed, bare);
  if (!db.countsStatements)
    console.log('pg_stat_statements is not loaded on DATABASE_URL: SQL/req shows n/a');

  for (const connections of connectionCounts) {
    const rows = await runCases(CASES, connections, carefed, bare, db, fixtures, `c${connections}`);
    printTable(`${connections} connections`, rows);
  }
  for (const patients of scales) {
    const added = await growPopulation(db, config, patients);
    const rows = await runCases(
      CASES.filter((c) => c.scales),
      connectionCounts[0]!,
      carefed,
      bare,
      db,
      fixtures,
      `s${patients}`,
    );
    printTable(
      `Data scaling: ${patients} patients (${added} generated), ${connectionCounts[0]} connections`,
      rows,
    );
  }
  printMemory(
    stacks.flatMap((s) => s.services.map((p) => ({ name: p.name, mb: peakRssMb(p.pid) }))),
  );
} finally {
  for (const s of stacks.reverse()) await s.stop();
  await db.stop();
  if (!process.env.BENCH_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
}

async function runCases(
  cases: typeof CASES,
  connections: number,
  carefed: ProcessStack,
  bare: ProcessStack,
  database: BenchDatabase,
  f: Fixtures,
  tag: string,
): Promise<{ name: string; carefed: Tally; bare: Tally }[]> {
  const rows = [];
  for (const c of cases) {
    const tallies = { carefed: emptyTally(), bare: emptyTally() };
    for (let r = 0; r < rounds; r++)
      // Alternate which side goes first, so drift over a round pair cancels too.
      for (const side of r % 2 ? (['bare', 'carefed'] as const) : (['carefed', 'bare'] as const))
        await round(
          c,
          side === 'carefed' ? carefed : bare,
          database,
          f,
          { connections, seconds, tag: `${tag}-${side}-${r}` },
          tallies[side],
        );
    rows.push({ name: c.name, ...tallies });
  }
  return rows;
}
