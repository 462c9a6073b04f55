import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../platform/identity/principal.js';
import { documentHasNul, valueHasNul } from '../../platform/http/nul-guard.js';
import {
  isPublicAddress,
  resolveChecked,
  resolvesToPublicAddresses,
} from '../../platform/http/public-address.js';
import { post } from '../../platform/webhooks/post.js';
import { checkWebhookUrl } from '../../platform/webhooks/url.js';
import { textPartnerClients } from '../support/clients.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Issue 11, items #6 (webhooks outlive consent), #12 (NUL bytes at the edge)
 * and #20 (the webhook address filter), replayed against the real stack:
 * real HTTP receivers, real SQL, graphile-worker retries sped up with
 * reschedule_jobs.
 */
let t: TestStack;
const servers: http.Server[] = [];
beforeAll(async () => {
  t = await startTestStack(
    'webhooks-edge',
    textPartnerClients([
      'partner-revoked',
      'partner-org-app',
      'partner-purpose-app',
      'partner-ok-app',
      'partner-no-scope',
    ]),
  );
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await t?.stop();
});

interface Receiver {
  url: string;
  port: number;
  /** What the next POSTs are answered with. */
  status: number;
  got: { headers: http.IncomingHttpHeaders; body: string }[];
}

async function receiver(status = 200): Promise<Receiver> {
  const r: Receiver = { url: '', port: 0, status, got: [] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      r.got.push({ headers: req.headers, body });
      res.writeHead(r.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/hooks`;
  return r;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 20_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const partner = (clientId: string, patientId: string, extra: Partial<Principal> = {}) =>
  t.token('partner', {
    clientId,
    patientId,
    scopes: ['system/Subscription.cruds', 'patient/Appointment.rs'],
    ...extra,
  });

async function subscribe(token: string, url: string) {
  const r = await t.gql<{ subscribeWebhook: { id: string } }>(
    token,
    /* GraphQL */ `
      mutation ($url: String!) {
        subscribeWebhook(url: $url, eventTypes: ["appointment.booked"]) {
          id
        }
      }
    `,
    { url },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.subscribeWebhook.id;
}

/** Books the demo practitioner's first free slot 2 to 20 days ahead, as an admin. */
async function book(patientId: string): Promise<string> {
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
      to: new Date(Date.now() + 20 * 86_400_000).toISOString(),
    },
  );
  const r = await t.gql<{ bookAppointment: { id: string } }>(
    admin,
    /* GraphQL */ `
      mutation ($input: BookAppointmentInput!) {
        bookAppointment(input: $input) {
          id
        }
      }
    `,
    {
      input: {
        patientId,
        practitionerId: t.demo.practitionerId,
        start: slots.data!.availableSlots[0]!.start,
        idempotencyKey: `edge-${randomUUID()}`,
      },
    },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.bookAppointment.id;
}

/** The patient records a deny; resolves once scheduling's projection holds it. */
async function deny(patientId: string, provisions: string) {
  const r = await t.gql<{ recordConsent: { id: string } }>(
    await t.token('patient', { patientId }),
    `mutation ($p: ID!) { recordConsent(patientId: $p, input: { scope: patient_privacy,
       provisions: ${provisions} }) { id } }`,
    { p: patientId },
  );
  expect(r.errors).toBeUndefined();
  const id = r.data!.recordConsent.id;
  await waitFor(
    async () =>
      (await t.sql('SELECT 1 FROM scheduling.consent_projection WHERE id = $1', [id])).length > 0,
    'the consent to reach scheduling',
  );
}

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
}
const deliveries = (subscriptionId: string) =>
  t.sql<Delivery>(
    `SELECT id, status, attempts, last_error FROM scheduling.webhook_delivery
      WHERE subscription_id = $1 ORDER BY created_at`,
    [subscriptionId],
  );
const jobs = (keys: string[]) =>
  t.sql<{ id: string; locked: boolean }>(
    `SELECT id, locked_at IS NOT NULL AS locked FROM graphile_worker._private_jobs
      WHERE key = ANY($1::text[])`,
    [keys],
  );
const exportsOf = async (clientId: string) =>
  (
    await t.sql<{ payload: string }>(
      `SELECT payload FROM audit.entry WHERE payload::jsonb ->> 'action' = 'export'
         AND payload::jsonb -> 'actor' ->> 'clientId' = $1 ORDER BY seq`,
      [clientId],
    )
  ).map((e) => JSON.parse(e.payload) as { outcome: string; reason: string; purpose: string });

describe('#6 webhooks end with consent', () => {
  it('#6 drops pending deliveries once the patient denies the app, and refuses its replay', async () => {
    const patientId = t.demo.patientId;
    const end = await receiver(200);
    const sub = await subscribe(await partner('partner-revoked', patientId), end.url);
    await book(patientId);
    await waitFor(async () => (await deliveries(sub))[0]?.status === 'delivered', 'a delivery');
    const [delivered] = await deliveries(sub);

    // The endpoint fails for a while: two more deliveries wait in backoff.
    end.status = 500;
    await book(patientId);
    await book(patientId);
    await waitFor(async () => {
      const ds = await deliveries(sub);
      return ds.length === 3 && ds.slice(1).every((d) => d.attempts === 1);
    }, 'two failed first attempts');
    const pending = (await deliveries(sub)).slice(1);
    await waitFor(
      async () => (await jobs(pending.map((d) => d.id))).every((j) => !j.locked),
      'the retries to wait',
    );
    const sent = end.got.length;

    // Their retries are an hour away; the endpoint recovers; the patient denies the app.
    await t.sql(
      `SELECT graphile_worker.reschedule_jobs(ARRAY(SELECT id FROM graphile_worker._private_jobs
         WHERE key = ANY($1::text[])), now() + interval '1 hour')`,
      [pending.map((d) => d.id)],
    );
    end.status = 200;
    await deny(patientId, '[{ type: deny, actors: [{ kind: client, id: "partner-revoked" }] }]');
    // Dropped when the deny arrives, not at the next attempt.
    await waitFor(
      async () => (await deliveries(sub)).slice(1).every((d) => d.status === 'dropped'),
      'the pending deliveries to be dropped',
    );
    await pause(1500);
    expect(end.got).toHaveLength(sent);
    for (const d of (await deliveries(sub)).slice(1))
      expect(d).toMatchObject({
        status: 'dropped',
        last_error: 'dropped: access refused (consent)',
      });
    expect(await jobs(pending.map((d) => d.id))).toEqual([]);

    // A replay of the delivery made before the deny sends nothing.
    const replay = await t.gql(
      await partner('partner-revoked', patientId),
      'mutation ($id: ID!) { replayWebhookDelivery(id: $id) { id status } }',
      { id: delivered!.id },
    );
    expect(replay.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await pause(1500);
    expect(end.got).toHaveLength(sent);
    expect((await deliveries(sub))[0]).toMatchObject({ id: delivered!.id, status: 'delivered' });

    // Each refusal is audited as a denied export.
    const denied = (await exportsOf('partner-revoked')).filter((e) => e.outcome === 'deny');
    expect(denied.length).toBeGreaterThanOrEqual(3);
    expect(denied.every((e) => e.reason === 'denied:consent')).toBe(true);
  });

  it('#6 decides again at every attempt: a subscriber that may no longer read gets nothing', async () => {
    const patientId = t.demo.otherPatientId;
    const end = await receiver(500);
    const sub = await subscribe(await partner('partner-ok-app', patientId), end.url);
    await book(patientId);
    await waitFor(async () => (await deliveries(sub))[0]?.attempts === 1, 'a failed attempt');
    const [d] = await deliveries(sub);
    await waitFor(async () => (await jobs([d!.id])).every((j) => !j.locked), 'the retry to wait');
    // The subscription's actor loses its read scope (as a row from before actors were stored).
    await t.sql('UPDATE scheduling.webhook_subscription SET actor = NULL WHERE id = $1', [sub]);
    end.status = 200;
    const sent = end.got.length;
    await t.sql(
      `SELECT graphile_worker.reschedule_jobs(ARRAY(SELECT id FROM graphile_worker._private_jobs
         WHERE key = $1), now())`,
      [d!.id],
    );
    await waitFor(async () => (await deliveries(sub))[0]?.status === 'dropped', 'the drop');
    expect((await deliveries(sub))[0]!.last_error).toBe('dropped: access refused (scope)');
    await pause(1000);
    expect(end.got).toHaveLength(sent);
    await t.sql('UPDATE scheduling.webhook_subscription SET active = false WHERE id = $1', [sub]);
  });

  it('#6 decides for the full actor: a deny of the app’s organisation or of its purpose holds', async () => {
    const patientId = t.demo.otherPatientId;
    await deny(
      patientId,
      `[{ type: deny, actors: [{ kind: organization, id: "acme-health-apps" }] },
        { type: deny, actors: [{ kind: client, id: "partner-purpose-app" }], purposes: [PATRQT] }]`,
    );
    const [orgEnd, purposeEnd, okEnd] = [await receiver(), await receiver(), await receiver()];
    const orgSub = await subscribe(
      await partner('partner-org-app', patientId, { organizationId: 'acme-health-apps' }),
      orgEnd.url,
    );
    // A partner acting for a patient uses PATRQT (patient request) unless its token says otherwise.
    const purposeSub = await subscribe(
      await partner('partner-purpose-app', patientId),
      purposeEnd.url,
    );
    await subscribe(await partner('partner-ok-app', patientId), okEnd.url);
    await book(patientId);
    await waitFor(() => okEnd.got.length === 1, 'the permitted app’s delivery');
    await pause(1000);
    expect(orgEnd.got).toHaveLength(0);
    expect(purposeEnd.got).toHaveLength(0);
    expect(await deliveries(orgSub)).toEqual([]);
    expect(await deliveries(purposeSub)).toEqual([]);
    expect((await exportsOf('partner-org-app')).map((e) => e.outcome)).toEqual(['deny']);
    expect(await exportsOf('partner-purpose-app')).toMatchObject([
      { outcome: 'deny', purpose: 'PATRQT' },
    ]);
  });

  it('#6 refuses a subscription from an app that may not read what webhooks carry', async () => {
    const r = await t.gql(
      await t.token('partner', {
        clientId: 'partner-no-scope',
        patientId: t.demo.patientId,
        scopes: ['system/Subscription.cruds'],
      }),
      'mutation { subscribeWebhook(url: "https://example.org/h", eventTypes: ["appointment.booked"]) { id } }',
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('#12 NUL bytes are refused at the edge', () => {
  it('#12 answers BAD_USER_INPUT for a NUL in practitioner(id), availableSlots(facilityId), plans(payerId)', async () => {
    const admin = await t.token('admin');
    const week = {
      from: new Date(Date.now() + 86_400_000).toISOString(),
      to: new Date(Date.now() + 8 * 86_400_000).toISOString(),
    };
    const cases: [string, string, object?][] = [
      ['literal id', '{ practitioner(id: "abc\\u0000def") { id } }'],
      ['variable id', 'query ($id: ID!) { practitioner(id: $id) { id } }', { id: 'a\u0000' }],
      [
        'facilityId',
        'query ($f: ID, $from: DateTimeISO!, $to: DateTimeISO!) { availableSlots(facilityId: $f, from: $from, to: $to) { start } }',
        { f: `${randomUUID()}\u0000`, ...week },
      ],
      ['payerId', 'query ($p: ID) { plans(payerId: $p) { id } }', { p: '\u0000' }],
      [
        'a list',
        'query ($c: [String!]!) { feeSchedule(codes: $c) { code } }',
        { c: ['G0463', 'G\u00000463'] },
      ],
      [
        'a nested input',
        'mutation ($input: BookAppointmentInput!) { bookAppointment(input: $input) { id } }',
        {
          input: {
            patientId: t.demo.patientId,
            practitionerId: t.demo.practitionerId,
            start: week.from,
            idempotencyKey: 'key\u0000',
          },
        },
      ],
    ];
    for (const [what, query, variables] of cases) {
      const r = await t.gql(admin, query, variables);
      expect(r.errors?.[0]?.extensions?.code, what).toBe('BAD_USER_INPUT');
      expect(r.status, what).toBe(400);
    }
  });

  it('#12 the plugin every subgraph runs finds NUL in literals, block strings, lists, inputs and keys', () => {
    expect(documentHasNul(parse('{ a(id: "x\\u0000") }'))).toBe(true);
    expect(documentHasNul(parse('{ a(ids: ["ok", "x\\u0000"]) }'))).toBe(true);
    expect(documentHasNul(parse('{ a(input: { b: { c: "\\u0000" } }) }'))).toBe(true);
    expect(documentHasNul(parse('{ a(id: "fine") }'))).toBe(false);
    expect(valueHasNul({ a: [{ b: ['ok', 'x\u0000'] }] })).toBe(true);
    expect(valueHasNul({ 'k\u0000': 1 })).toBe(true);
    expect(valueHasNul({ a: [1, null, true, { b: 'ok' }] })).toBe(false);
  });
});

describe('#20 the webhook address filter', () => {
  it('#20 refuses IPv4-compatible, mapped, NAT64 and 6to4 forms of internal addresses', async () => {
    for (const url of [
      'https://[::7f00:1]/',
      'https://[::127.0.0.1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:a00:1]/',
      'https://[64:ff9b::7f00:1]/',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://[2002:7f00:1::1]/',
      'https://[2002:a00:1::]/',
      'https://[2001:0:4136:e378::1]/',
      'https://[::]/',
      'https://0x7f000001/',
    ]) {
      const host = new URL(checkWebhookUrl(url, true)).hostname;
      expect(await resolvesToPublicAddresses(host), url).toBe(false);
    }
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
  });

  it('#20 checks every resolved address, then connects to a checked one without resolving again', async () => {
    // A name answering with one public and one internal address is refused as a whole.
    const rebinding = () =>
      Promise.resolve([
        { address: '93.184.215.14', family: 4 as const },
        { address: '127.0.0.1', family: 4 as const },
      ]);
    expect(await resolveChecked('hooks.example', true, rebinding)).toBeNull();
    // The POST goes to the address that was checked: a name no resolver knows still arrives.
    const end = await receiver(204);
    const outcome = await post(
      `http://rebind.invalid:${end.port}/hooks`,
      [{ address: '127.0.0.1', family: 4 }],
      '{}',
      { 'content-type': 'application/json' },
      5000,
    );
    expect(outcome).toMatchObject({ ok: true, status: 204 });
    expect(end.got[0]!.headers.host).toBe(`rebind.invalid:${end.port}`);
  });
});
