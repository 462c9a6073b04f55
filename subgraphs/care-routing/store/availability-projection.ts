import type { EntityManager } from '@mikro-orm/postgresql';
import { HOLDS_TIME, type AppointmentEventData } from '../../contracts/appointment-events.js';
import type { ScheduleChangedData } from '../../contracts/schedule-events.js';

/**
 * Applies a `schedule.changed` to `schedule_projection` in one statement:
 * stored when the schedule is new or the event's version is newer than the
 * stored one; an older or repeated event changes nothing. Returns whether it
 * changed the projection.
 */
export async function applyScheduleChanged(
  em: EntityManager,
  d: ScheduleChangedData,
): Promise<boolean> {
  const rows = await em.execute<{ schedule_id: string }[]>(
    `INSERT INTO schedule_projection AS p (schedule_id, practitioner_id, location_id, specialties,
       specialty_keys, time_zone, slot_minutes, weekly, exceptions, active, version)
     VALUES (?, ?, ?, ?::jsonb, ARRAY(SELECT lower(s) FROM jsonb_array_elements_text(?::jsonb) s),
             ?, ?, ?::jsonb, ?::jsonb, ?, ?)
     ON CONFLICT (schedule_id) DO UPDATE SET practitioner_id = EXCLUDED.practitioner_id,
       location_id = EXCLUDED.location_id, specialties = EXCLUDED.specialties,
       specialty_keys = EXCLUDED.specialty_keys, time_zone = EXCLUDED.time_zone,
       slot_minutes = EXCLUDED.slot_minutes, weekly = EXCLUDED.weekly,
       exceptions = EXCLUDED.exceptions, active = EXCLUDED.active, version = EXCLUDED.version,
       updated_at = now()
     WHERE EXCLUDED.version > p.version
     RETURNING schedule_id`,
    [
      d.scheduleId,
      d.practitionerId,
      d.facilityId,
      JSON.stringify(d.specialties),
      JSON.stringify(d.specialties),
      d.timeZone,
      d.slotMinutes,
      JSON.stringify(d.weekly),
      JSON.stringify(d.exceptions),
      d.active,
      d.version,
    ],
  );
  return rows.length > 0;
}

/**
 * Applies an appointment event to `held_time` in one statement: whether the
 * appointment now holds its practitioner's time (booked, arrived, fulfilled)
 * and when, at the event's version; an older or repeated event changes
 * nothing. The patient is not kept. Returns whether it changed the projection.
 */
export async function applyAppointmentChanged(
  em: EntityManager,
  d: AppointmentEventData,
): Promise<boolean> {
  const rows = await em.execute<{ appointment_id: string }[]>(
    `INSERT INTO held_time AS h (appointment_id, practitioner_id, starts_at, ends_at, holds, version)
     VALUES (?, ?, ?::timestamptz, ?::timestamptz, ?, ?)
     ON CONFLICT (appointment_id) DO UPDATE SET practitioner_id = EXCLUDED.practitioner_id,
       starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, holds = EXCLUDED.holds,
       version = EXCLUDED.version
     WHERE EXCLUDED.version > h.version
     RETURNING appointment_id`,
    [d.appointmentId, d.practitionerId, d.start, d.end, HOLDS_TIME.includes(d.status), d.version],
  );
  return rows.length > 0;
}
