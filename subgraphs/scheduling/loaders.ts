import DataLoader from 'dataloader';
import { groupBy } from '../../platform/data/group-by.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../../platform/identity/principal.js';
import {
  AppointmentRecord,
  ConsentProjection,
  PractitionerRecord,
  ScheduleRecord,
} from './entities/index.js';

/** Per-request batch loaders: one SQL statement per kind of fact, however long the lists. */
export function createLoaders(em: EntityManager, principal: Principal) {
  return {
    appointment: new DataLoader<string, AppointmentRecord | null>(async (ids) => {
      const rows = await em.find(AppointmentRecord, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    practitioner: new DataLoader<string, PractitionerRecord | null>(async (ids) => {
      const rows = await em.find(PractitionerRecord, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    schedules: new DataLoader<string, ScheduleRecord[]>(async (ids) =>
      groupBy(
        ids,
        await em.find(ScheduleRecord, { practitionerId: { $in: [...ids] }, active: true }),
        (r) => r.practitionerId,
      ),
    ),
    consents: new DataLoader<string, ConsentProjection[]>(async (ids) =>
      groupBy(
        ids,
        await em.find(ConsentProjection, { patientId: { $in: [...ids] } }),
        (r) => r.patientId,
      ),
    ),
    /** Whether the calling clinician has (had) an appointment with each patient: "their patients". */
    seenByMe: new DataLoader<string, boolean>(async (ids) => {
      if (!principal.practitionerId) return ids.map(() => false);
      // Raw rows, not partial entities: the identity map must only ever hold whole appointments.
      const rows = await em.execute<{ patient_id: string }[]>(
        `SELECT DISTINCT patient_id FROM appointment WHERE practitioner_id = ? AND patient_id IN (${ids.map(() => '?').join(', ')})`,
        [principal.practitionerId, ...ids],
      );
      const seen = new Set(rows.map((r) => r.patient_id));
      return ids.map((id) => seen.has(id));
    }),
  };
}

export type SchedulingLoaders = ReturnType<typeof createLoaders>;
