import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { publishMany } from '../../../platform/events/publish-many.js';
import type { ScheduleException, WeeklyHours } from '../../../platform/time/index.js';
import { SCHEDULE_CHANGED, type ScheduleChangedData } from '../../contracts/schedule-events.js';
import { consumersOf } from '../../subscriptions.js';

const SCHEMA = 'scheduling';

/** A schedule as a caller states it: the whole rule (an omitted id creates a new one). */
export interface ScheduleFields {
  id?: string;
  practitionerId: string;
  /** The FHIR Location id it is kept at. */
  facilityId: string;
  timeZone: string;
  slotMinutes: number;
  weekly: WeeklyHours;
  exceptions: readonly ScheduleException[];
  active?: boolean;
}

/** A written schedule joined with its practitioner, as the event states it. */
interface EventRow {
  id: string;
  practitionerId: string;
  facilityId: string;
  timeZone: string;
  slotMinutes: number;
  weekly: ScheduleChangedData['weekly'];
  exceptions: ScheduleChangedData['exceptions'];
  active: boolean;
  version: number;
  specialties: string[];
}

/** The event columns of the schedules `w` just wrote, with their practitioners'. */
const EVENT_SELECT = `
  SELECT w.id, w.practitioner_id AS "practitionerId", w.facility_id AS "facilityId",
         w.time_zone AS "timeZone", w.slot_minutes AS "slotMinutes", w.weekly, w.exceptions,
         (w.active AND p.active) AS active, w.version, p.specialties
    FROM w JOIN practitioner p ON p.id = w.practitioner_id
   ORDER BY w.id`;
const RETURNED =
  'id, practitioner_id, facility_id, time_zone, slot_minutes, weekly, exceptions, active, version';

/** Publishes one `schedule.changed` per written row, in one statement (the caller's transaction). */
async function publishChanged(em: EntityManager, rows: readonly EventRow[]): Promise<void> {
  const events = rows.map((r) => {
    const data = SCHEDULE_CHANGED.data.parse({
      scheduleId: r.id,
      practitionerId: r.practitionerId,
      facilityId: r.facilityId,
      specialties: r.specialties,
      timeZone: r.timeZone,
      slotMinutes: r.slotMinutes,
      weekly: r.weekly,
      exceptions: r.exceptions,
      active: r.active,
      version: r.version,
    });
    return { type: SCHEDULE_CHANGED.type, aggregateId: SCHEDULE_CHANGED.aggregateOf(data), data };
  });
  await publishMany(em, SCHEMA, events, (type) => consumersOf(type));
}

/**
 * Creates or replaces schedules (by id) and publishes `schedule.changed` for
 * each, in one transaction and two statements whatever their number: a new
 * schedule is version 1, a replaced one takes the next version. Returns the
 * ids in input order. A rule platform/time would refuse throws, and
 * nothing is written.
 */
export async function saveSchedules(
  em: EntityManager,
  schedules: readonly ScheduleFields[],
): Promise<string[]> {
  const rows = schedules.map((s) => ({
    id: s.id ?? randomUUID(),
    practitioner_id: s.practitionerId,
    facility_id: s.facilityId,
    time_zone: s.timeZone,
    slot_minutes: s.slotMinutes,
    weekly: s.weekly,
    exceptions: s.exceptions,
    active: s.active ?? true,
  }));
  if (rows.length === 0) return [];
  await em.transactional(async (tem) => {
    const written = await tem.execute<EventRow[]>(
      `WITH r AS (
         SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, practitioner_id text,
           facility_id text, time_zone text, slot_minutes integer, weekly jsonb, exceptions jsonb,
           active boolean)),
       w AS (
         INSERT INTO schedule AS s (id, practitioner_id, facility_id, time_zone, slot_minutes,
                                    weekly, exceptions, active, version)
         SELECT id, practitioner_id, facility_id, time_zone, slot_minutes, weekly, exceptions,
                active, 1 FROM r
         ON CONFLICT (id) DO UPDATE SET practitioner_id = EXCLUDED.practitioner_id,
           facility_id = EXCLUDED.facility_id, time_zone = EXCLUDED.time_zone,
           slot_minutes = EXCLUDED.slot_minutes, weekly = EXCLUDED.weekly,
           exceptions = EXCLUDED.exceptions, active = EXCLUDED.active, version = s.version + 1
         RETURNING ${RETURNED})
       ${EVENT_SELECT}`,
      [JSON.stringify(rows)],
    );
    await publishChanged(tem, written);
  });
  return rows.map((r) => r.id);
}

/** One schedule (`saveSchedules`); returns its id. */
export async function saveSchedule(em: EntityManager, schedule: ScheduleFields): Promise<string> {
  const [id] = await saveSchedules(em, [schedule]);
  return id!;
}

/**
 * Re-publishes every schedule of these practitioners under its next version
 * (their specialties or active flag changed, which the events carry), in the
 * caller's transaction: two statements. Returns how many were published.
 */
export async function republishSchedulesOf(
  em: EntityManager,
  practitionerIds: readonly string[],
): Promise<number> {
  if (practitionerIds.length === 0) return 0;
  if (!em.isInTransaction())
    throw new Error('republishSchedulesOf must run in the transaction that changed them');
  const written = await em.execute<EventRow[]>(
    `WITH w AS (
       UPDATE schedule s SET version = s.version + 1
        WHERE s.practitioner_id IN (SELECT jsonb_array_elements_text(?::jsonb))
       RETURNING ${RETURNED})
     ${EVENT_SELECT}`,
    [JSON.stringify(practitionerIds)],
  );
  await publishChanged(em, written);
  return written.length;
}
