import type { SqlPart, StatementBatch } from '../../../platform/db/statement.js';
import { AppointmentRecord } from '../entities/index.js';

/**
 * An appointment's row and its version row as parts of a write's one
 * statement (`StatementBatch`), and the row read back fresh and locked at the
 * start of a write: plain SQL, no ORM flush or reload.
 */

const COLUMNS = `id, patient_id, practitioner_id, facility_id, time_zone, starts_at, ends_at,
  status, reason, version, created_at, updated_at, created_by, booked_by_client`;

/** Reads one appointment with a row lock held to commit: the newest committed version. */
export function lockAppointmentPart(id: string): SqlPart {
  return {
    sql: `SELECT ${COLUMNS} FROM scheduling.appointment WHERE id = ?::uuid FOR UPDATE`,
    params: [id],
    rows: true,
  };
}

/** An appointment from a row of `lockAppointmentPart` (as JSON). */
export function appointmentOf(row: Record<string, unknown>): AppointmentRecord {
  const date = (v: unknown) => new Date(v as string);
  return Object.assign(new AppointmentRecord(), {
    id: row.id as string,
    patientId: row.patient_id as string,
    practitionerId: row.practitioner_id as string,
    facilityId: row.facility_id as string,
    timeZone: row.time_zone as string,
    startsAt: date(row.starts_at),
    endsAt: date(row.ends_at),
    status: row.status as AppointmentRecord['status'],
    reason: (row.reason as string | null) ?? null,
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    createdBy: row.created_by as string,
    bookedByClient: (row.booked_by_client as string | null) ?? null,
  });
}

/** Who recorded a version, and when. */
export interface Recorded {
  versionId: string;
  by: string;
  at: Date;
}

const VERSION = `INSERT INTO scheduling.appointment_version
  (id, appointment_id, version, status, starts_at, ends_at, recorded_at, recorded_by)`;

/** Adds a new appointment (version 1) and its first version row to `batch`. */
export function insertAppointment(batch: StatementBatch, a: AppointmentRecord, r: Recorded): void {
  batch.add({
    sql: `INSERT INTO scheduling.appointment (${COLUMNS})
      VALUES (?::uuid, ?::uuid, ?, ?, ?, ?::timestamptz, ?::timestamptz, ?, ?, ?::int,
              ?::timestamptz, ?::timestamptz, ?, ?)`,
    params: [
      a.id,
      a.patientId,
      a.practitionerId,
      a.facilityId,
      a.timeZone,
      a.startsAt.toISOString(),
      a.endsAt.toISOString(),
      a.status,
      a.reason ?? null,
      a.version,
      a.createdAt.toISOString(),
      a.updatedAt.toISOString(),
      a.createdBy,
      a.bookedByClient ?? null,
    ],
  });
  batch.add(versionValues(a, r));
}

/**
 * Adds the change of an appointment read at version `from` and the new
 * version row to `batch`. Read under its row lock (`lockAppointmentPart`),
 * the row is still at `from`; the version row comes from the update's own
 * RETURNING, so the two cannot disagree.
 */
export function updateAppointment(
  batch: StatementBatch,
  a: AppointmentRecord,
  from: number,
  r: Recorded,
): void {
  const updated = batch.add({
    sql: `UPDATE scheduling.appointment
        SET status = ?, starts_at = ?::timestamptz, ends_at = ?::timestamptz, facility_id = ?,
            time_zone = ?, version = ?::int, updated_at = ?::timestamptz
      WHERE id = ?::uuid AND version = ?::int
      RETURNING id, version, status, starts_at, ends_at`,
    params: [
      a.status,
      a.startsAt.toISOString(),
      a.endsAt.toISOString(),
      a.facilityId,
      a.timeZone,
      a.version,
      a.updatedAt.toISOString(),
      a.id,
      from,
    ],
    rows: true,
  });
  batch.add({
    sql: `${VERSION}
      SELECT ?::uuid, u.id, u.version, u.status, u.starts_at, u.ends_at, ?::timestamptz, ? FROM ${updated} u`,
    params: [r.versionId, r.at.toISOString(), r.by],
  });
}

function versionValues(a: AppointmentRecord, r: Recorded): SqlPart {
  return {
    sql: `${VERSION} VALUES (?::uuid, ?::uuid, ?::int, ?, ?::timestamptz, ?::timestamptz, ?::timestamptz, ?)`,
    params: [
      r.versionId,
      a.id,
      a.version,
      a.status,
      a.startsAt.toISOString(),
      a.endsAt.toISOString(),
      r.at.toISOString(),
      r.by,
    ],
  };
}
