import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceRoleUrl } from '../../platform/db/provision.js';
import { loadServiceKeys } from '../../platform/crypto/service-keys.js';
import { loadInternalVerifier } from '../../platform/identity/service-keys.js';
import {
  startSchedulingSubgraph,
  type SchedulingSubgraph,
} from '../../subgraphs/scheduling/server.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { textPartnerClients } from '../support/clients.js';

/**
 * Partner webhooks through the whole stack: a real HTTP receiver checks every
 * delivery's HMAC with the secret subscribeWebhook returned; a failing
 * endpoint is retried (graphile-worker backoff, sped up here with
 * reschedule_jobs) and then marked failed; a pending delivery survives the
 * scheduling service stopping and completes once it is back; replays and
 * lists are per partner app.
 */
let t: TestStack;
let restarted: SchedulingSubgraph | undefined;
const receivers: Receiver[] = [];
beforeAll(async () => {
  t = await startTestStack(
    'webhooks',
    textPartnerClients([
      'partner-demo-app',
      'partner-other-app',
      'partner-blocked',
      'partner-allowed',
    ]),
  );
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await restarted?.stop();
  await t?.stop();
});

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}
interface Receiver {
  url: string;
  port: number;
  got: Received[];
  close(): Promise<void>;
}

/** A partner endpoint on 127.0.0.1 answering `status` to every POST. */
async function receiver(status: number, port = 0): Promise<Receiver> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'text/plain' }).end('RECEIVER-BODY-NOT-LOGGED');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  const r: Receiver = {
    url: `http://127.0.0.1:${bound}/hooks/carefed`,
    port: bound,
    got,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  receivers.push(r);
  return r;
}

/** What a partner does: recompute HMAC-SHA256(secret, t + "." + raw body) and compare. */
function verifies(secret: string, r: Received): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['carefed-signature']));
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${r.body}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(m[1])) < 300;
  return fresh && timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const partner = (clientId = 'partner-demo-app', patientId = t.demo.patientId) =>
  t.token('partner', {
    clientId,
    patientId,
    // Deliveries disclose appointments: the app must be able to read them (issue 11, #6).
    scopes: ['system/Subscription.cruds', 'patient/Appointment.rs'],
  });

async function subscribe(token: string, url: string, eventTypes: string[]) {
  const r = await t.gql<{ subscribeWebhook: { id: string; secret: string } }>(
    token,
    /* GraphQL */ `
      mutation ($url: String!, $types: [String!]!) {
        subscribeWebhook(url: $url, eventTypes: $types) {
          id
          secret
        }
      }
    `,
    { url, types: eventTypes },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.subscribeWebhook;
}

/** Books the practitioner's first free slot two to nine days ahead, as an admin. */
async function book(patientId: string): Promise<{ id: string; start: string }> {
  const admin = await t.token('admin');
  const slots = await t.gql<{ availableSlots: { start: string }[] }>(
    admin,
    /* GraphQL */ `
      query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
        availableSlots(practitionerId: $p, from: $from, to: $to, first: 1) {
          start
        }
      }
    `,
    {
      p: t.demo.practitionerId,
      from: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 9 * 86_400_000).toISOString(),
    },
  );
  const start = slots.data!.availableSlots[0]!.start;
  const r = await t.gql<{ bookAppointment: { id: string; start: string } }>(
    admin,
    /* GraphQL */ `
      mutation ($input: BookAppointmentInput!) {
        bookAppointment(input: $input) {
          id
          start
        }
      }
    `,
    {
      input: {
        patientId,
        practitionerId: t.demo.practitionerId,
        start,
        idempotencyKey: `wh-${randomUUID()}`,
      },
    },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.bookAppointment;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
}
const deliveries = (subscriptionId: string) =>
  t.sql<DeliveryRow>(
    `SELECT id, event_id, event_type, status, attempts, last_status, last_error
     FROM scheduling.webhook_delivery WHERE subscription_id = $1 ORDER BY created_at`,
    [subscriptionId],
  );
const jobOf = async (deliveryId: string) =>
  (
    await t.sql<{ id: string; attempts: number; wait_s: number; locked: boolean }>(
      `SELECT id, attempts, extract(epoch FROM run_at - now())::float8 AS wait_s,
         locked_at IS NOT NULL AS locked
       FROM graphile_worker._private_jobs WHERE key = $1`,
      [deliveryId],
    )
  )[0];
/** Runs a waiting retry now instead of after its backoff (and caps its attempts). */
const runNow = (jobId: string, maxAttempts?: number) =>
  t.sql('SELECT graphile_worker.reschedule_jobs(ARRAY[$1::bigint], now(), max_attempts => $2)', [
    jobId,
    maxAttempts ?? null,
  ]);

const DELIVERIES = /* GraphQL */ `
  query ($first: Int, $after: String) {
    webhookDeliveries(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          subscriptionId
          eventId
          eventType
          status
          attempts
          lastStatus
          lastError
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
type DeliveryNode = { id: string; subscriptionId: string; status: string; attempts: number };
type DeliveryPage = {
  webhookDeliveries: {
    edges: { cursor: string; node: DeliveryNode }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};
const REPLAY = /* GraphQL */ `
  mutation ($id: ID!) {
    replayWebhookDelivery(id: $id) {
      id
      status
      attempts
    }
  }
`;

let ownSub: { id: string; secret: string };
let ownReceiver: Receiver;
let ownDeliveryId: string;

describe('partner webhooks', () => {
  it('deliver appointment events signed with the partner’s secret, only for its patient', async () => {
    ownReceiver = await receiver(200);
    ownSub = await subscribe(await partner(), ownReceiver.url, [
      'appointment.booked',
      'appointment.cancelled',
    ]);
    expect(ownSub.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const [stored] = await t.sql<{ secret: string; client_id: string }>(
      'SELECT secret, client_id FROM scheduling.webhook_subscription WHERE id = $1',
      [ownSub.id],
    );
    expect(stored!.client_id).toBe('partner-demo-app');
    expect(stored!.secret).not.toContain(ownSub.secret.slice(6));

    const appt = await book(t.demo.patientId);
    await waitFor(() => ownReceiver.got.length === 1, 'the booking delivery');
    const [req] = ownReceiver.got;
    expect(verifies(ownSub.secret, req!)).toBe(true);
    expect(verifies(`${ownSub.secret}x`, req!)).toBe(false);
    expect(verifies(ownSub.secret, { ...req!, body: `${req!.body} ` })).toBe(false);
    const body = JSON.parse(req!.body) as {
      id: string;
      event: { id: string; type: string; aggregateId: string; data: Record<string, unknown> };
    };
    expect(req!.headers['carefed-delivery-id']).toBe(body.id);
    expect(req!.headers['carefed-event-type']).toBe('appointment.booked');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(body.event).toMatchObject({
      type: 'appointment.booked',
      aggregateId: appt.id,
      data: { appointmentId: appt.id, patientId: t.demo.patientId, status: 'booked' },
    });
    ownDeliveryId = body.id;
    await waitFor(
      async () => (await deliveries(ownSub.id))[0]?.status === 'delivered',
      'the delivered mark',
    );
    expect((await deliveries(ownSub.id))[0]).toMatchObject({
      id: body.id,
      event_id: body.event.id,
      attempts: 1,
      last_status: 200,
      last_error: null,
    });

    // Another patient's booking: fanned out (inbox row) but not to this patient-bound subscription.
    const other = await book(t.demo.otherPatientId);
    await waitFor(
      async () =>
        (
          await t.sql(
            `SELECT 1 FROM scheduling.inbox i JOIN scheduling.outbox o ON o.id = i.event_id
             WHERE i.consumer = 'scheduling:webhooks' AND o.aggregate_id = $1`,
            [other.id],
          )
        ).length === 1,
      'the fan-out of the other booking',
    );
    expect(await deliveries(ownSub.id)).toHaveLength(1);
    expect(t.logs()).not.toContain(ownSub.secret);
    expect(t.logs()).not.toContain('RECEIVER-BODY-NOT-LOGGED');
  });

  it('retry a failing endpoint with backoff, then mark the delivery failed', async () => {
    const failing = await receiver(500);
    const admin = await t.token('admin');
    const sub = await subscribe(admin, failing.url, ['appointment.booked']);
    await book(t.demo.otherPatientId);
    await waitFor(async () => (await deliveries(sub.id))[0]?.attempts === 1, 'the first attempt');
    const [first] = await deliveries(sub.id);
    expect(first).toMatchObject({ status: 'pending', last_status: 500, last_error: 'HTTP 500' });
    // graphile-worker holds the retry back (exp(1) ≈ 2.7 s after the first failure).
    await waitFor(async () => (await jobOf(first!.id))?.locked === false, 'the job released');
    const job = await jobOf(first!.id);
    expect(job!.attempts).toBe(1);
    expect(job!.wait_s).toBeGreaterThan(0);

    await waitFor(async () => {
      const [d] = await deliveries(sub.id);
      if (d?.status === 'failed') return true;
      const j = await jobOf(first!.id);
      if (j && !j.locked) await runNow(j.id, 3);
      return false;
    }, 'the delivery to fail');
    expect((await deliveries(sub.id))[0]).toMatchObject({
      status: 'failed',
      attempts: 3,
      last_status: 500,
      last_error: 'HTTP 500',
    });
    // Marked failed on the last attempt, not left as a dead job.
    expect(await jobOf(first!.id)).toBeUndefined();
    expect(failing.got).toHaveLength(3);
    for (const req of failing.got) expect(verifies(sub.secret, req)).toBe(true);
    const off = await t.gql<{ unsubscribeWebhook: { active: boolean } }>(
      admin,
      'mutation ($id: ID!) { unsubscribeWebhook(id: $id) { active } }',
      { id: sub.id },
    );
    expect(off.data?.unsubscribeWebhook.active).toBe(false);
  });

  it('lists and replays only the calling app’s deliveries', async () => {
    const mine = await t.gql<DeliveryPage>(await partner(), DELIVERIES, { first: 10 });
    expect(mine.errors).toBeUndefined();
    const nodes = mine.data!.webhookDeliveries.edges.map((e) => e.node);
    expect(nodes.map((n) => n.id)).toEqual([ownDeliveryId]);
    expect(nodes[0]).toMatchObject({ subscriptionId: ownSub.id, status: 'delivered' });

    const other = await partner('partner-other-app', t.demo.otherPatientId);
    const theirs = await t.gql<DeliveryPage>(other, DELIVERIES, { first: 10 });
    expect(theirs.data!.webhookDeliveries.edges).toEqual([]);
    const stolen = await t.gql(other, REPLAY, { id: ownDeliveryId });
    expect(stolen.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const before = ownReceiver.got.length;
    const again = await t.gql<{ replayWebhookDelivery: DeliveryNode }>(await partner(), REPLAY, {
      id: ownDeliveryId,
    });
    expect(again.data?.replayWebhookDelivery).toMatchObject({ status: 'pending', attempts: 1 });
    await waitFor(() => ownReceiver.got.length === before + 1, 'the replay');
    const replayed = ownReceiver.got.at(-1)!;
    expect(replayed.headers['carefed-delivery-id']).toBe(ownDeliveryId);
    expect(verifies(ownSub.secret, replayed)).toBe(true);
    await waitFor(
      async () => (await deliveries(ownSub.id))[0]?.status === 'delivered',
      'the replay mark',
    );
    expect((await deliveries(ownSub.id))[0]!.attempts).toBe(2);
  });

  it('refuse callers without an app-level Subscription scope, and bad input', async () => {
    const cases: [string, Promise<string>][] = [
      ['partner without the scope', t.token('partner', { patientId: t.demo.patientId })],
      [
        'partner with a patient/ scope only',
        t.token('partner', { patientId: t.demo.patientId, scopes: ['patient/Subscription.cruds'] }),
      ],
      ['clinician', t.token('clinician', { practitionerId: t.demo.practitionerId })],
      ['patient', t.token('patient', { patientId: t.demo.patientId })],
    ];
    for (const [who, token] of cases) {
      const r = await t.gql(
        await token,
        'mutation { subscribeWebhook(url: "https://example.org/h", eventTypes: ["appointment.booked"]) { id } }',
      );
      expect(r.errors?.[0]?.extensions?.code, who).toBe('FORBIDDEN');
      const list = await t.gql(await token, '{ webhookDeliveries { edges { cursor } } }');
      expect(list.errors?.[0]?.extensions?.code, who).toBe('FORBIDDEN');
    }
    const p = await partner();
    for (const [url, types] of [
      ['ftp://127.0.0.1/h', ['appointment.booked']],
      ['http://user:pw@127.0.0.1/h', ['appointment.booked']],
      ['not a url', ['appointment.booked']],
      ['https://example.org/h', ['patient.read']],
      ['https://example.org/h', []],
    ] as const) {
      const r = await t.gql(
        p,
        'mutation ($u: String!, $e: [String!]!) { subscribeWebhook(url: $u, eventTypes: $e) { id } }',
        { u: url, e: types },
      );
      expect(r.errors?.[0]?.extensions?.code, url).toBe('BAD_USER_INPUT');
    }
  });

  it('disclose nothing to an app the patient’s consent denies, and audit each disclosure or refusal', async () => {
    const patientToken = await t.token('patient', { patientId: t.demo.patientId });
    const consent = await t.gql<{ recordConsent: { id: string } }>(
      patientToken,
      `mutation ($p: ID!) { recordConsent(patientId: $p, input: { scope: patient_privacy,
         provisions: [{ type: deny, actors: [{ kind: client, id: "partner-blocked" }] }] }) { id } }`,
      { p: t.demo.patientId },
    );
    expect(consent.errors).toBeUndefined();
    await waitFor(
      async () =>
        (
          await t.sql('SELECT 1 FROM scheduling.consent_projection WHERE id = $1', [
            consent.data!.recordConsent.id,
          ])
        ).length > 0,
      'the consent to reach scheduling',
    );
    const blockedEnd = await receiver(200);
    const allowedEnd = await receiver(200);
    const blocked = await subscribe(await partner('partner-blocked'), blockedEnd.url, [
      'appointment.booked',
    ]);
    const allowed = await subscribe(await partner('partner-allowed'), allowedEnd.url, [
      'appointment.booked',
    ]);
    const appointment = await book(t.demo.patientId);
    await waitFor(() => allowedEnd.got.length > 0, 'the allowed app’s delivery');
    expect(await deliveries(blocked.id)).toHaveLength(0);
    expect(blockedEnd.got).toHaveLength(0);
    const exports = await t.sql<{ payload: string }>(
      `SELECT payload FROM audit.entry WHERE payload::jsonb ->> 'action' = 'export' AND payload::jsonb ->> 'resourceId' = $1`,
      [appointment.id],
    );
    const outcomes = exports.map(
      (e) => JSON.parse(e.payload) as { outcome: string; actor: { clientId: string } },
    );
    expect(outcomes.find((o) => o.actor.clientId === 'partner-blocked')?.outcome).toBe('deny');
    expect(outcomes.find((o) => o.actor.clientId === 'partner-allowed')?.outcome).toBe('permit');
    expect(verifies(allowed.secret, allowedEnd.got[0]!)).toBe(true);
  });

  it('lose nothing when the scheduling service stops with a delivery pending', async () => {
    const down = await receiver(200);
    await down.close(); // the partner is unreachable: connections are refused
    const sub = await subscribe(await t.token('admin'), down.url, ['appointment.booked']);
    await book(t.demo.patientId);
    await waitFor(async () => (await deliveries(sub.id))[0]?.attempts === 1, 'the first attempt');
    const [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'pending', last_status: null });
    expect(d!.last_error).toMatch(/^connection failed/);
    await waitFor(async () => (await jobOf(d!.id))?.locked === false, 'the job released');

    // The service (its worker with it) stops; the partner comes back meanwhile.
    await t.stack.subgraph('scheduling').stop();
    const back = await receiver(200, down.port);
    await runNow((await jobOf(d!.id))!.id);
    await new Promise((r) => setTimeout(r, 1500));
    expect(back.got).toHaveLength(0);
    expect((await deliveries(sub.id))[0]!.status).toBe('pending');

    const keys = loadServiceKeys(t.config);
    restarted = await startSchedulingSubgraph({
      config: t.config,
      keys,
      databaseUrl: serviceRoleUrl(
        t.stack.adminUrl,
        t.config.DB_ROLE_PREFIX,
        'scheduling',
        keys.dbRoleKey,
      ),
      port: t.stack.subgraph('scheduling').port,
      log: t.stack.log,
      verifier: await loadInternalVerifier(t.config),
    });
    await waitFor(() => back.got.length === 1, 'the delivery after the restart');
    expect(verifies(sub.secret, back.got[0]!)).toBe(true);
    expect(back.got[0]!.headers['carefed-delivery-id']).toBe(d!.id);
    await waitFor(
      async () => (await deliveries(sub.id))[0]?.status === 'delivered',
      'the delivered mark',
    );
    expect((await deliveries(sub.id))[0]!.attempts).toBe(2);
  });
});
