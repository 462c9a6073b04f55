import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../platform/db/embedded.js';

/**
 * The README's promise: `npm start` on a fresh data directory starts an
 * embedded PostgreSQL, the subgraphs and the gateway, prints the gateway URL
 * and a token per role; the printed clinician token reads a patient, no token
 * is refused; SIGTERM shuts everything down.
 */
const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(root, '.data', `npm-start-${process.pid}`);
let child: ChildProcess;
let output = '';
let gatewayUrl = '';
const tokens: Record<string, string> = {};

beforeAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(await freePort(14000)),
    SUBGRAPH_PORT_BASE: String(await freePort(14100)),
    EMBEDDED_PG_PORT: String(await freePort(15432)),
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.NODE_ENV;
  child = spawn('npm', ['start'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 90_000;
  while (!/^payer \S+$/m.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  gatewayUrl = /(http:\/\/localhost:\d+\/graphql)/.exec(output)![1]!;
  for (const m of output.matchAll(/^([a-z]+) (ey\S+)$/gm)) tokens[m[1]!] = m[2]!;
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const post = (token: string | undefined, query: string) =>
  fetch(gatewayUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query }),
  });

describe('npm start', () => {
  it('prints the gateway URL and a token on its own line for every role', () => {
    expect(gatewayUrl).toMatch(/^http:\/\/localhost:\d+\/graphql$/);
    expect(Object.keys(tokens).sort()).toEqual(
      [
        'admin',
        'auditor',
        'billing',
        'clinician',
        'partner',
        'patient',
        'payer',
        'pharmacist',
        'researcher',
        'scheduler',
      ].sort(),
    );
  });

  it('serves a patient to the printed clinician token, on that clinician’s care team', async () => {
    const me = (await (
      await post(tokens.clinician, '{ patients(first: 5) { edges { node { id } } } }')
    ).json()) as {
      data: { patients: { edges: { node: { id: string } }[] } };
    };
    const id = me.data.patients.edges[0]!.node.id;
    const res = await post(
      tokens.clinician,
      `{ patient(id: "${id}") { id name { family } birthDate careTeam { role } } }`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { patient: { id: string; name: { family: string } } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data.patient.id).toBe(id);
    expect(body.data.patient.name.family.length).toBeGreaterThan(0);
  });

  it('binds the printed patient token to that same patient', async () => {
    const res = await post(tokens.patient, '{ me { patient { id name { family } } } }');
    const body = (await res.json()) as { data: { me: { patient: { id: string } } } };
    expect(body.data.me.patient.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses the same query without a token: 401 UNAUTHENTICATED', async () => {
    const res = await post(undefined, '{ patients(first: 1) { edges { node { id } } } }');
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('stops cleanly on SIGTERM, embedded PostgreSQL included', async () => {
    // The whole process group, as a terminal's Ctrl-C or a supervisor would.
    process.kill(-child.pid!, 'SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
      child.once('exit', (c, s) => r([c, s])),
    );
    // npm itself may die of the signal; what matters is that the stack drained and stopped PostgreSQL.
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    const deadline = Date.now() + 15_000;
    while (fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });
});
