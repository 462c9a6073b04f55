import DataLoader from 'dataloader';
import type { CareRoutingContext } from './context.js';
import { facilitiesByKeys, type FacilityRow } from './store/facility-reads.js';
import { nextFreeSlots, type NextFreeSlot } from './store/next-free-slot.js';
import { specialtiesAt } from './store/specialties.js';
import { statusesOf, type StatusRow } from './store/status.js';

/** Per-request batch loaders: one statement per kind of read, however many facilities ask. */
export interface CareRoutingLoaders {
  /** A facility by its id or by a FHIR Location id that names it. */
  facilities: DataLoader<string, FacilityRow | null>;
  /** The specialties practised at a facility (by its id), from the availability projection. */
  specialties: DataLoader<string, string[]>;
  /** The next free slot at facilities (by id), of practitioners with `specialty` when given. */
  nextFreeSlot(specialty: string | null): DataLoader<string, NextFreeSlot | null>;
  /** A facility's current status row, by facility id (null: never reported). */
  statuses: DataLoader<string, StatusRow | null>;
}

export function createLoaders(ctx: Pick<CareRoutingContext, 'em' | 'now'>): CareRoutingLoaders {
  // One loader per specialty asked in the request (usually one): each batches its facilities.
  const slotLoaders = new Map<string, DataLoader<string, NextFreeSlot | null>>();
  return {
    facilities: new DataLoader(async (keys: readonly string[]) => {
      const rows = await facilitiesByKeys(ctx.em, keys);
      return keys.map((k) => rows.get(k) ?? null);
    }),
    specialties: new DataLoader(async (ids: readonly string[]) => {
      const byId = await specialtiesAt(ctx.em, ids);
      return ids.map((id) => byId.get(id) ?? []);
    }),
    nextFreeSlot(specialty) {
      const key = specialty ?? '';
      let loader = slotLoaders.get(key);
      if (!loader) {
        loader = new DataLoader(async (ids: readonly string[]) => {
          const found = await nextFreeSlots(ctx.em, {
            facilityIds: ids,
            ...(specialty !== null ? { specialty } : {}),
            from: ctx.now,
          });
          return ids.map((id) => found.get(id) ?? null);
        });
        slotLoaders.set(key, loader);
      }
      return loader;
    },
    statuses: new DataLoader(async (ids: readonly string[]) => {
      const rows = await statusesOf(ctx.em, ids);
      return ids.map((id) => rows.get(id) ?? null);
    }),
  };
}
