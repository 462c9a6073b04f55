import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../platform/db/embedded.js';
import { devPrincipal } from '../../platform/identity/dev-issuer.js';
import { InternalTokenSigner } from '../../platform/identity/internal-token.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The scheduling subgraph is killed (SIGKILL) after its booking transaction
 * commits and before it answers; the client retries with the same
 * idempotency key against the restarted service and gets the same
 * appointment: one appointment, one audited creation, one event.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
let t: TestStack;
let port: number;
let child: ChildProcess | undefined;

beforeAll(async () => {
  t = await startTestStack('crash');
  port = await freePort(16100);
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  await t?.stop();
});

/** Starts the scheduling subgraph alone in a child process, as a container would run it. */
async function startChild(fault?: string): Promise<ChildProcess> {
  const proc = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'scripts/subgraph.ts', 'scheduling'],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: t.db.url,
        DATA_DIR: t.config.dataDir,
        DB_ROLE_PREFIX: t.config.DB_ROLE_PREFIX,
        SUBGRAPH_PORT_BASE: String(port - 1),
        LOG_LEVEL: 'warn',
        ACCESS_FACTS_MAX_LAG_MS: String(t.config.ACCESS_FACTS_MAX_LAG_MS),
        ...(fault ? { CAREFED_FAULT: fault } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`scheduling subgraph exited early:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return proc;
    if (Date.now() > deadline) throw new Error(`scheduling subgraph did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const BOOK = /* GraphQL */ `
  mutation ($input: BookAppointmentInput!) {
    bookAppointment(input: $input) {
      id
      status
      start
    }
  }
`;

describe('a crash after commit, before the reply', () => {
  it('leaves exactly one appointment, one audit entry and one event after the client retries', async () => {
    const admin = await t.token('admin');
    const from = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 9 * 86_400_000).toISOString();
    const slots = await t.gql<{ availableSlots: { start: string }[] }>(
      admin,
      `{ availableSlots(practitionerId: "${t.demo.practitionerId}", from: "${from}", to: "${to}", first: 1) { start } }`,
    );
    const start = slots.data!.availableSlots[0]!.start;
    const input = {
      patientId: t.demo.patientId,
      practitionerId: t.demo.practitionerId,
      start,
      idempotencyKey: 'crash-test-key-0001',
    };

    const signer = await InternalTokenSigner.load(t.config.keysDir);
    const call = async () =>
      fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-carefed-internal': await signer.sign(devPrincipal('scheduler'), {
            requestId: `crash-${Date.now()}`,
            subgraph: 'scheduling',
            operation: { query: BOOK, variables: { input } },
          }),
        },
        body: JSON.stringify({ query: BOOK, variables: { input } }),
      });

    child = await startChild('after-commit:bookAppointment');
    const exited = new Promise<string | null>((r) =>
      child!.once('exit', (_c, signal) => r(signal)),
    );
    const first = await call().then(
      (r) => `answered ${r.status}`,
      (err: Error) => `no answer (${err.message})`,
    );
    expect(first).toMatch(/^no answer/);
    expect(await exited).toBe('SIGKILL');

    const [{ n: committed }] = (await t.sql<{ n: string }>(
      'select count(*) n from scheduling.appointment where patient_id = $1 and starts_at = $2',
      [t.demo.patientId, start],
    )) as [{ n: string }];
    expect(Number(committed)).toBe(1);

    child = await startChild();
    const retry = await call();
    const body = (await retry.json()) as {
      data: { bookAppointment: { id: string; status: string } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    const id = body.data.bookAppointment.id;
    expect(body.data.bookAppointment.status).toBe('booked');

    const count = async (sql: string, params: unknown[]) =>
      Number((await t.sql<{ n: string }>(sql, params))[0]!.n);
    expect(
      await count(
        'select count(*) n from scheduling.appointment where patient_id = $1 and starts_at = $2',
        [t.demo.patientId, start],
      ),
    ).toBe(1);
    expect(
      await count(
        `select count(*) n from audit.entry where payload::jsonb ->> 'resourceId' = $1 and payload::jsonb ->> 'action' = 'create'`,
        [id],
      ),
    ).toBe(1);
    expect(
      await count(
        `select count(*) n from scheduling.outbox where aggregate_id = $1 and type = 'appointment.booked'`,
        [id],
      ),
    ).toBe(1);
  });
});
