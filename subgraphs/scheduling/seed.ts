import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { readNdjson } from '../../platform/data/ndjson.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { WeeklyHours } from '../../platform/time/index.js';
import { PractitionerRecord, ScheduleRecord } from './entities/index.js';

interface FhirPractitioner {
  id: string;
  identifier?: { system?: string; value: string }[];
  name?: { family?: string; given?: string[]; prefix?: string[] }[];
}

interface FhirRole {
  practitioner?: { identifier?: { value: string } };
  specialty?: { text?: string; coding?: { display?: string }[] }[];
  location?: { identifier?: { value: string } }[];
}

/** Weekday clinic hours with a lunch break, in the demo facilities' zone (all in Kansas). */
export const DEMO_WEEKLY: WeeklyHours = ([1, 2, 3, 4, 5] as const).flatMap((weekday) => [
  { weekday, start: '08:00', end: '12:00' },
  { weekday, start: '13:00', end: '17:00' },
]);
export const DEMO_TIME_ZONE = 'America/Chicago';

/**
 * Loads the Synthea practitioners (NPI, name, specialty, facility from their
 * PractitionerRole) with a weekday schedule of 30-minute slots each; once.
 */
export async function seedScheduling(em: EntityManager, dataDir: string): Promise<number> {
  if ((await em.count(PractitionerRecord, {})) > 0) return 0;
  const roles = new Map<string, FhirRole>();
  for (const r of readNdjson<FhirRole>(path.join(dataDir, 'PractitionerRole.000.ndjson')))
    if (r.practitioner?.identifier?.value) roles.set(r.practitioner.identifier.value, r);
  const practitioners = readNdjson<FhirPractitioner>(path.join(dataDir, 'Practitioner.000.ndjson'));
  const schedules: { practitionerId: string; facilityId: string }[] = [];
  for (const p of practitioners) {
    const npi = p.identifier?.find((i) => i.system?.endsWith('us-npi'))?.value ?? p.id;
    const role = roles.get(npi);
    const name = p.name?.[0] ?? {};
    const facilityId = role?.location?.[0]?.identifier?.value ?? 'unknown-facility';
    em.persist(
      em.create(PractitionerRecord, {
        id: p.id,
        npi,
        family: name.family ?? 'Unknown',
        given: name.given ?? [],
        prefix: name.prefix?.[0] ?? null,
        specialties: (role?.specialty ?? [])
          .map((s) => s.text ?? s.coding?.[0]?.display ?? '')
          .filter(Boolean),
        facilityIds: [facilityId],
        active: true,
      }),
    );
    schedules.push({ practitionerId: p.id, facilityId });
  }
  // Practitioners first: the schedules reference them.
  await em.flush();
  for (const { practitionerId, facilityId } of schedules)
    em.create(ScheduleRecord, {
      id: randomUUID(),
      practitionerId,
      facilityId,
      timeZone: DEMO_TIME_ZONE,
      slotMinutes: 30,
      weekly: DEMO_WEEKLY,
      exceptions: [],
      active: true,
    });
  await em.flush();
  return practitioners.length;
}
