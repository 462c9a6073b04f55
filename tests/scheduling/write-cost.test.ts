import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceKeys } from '../../platform/crypto/service-keys.js';
import { subgraphLoginUrl } from '../../platform/db/provision.js';
import { devPrincipal } from '../../platform/identity/dev-principal.js';
import type { Principal } from '../../platform/identity/principal.js';
import { createLogger } from '../../platform/log/index.js';
import { createSchedulingContext } from '../../subgraphs/scheduling/context.js';
import { openSchedulingStore } from '../../subgraphs/scheduling/server.js';
import { bookAppointment, transition } from '../../subgraphs/scheduling/store/booking.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * What one write costs in SQL: a booking and its cancellation by the front
 * desk, run through the scheduling store's own write path (the one the
 * resolvers call) on a store of this test's own, whose every statement is
 * recorded. No event worker runs on it, so the count is the write's alone.
 * Before (issue 12): 15 for the booking, 14 for the cancellation.
 */
let t: TestStack;
let store: Awaited<ReturnType<typeof openSchedulingStore>>;
let statements: string[] = [];
const log = createLogger({ name: 'write-cost', level: 'silent' });

beforeAll(async () => {
  t = await startTestStack('sched-write-cost', { AUDIT_HEAD_INTERVAL: '3600' });
  const keys = loadServiceKeys(t.config, 'scheduling');
  const databaseUrl = subgraphLoginUrl(t.config, 'scheduling', () => keys.dbRoleKey)!;
  store = await openSchedulingStore({ keys, databaseUrl, config: t.config }, (line) =>
    statements.push(line.replace(/^\[query\] /, '').replace(/\s+/g, ' ')),
  );
}, 120_000);
afterAll(async () => {
  await store?.orm.close();
  await t?.stop();
});

function contextOf(principal: Principal) {
  return createSchedulingContext(
    { principal, requestId: randomUUID(), em: store.orm.em.fork(), log, now: new Date() },
    store.services,
  );
}

/** Runs `fn` and returns the statements it sent. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  statements = [];
  const result = await fn();
  const sql = statements;
  statements = [];
  return { result, sql };
}

async function freeSlot(practitionerId: string): Promise<Date> {
  const admin = await t.token('admin');
  const r = await t.gql<{ availableSlots: { start: string }[] }>(
    admin,
    /* GraphQL */ `
      query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
        availableSlots(practitionerId: $p, from: $from, to: $to, first: 1) {
          start
        }
      }
    `,
    {
      p: practitionerId,
      from: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 33 * 86_400_000).toISOString(),
    },
  );
  expect(r.errors).toBeUndefined();
  return new Date(r.data!.availableSlots[0]!.start);
}

describe('a scheduler books, then cancels', () => {
  it('costs few statements per write, and each write leaves all its rows', async () => {
    const scheduler = devPrincipal('scheduler');
    const { patientId, practitionerId } = t.demo;
    const start = await freeSlot(practitionerId);

    const book = await counted(() =>
      bookAppointment(contextOf(scheduler), {
        patientId,
        practitionerId,
        start,
        idempotencyKey: `cost-book-${randomUUID()}`,
      }),
    );
    const id = book.result.id;
    console.log(`book: ${book.sql.length} statements\n  ${book.sql.join('\n  ')}`);

    const cancel = await counted(() =>
      transition(contextOf(scheduler), id, 'cancelled', `cost-cancel-${randomUUID()}`),
    );
    console.log(`cancel: ${cancel.sql.length} statements\n  ${cancel.sql.join('\n  ')}`);
    expect(book.result.status).toBe('booked');
    expect(cancel.result.status).toBe('cancelled');
    expect(cancel.result.version).toBe(2);

    // The booking reads the practitioner and its schedules (outside the transaction); the
    // cancellation reads the appointment (whose patient the decision needs). Then one
    // transaction each: the facts lock with the key claim (and, for a change, the row
    // locked), the decision's facts, and one statement with the rows, the version, the
    // outbox row and jobs, the claim's completion and the audit entry.
    for (const [w, reads] of [
      [book, 2],
      [cancel, 1],
    ] as const) {
      const inTx = w.sql.slice(reads);
      expect(inTx[0]).toBe('begin');
      expect(inTx.at(-1)).toBe('commit');
      expect(inTx.length).toBe(5);
      expect(inTx[1]).toMatch(
        /pg_advisory_xact_lock_shared.*INSERT INTO "scheduling".idempotency_key/,
      );
      expect(inTx[3]).toMatch(
        /appointment_version.*outbox.*graphile_worker\.add_job.*idempotency_key.*INSERT INTO audit\.intake \(payload\)/,
      );
    }
    expect(cancel.sql[2]).toMatch(/FROM scheduling\.appointment WHERE id = .* FOR UPDATE/);
    expect(book.sql.length).toBe(7);
    expect(cancel.sql.length).toBe(6);

    // Each write left its version, its event (outbox row and jobs) and its audit entry.
    const versions = await t.sql<{ version: number; status: string }>(
      'SELECT version, status FROM scheduling.appointment_version WHERE appointment_id = $1 ORDER BY version',
      [id],
    );
    expect(versions).toEqual([
      { version: 1, status: 'booked' },
      { version: 2, status: 'cancelled' },
    ]);
    const events = await t.sql<{ type: string }>(
      'SELECT type FROM scheduling.outbox WHERE aggregate_id = $1 ORDER BY occurred_at, type',
      [id],
    );
    expect(events.map((e) => e.type).sort()).toEqual([
      'appointment.booked',
      'appointment.cancelled',
    ]);
    const audits = await t.sql<{ action: string; outcome: string }>(
      `SELECT payload::jsonb ->> 'action' AS action, payload::jsonb ->> 'outcome' AS outcome
         FROM audit.entry WHERE payload::jsonb ->> 'resourceId' = $1 ORDER BY seq`,
      [id],
    );
    expect(audits).toEqual([
      { action: 'create', outcome: 'permit' },
      { action: 'update', outcome: 'permit' },
    ]);
    // The jobs were enqueued: the running stack's worker delivers both events.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const seen = await t.sql<{ type: string }>(
        `SELECT o.type FROM scheduling.outbox o JOIN scheduling.inbox i ON i.event_id = o.id
          WHERE o.aggregate_id = $1 AND i.consumer = 'scheduling:webhooks' ORDER BY o.type`,
        [id],
      );
      if (seen.length === 2) break;
      if (Date.now() > deadline) throw new Error(`events not delivered: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
