import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import type { Principal } from '../../../platform/identity/principal.js';

/** How many open future bookings self-service may hold (BOOKING_MAX_OPEN_PER_*). */
export interface BookingCaps {
  /** Per patient, counting every open future booking of theirs, whoever made it. */
  perPatient: number;
  /** Per partner app, counting the open future bookings made through it for any patient. */
  perClient: number;
}

/** The caps when no configuration is given (the configuration's defaults). */
export const DEFAULT_BOOKING_CAPS: BookingCaps = { perPatient: 8, perClient: 200 };

/** The statuses of a booking that still holds a future slot for its patient. */
const OPEN = ['proposed', 'booked'] as const;

/**
 * Staff (front desk, clinicians, admins) booking for someone other than themselves are not
 * capped: a course of treatment may need many visits, and staff are accountable for them.
 * Everyone else books for themselves or as an app acting for patients.
 */
function bookingByStaff(p: Principal, patientId: string): boolean {
  const staff = p.roles.some((r) => r === 'scheduler' || r === 'clinician' || r === 'admin');
  return staff && p.patientId !== patientId;
}

/** The partner app a booking is made through, when it is one (its cap applies). */
export const partnerClientOf = (p: Principal): string | null =>
  p.roles.includes('partner') ? p.clientId : null;

function bookingLimit(scope: 'patient' | 'client', limit: number): GraphQLError {
  return new GraphQLError(
    scope === 'patient'
      ? `A patient may hold at most ${limit} open future bookings; cancel one or ask the front desk`
      : `This app may hold at most ${limit} open future bookings; cancel some or ask the front desk`,
    { extensions: { code: 'BOOKING_LIMIT', scope, limit } },
  );
}

// Transaction-scoped advisory locks: concurrent bookings of one patient (or one app) count
// one after another, so two cannot both pass a cap with one place left.
const LOCK = 'SELECT pg_advisory_xact_lock(hashtextextended(?, 0))';

async function openCount(em: EntityManager, column: string, value: string, now: Date) {
  const [row] = await em.execute<{ n: string }[]>(
    `SELECT count(*) AS n FROM appointment
      WHERE ${column} = ? AND status IN ('${OPEN.join("', '")}') AND starts_at > ?`,
    [value, now],
  );
  return Number(row?.n ?? 0);
}

/**
 * Refuses a self-service booking that would take the patient, or the partner app it comes
 * through, past its cap of open future bookings (BOOKING_LIMIT with `scope` and `limit`).
 * Runs inside the booking's transaction, before its rows.
 */
export async function enforceBookingCaps(
  em: EntityManager,
  p: Principal,
  patientId: string,
  now: Date,
  caps: BookingCaps,
): Promise<void> {
  if (bookingByStaff(p, patientId)) return;
  await em.execute(LOCK, [`scheduling:booking:patient:${patientId}`]);
  if ((await openCount(em, 'patient_id', patientId, now)) >= caps.perPatient)
    throw bookingLimit('patient', caps.perPatient);
  const client = partnerClientOf(p);
  if (client === null) return;
  await em.execute(LOCK, [`scheduling:booking:client:${client}`]);
  if ((await openCount(em, 'booked_by_client', client, now)) >= caps.perClient)
    throw bookingLimit('client', caps.perClient);
}
