import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppointmentEventData } from '../../contracts/appointment-events.js';
import type { ScheduleChangedData } from '../../contracts/schedule-events.js';

/** Weekday mornings 08:00–12:00 (test support). */
export const MORNINGS: ScheduleChangedData['weekly'] = ([1, 2, 3, 4, 5] as const).map(
  (weekday) => ({ weekday, start: '08:00', end: '12:00' }),
);

/** A `schedule.changed` as scheduling publishes it: 30-minute weekday mornings in Chicago (test support). */
export function scheduleChanged(overrides: Partial<ScheduleChangedData> = {}): ScheduleChangedData {
  return {
    scheduleId: randomUUID(),
    practitionerId: `pr-${randomUUID().slice(0, 8)}`,
    facilityId: `loc-${randomUUID().slice(0, 8)}`,
    specialties: ['General Practice Physician'],
    timeZone: 'America/Chicago',
    slotMinutes: 30,
    weekly: MORNINGS,
    exceptions: [],
    active: true,
    version: 1,
    ...overrides,
  };
}

/** An appointment event's data (test support). */
export function appointmentChanged(
  overrides: Partial<AppointmentEventData> & Pick<AppointmentEventData, 'practitionerId'>,
): AppointmentEventData {
  return {
    appointmentId: randomUUID(),
    patientId: randomUUID(),
    facilityId: 'loc-1',
    status: 'booked',
    start: '2027-03-08T14:00:00.000Z',
    end: '2027-03-08T14:30:00.000Z',
    version: 1,
    ...overrides,
  };
}

/** A directory facility named by these Location ids (test support; the directory import makes real ones). */
export async function facilityAt(
  em: EntityManager,
  facilityId: string,
  locationIds: readonly string[],
): Promise<void> {
  await em.execute(
    `INSERT INTO facility (id, source, source_key, kind, name, lat, lon, emergency, region, time_zone, digest)
     VALUES (?, 'fhir-location', ?, 'primary-care', 'Test clinic', 38.9, -94.7, false, '662',
             'America/Chicago', 'test')`,
    [facilityId, facilityId],
  );
  for (const l of locationIds)
    await em.execute(
      `INSERT INTO facility_location (location_id, facility_id, matched_by) VALUES (?, ?, 'own')`,
      [l, facilityId],
    );
}
