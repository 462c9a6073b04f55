import path from 'node:path';
import { readNdjson } from '../../platform/data/ndjson.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { WeeklyHours } from '../../platform/time/index.js';
import {
  npiOf,
  practitionerFromFhir,
  rolesByNpi,
  type FhirPractitioner,
  type FhirPractitionerRole,
} from '../contracts/fhir-practitioner.js';
import { PractitionerRecord } from './entities/index.js';
import { importPractitioners } from './store/practitioner-import.js';
import { saveSchedules } from './store/schedules.js';

/** Weekday clinic hours with a lunch break, in the demo facilities' zone (all in Kansas). */
export const DEMO_WEEKLY: WeeklyHours = ([1, 2, 3, 4, 5] as const).flatMap((weekday) => [
  { weekday, start: '08:00', end: '12:00' },
  { weekday, start: '13:00', end: '17:00' },
]);
export const DEMO_TIME_ZONE = 'America/Chicago';

/**
 * Loads the Synthea practitioners (NPI, name, specialty, facility from their
 * PractitionerRole) through the import's mapping and write (so importing the
 * same files later changes nothing), with a weekday schedule of 30-minute
 * slots each at their first facility, each published (`schedule.changed`)
 * with it; once, in one transaction.
 */
export async function seedScheduling(em: EntityManager, dataDir: string): Promise<number> {
  if ((await em.count(PractitionerRecord, {})) > 0) return 0;
  const roles = rolesByNpi(
    readNdjson<FhirPractitionerRole>(path.join(dataDir, 'PractitionerRole.000.ndjson')),
  );
  const practitioners = readNdjson<FhirPractitioner>(path.join(dataDir, 'Practitioner.000.ndjson'));
  const entries = practitioners.map((p) => ({
    ...practitionerFromFhir(p, roles.get(npiOf(p))),
    sourceKey: p.id,
  }));
  await em.transactional(async (tem) => {
    const results = await importPractitioners(tem, entries);
    await saveSchedules(
      tem,
      results.map((r, i) => ({
        practitionerId: r.id,
        // A practitioner with no role still gets a schedule somewhere, for the demo.
        facilityId: entries[i]!.facilityIds?.[0] ?? 'unknown-facility',
        timeZone: DEMO_TIME_ZONE,
        slotMinutes: 30,
        weekly: DEMO_WEEKLY,
        exceptions: [],
      })),
    );
  });
  return practitioners.length;
}
