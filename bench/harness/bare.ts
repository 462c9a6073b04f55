import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ProcessStack } from './carefed.js';
import type { BenchDatabase } from './database.js';
import { freePorts } from './ports.js';
import { answers, startService, stopService, waitFor, type Service } from './procs.js';

const ROLE = 'bench_bare';
const SUBGRAPHS = ['patient', 'scheduling', 'billing'] as const;

/**
 * The bare federation (bench/bare/) over the same database: a login role of
 * its own (so its statements are counted apart) that reads the three
 * subgraphs' tables and writes appointments, then each bare subgraph and the
 * bare gateway as separate processes.
 */
export async function startBare(db: BenchDatabase, dataDir: string): Promise<ProcessStack> {
  const password = randomBytes(18).toString('base64url');
  await db.query(
    `DO $$ BEGIN CREATE ROLE ${ROLE} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
  );
  await db.query(`ALTER ROLE ${ROLE} PASSWORD '${password}'`);
  for (const schema of SUBGRAPHS)
    await db.query(
      `GRANT USAGE ON SCHEMA ${schema} TO ${ROLE}; GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${ROLE}`,
    );
  await db.query(
    `GRANT INSERT, UPDATE ON scheduling.appointment, scheduling.appointment_version TO ${ROLE}`,
  );
  const url = new URL(db.adminUrl);
  url.username = ROLE;
  url.password = password;
  const ports = await freePorts(4);
  const env = { BARE_DATABASE_URL: url.toString(), DATA_DIR: dataDir };
  const services: Service[] = [];
  const stop = async () => {
    for (const s of services.reverse()) await stopService(s);
  };
  try {
    SUBGRAPHS.forEach((name, i) =>
      services.push(
        startService(
          `bare ${name}`,
          'bench/bare/subgraph.ts',
          [name],
          { ...env, BARE_PORT: String(ports[i]) },
          path.join(dataDir, `bare-${name}.log`),
        ),
      ),
    );
    const probe = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{__typename}"}',
    };
    for (let i = 0; i < SUBGRAPHS.length; i++)
      await waitFor(`bare ${SUBGRAPHS[i]}`, answers(`http://127.0.0.1:${ports[i]}/`, probe));
    const subgraphUrls = SUBGRAPHS.map((n, i) => `${n}=http://127.0.0.1:${ports[i]}/`).join(',');
    services.push(
      startService(
        'bare gateway',
        'bench/bare/gateway.ts',
        [],
        { BARE_PORT: String(ports[3]), BARE_SUBGRAPH_URLS: subgraphUrls },
        path.join(dataDir, 'bare-gateway.log'),
      ),
    );
    const gatewayUrl = `http://127.0.0.1:${ports[3]}/`;
    await waitFor('bare gateway', answers(gatewayUrl, probe));
    return { label: 'bare', gatewayUrl, services, rolePattern: ROLE, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
