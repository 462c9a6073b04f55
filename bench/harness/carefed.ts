import path from 'node:path';
import { waitForTasks } from '../../platform/events/settle.js';
import { BENCH_ACCESS_FACT_TASKS, BENCH_SUBGRAPHS as SUBGRAPHS } from './fixtures.js';
import { answers, runScript, startService, stopService, waitFor, type Service } from './procs.js';
import { freePorts } from './ports.js';

/** Carefed running as production would: each subgraph, the gateway and the head signer its own process. */
export interface ProcessStack {
  label: string;
  gatewayUrl: string;
  services: Service[];
  /** pg_stat_statements role pattern of this stack's logins. */
  rolePattern: string;
  stop(): Promise<void>;
}

/**
 * Provisions and seeds the database (`db:provision --seed`), then starts
 * `npm run subgraph -- <name>` for each subgraph, `npm run start:gateway` and
 * `npm run audit:heads` as separate processes with production settings on
 * (CAREFED_PRODUCTION=1), and waits until the demo access facts are delivered.
 */
export async function startCarefed(adminUrl: string, dataDir: string): Promise<ProcessStack> {
  const [base, , , gatewayPort] = await freePorts(4);
  const env: Record<string, string> = {
    DATABASE_URL: adminUrl,
    DATA_DIR: dataDir,
    CAREFED_PRODUCTION: '1',
    LOG_LEVEL: 'silent',
    SUBGRAPH_PORT_BASE: String(base),
    GATEWAY_PORT: String(gatewayPort),
    // Rate limits stay on (checked on every request) but out of reach of one benchmarking token.
    RATE_LIMIT_PER_CLIENT: '1000000000',
    RATE_LIMIT_PER_USER: '1000000000',
  };
  const log = (name: string) => path.join(dataDir, `${name}.log`);
  await runScript('scripts/db-provision.ts', ['--seed'], env, log('provision'));
  const services: Service[] = [];
  const stop = async () => {
    for (const s of services.reverse()) await stopService(s);
  };
  try {
    const urls: Record<string, string> = {};
    SUBGRAPHS.forEach((name, i) => {
      urls[`SUBGRAPH_URL_${name.toUpperCase()}`] = `http://127.0.0.1:${base! + i}/graphql`;
      services.push(startService(`carefed ${name}`, 'scripts/subgraph.ts', [name], env, log(name)));
    });
    for (let i = 0; i < SUBGRAPHS.length; i++)
      await waitFor(`carefed ${SUBGRAPHS[i]}`, answers(`http://127.0.0.1:${base! + i}/readyz`));
    services.push(
      startService('carefed gateway', 'gateway/main.ts', [], { ...env, ...urls }, log('gateway')),
    );
    services.push(
      startService('carefed audit:heads', 'scripts/audit-heads.ts', [], env, log('heads')),
    );
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    await waitFor('carefed gateway', answers(`http://127.0.0.1:${gatewayPort}/healthz`));
    if (!(await waitForTasks(adminUrl, BENCH_ACCESS_FACT_TASKS, 60_000)))
      throw new Error('The demo access facts were not delivered within 60 s');
    return { label: 'Carefed', gatewayUrl, services, rolePattern: 'carefed\\_%', stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
