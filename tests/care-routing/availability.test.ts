import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WITH_FACILITIES, startTestStack, type TestStack } from '../support/stack.js';

/**
 * A facility's next free slot is care routing's projection of scheduling's
 * events: the demo seed's schedules reach it as `schedule.changed`, and a
 * booking or cancellation in scheduling moves it through the appointment
 * events (never a read of scheduling's tables).
 */
let t: TestStack;
let scheduler: string;
beforeAll(async () => {
  t = await startTestStack('availability', WITH_FACILITIES);
  scheduler = await t.token('scheduler');
});
afterAll(() => t?.stop());

interface Slot {
  start: string;
  end: string;
  practitionerId: string;
}

/** The facility the directory seed linked a demo Location to (care routing resolves Location ids). */
async function facilityOf(locationId: string): Promise<string> {
  const r = await t.gql<{ facility: { id: string; locationIds: string[] } | null }>(
    scheduler,
    'query ($id: ID!) { facility(id: $id) { id locationIds } }',
    { id: locationId },
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.facility?.locationIds).toContain(locationId);
  return r.data!.facility!.id;
}

const FACILITY = /* GraphQL */ `
  query ($id: ID!) {
    facility(id: $id) {
      id
      locationIds
      specialties
      nextAvailable {
        start
        end
        specialty
        practitioner {
          id
          name {
            family
          }
        }
      }
    }
  }
`;
interface FacilityView {
  id: string;
  locationIds: string[];
  specialties: string[];
  nextAvailable: {
    start: string;
    end: string;
    specialty: string | null;
    practitioner: { id: string; name: { family: string } };
  } | null;
}

async function facility(id: string): Promise<FacilityView> {
  const r = await t.gql<{ facility: FacilityView }>(scheduler, FACILITY, { id });
  expect(r.errors).toBeUndefined();
  return r.data!.facility;
}

/** Scheduling's own earliest free slot at any of these Locations (ties: practitioner id). */
async function schedulingsNext(locationIds: readonly string[]): Promise<Slot> {
  const from = new Date().toISOString();
  const to = new Date(Date.now() + 31 * 86_400_000).toISOString();
  const firsts: Slot[] = [];
  for (const facilityId of locationIds) {
    const r = await t.gql<{ availableSlots: Slot[] }>(
      scheduler,
      /* GraphQL */ `
        query ($f: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
          availableSlots(facilityId: $f, from: $from, to: $to, first: 1) {
            start
            end
            practitionerId
          }
        }
      `,
      { f: facilityId, from, to },
    );
    expect(r.errors).toBeUndefined();
    firsts.push(...r.data!.availableSlots);
  }
  firsts.sort((a, b) =>
    a.start === b.start
      ? a.practitionerId.localeCompare(b.practitionerId)
      : a.start.localeCompare(b.start),
  );
  return firsts[0]!;
}

/** Polls care routing until the facility's next slot is `want`'s (the events are asynchronous). */
async function untilNext(facilityId: string, want: Slot): Promise<FacilityView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const f = await facility(facilityId);
    const n = f.nextAvailable;
    if (
      n &&
      Date.parse(n.start) === Date.parse(want.start) &&
      n.practitioner.id === want.practitionerId
    )
      return f;
    if (Date.now() > deadline)
      throw new Error(
        `care routing's next slot stayed ${JSON.stringify(n)}, not ${JSON.stringify(want)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

const MOVE = (op: string) => /* GraphQL */ `
  mutation ($id: ID!, $k: String!) {
    ${op}(id: $id, idempotencyKey: $k) {
      id
      status
    }
  }
`;

describe('the next free slot of a facility', () => {
  it('receives every schedule the demo seed made, with its practitioner’s specialties', async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await t.sql<{ seeded: string; projected: string }>(
        `SELECT (SELECT count(*) FROM scheduling.schedule) AS seeded,
                (SELECT count(*) FROM routing.schedule_projection sp
                   JOIN scheduling.schedule s ON s.id = sp.schedule_id
                   JOIN scheduling.practitioner p ON p.id = s.practitioner_id
                  WHERE sp.location_id = s.facility_id AND sp.time_zone = s.time_zone
                    AND sp.slot_minutes = s.slot_minutes AND sp.weekly = s.weekly
                    AND sp.specialties = p.specialties AND sp.version = s.version
                    AND sp.active = (s.active AND p.active)) AS projected`,
      );
      if (Number(row!.seeded) > 0 && row!.projected === row!.seeded) break;
      if (Date.now() > deadline) throw new Error(`schedules projected: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('moves when a slot is booked in scheduling, and comes back when it is cancelled', async () => {
    const [schedule] = await t.sql<{ facility_id: string }>(
      'SELECT facility_id FROM scheduling.schedule WHERE practitioner_id = $1 ORDER BY id LIMIT 1',
      [t.demo.practitionerId],
    );
    const facilityId = await facilityOf(schedule!.facility_id);

    const before = await facility(facilityId);
    expect(before.locationIds).toContain(schedule!.facility_id);
    expect(before.specialties).toContain('General Practice Physician');
    const first = await schedulingsNext(before.locationIds);
    const seen = await untilNext(facilityId, first);
    expect(seen.nextAvailable).toMatchObject({
      end: first.end,
      specialty: 'General Practice Physician',
    });
    // The practitioner is scheduling's, resolved through the gateway.
    expect(seen.nextAvailable!.practitioner.name.family).toMatch(/\S/);

    const booked = await t.gql<{ bookAppointment: { id: string; status: string } }>(
      scheduler,
      /* GraphQL */ `
        mutation ($i: BookAppointmentInput!) {
          bookAppointment(input: $i) {
            id
            status
          }
        }
      `,
      {
        i: {
          patientId: t.demo.patientId,
          practitionerId: first.practitionerId,
          start: first.start,
          idempotencyKey: `avail-${randomUUID()}`,
        },
      },
    );
    expect(booked.errors).toBeUndefined();
    expect(booked.data!.bookAppointment.status).toBe('booked');

    // Scheduling's next free slot now is the following one; care routing follows it.
    const following = await schedulingsNext(before.locationIds);
    expect(following).not.toEqual(first);
    expect(Date.parse(following.start)).toBeGreaterThanOrEqual(Date.parse(first.start));
    await untilNext(facilityId, following);
    const [heldRow] = await t.sql<{ holds: boolean }>(
      'SELECT holds FROM routing.held_time WHERE appointment_id = $1',
      [booked.data!.bookAppointment.id],
    );
    expect(heldRow).toEqual({ holds: true });

    const cancelled = await t.gql<{ cancelAppointment: { status: string } }>(
      scheduler,
      MOVE('cancelAppointment'),
      { id: booked.data!.bookAppointment.id, k: `avail-${randomUUID()}` },
    );
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelAppointment.status).toBe('cancelled');
    await untilNext(facilityId, first);
  });

  it('filters by specialty, ignoring case, and refuses an empty one', async () => {
    const [schedule] = await t.sql<{ facility_id: string }>(
      'SELECT facility_id FROM scheduling.schedule WHERE practitioner_id = $1 ORDER BY id LIMIT 1',
      [t.demo.practitionerId],
    );
    const facilityId = await facilityOf(schedule!.facility_id);
    const q = /* GraphQL */ `
      query ($id: ID!, $s: String) {
        facility(id: $id) {
          nextAvailable(specialty: $s) {
            specialty
          }
        }
      }
    `;
    const gp = await t.gql<{ facility: { nextAvailable: { specialty: string } | null } }>(
      scheduler,
      q,
      { id: facilityId, s: 'general practice PHYSICIAN' },
    );
    expect(gp.data?.facility.nextAvailable).toEqual({ specialty: 'General Practice Physician' });
    const none = await t.gql<{ facility: { nextAvailable: null } }>(scheduler, q, {
      id: facilityId,
      s: 'Neurosurgery',
    });
    expect(none.data?.facility.nextAvailable).toBeNull();
    const empty = await t.gql(scheduler, q, { id: facilityId, s: ' ' });
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
