import DataLoader from 'dataloader';
import { groupBy } from '../../platform/data/group-by.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppointmentRecord, PractitionerRecord, ScheduleRecord } from './entities/index.js';

/** Per-request batch loaders: one SQL statement per kind of fact, however long the lists. */
export function createLoaders(em: EntityManager) {
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
  };
}

export type SchedulingLoaders = ReturnType<typeof createLoaders>;
