import DataLoader from 'dataloader';
import { decideLists, type PatientAccessDecision } from '../../platform/authz/index.js';
import { routingAccess } from './access.js';
import type { CareRoutingContext } from './context.js';
import { facilitiesByKeys, type FacilityRow } from './store/facility-reads.js';
import { nextFreeSlots, type NextFreeSlot } from './store/next-free-slot.js';
import { zipCentroids, type GeoPointValue } from './store/places.js';
import { preferencesOf, type StoredPreferences } from './store/preferences.js';
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
  /**
   * Whether the caller may read a patient's routing data (their postal code, their
   * preferences), by patient id: one kernel decision round and one audit statement (every
   * permit and refusal, as a read of Patient) for all the patients of a response.
   */
  patientReads: DataLoader<string, PatientAccessDecision>;
  /** A patient's stored preferences (decrypted), by patient id; null when none. */
  preferences: DataLoader<string, StoredPreferences | null>;
  /** A ZIP code's centroid; null when unknown. */
  zipCentroids: DataLoader<string, GeoPointValue | null>;
}

export function createLoaders(ctx: CareRoutingContext): CareRoutingLoaders {
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
    patientReads: new DataLoader((ids: readonly string[]) =>
      decideLists(
        ctx,
        ids.map((patientId) => ({ patientId })),
        routingAccess('r'),
        'read',
      ),
    ),
    preferences: new DataLoader(async (ids: readonly string[]) => {
      const byId = await preferencesOf(ctx.em, ctx.services.cipher, ids);
      return ids.map((id) => byId.get(id) ?? null);
    }),
    zipCentroids: new DataLoader(async (zips: readonly string[]) => {
      const byZip = await zipCentroids(ctx.em, zips);
      return zips.map((z) => byZip.get(z) ?? null);
    }),
  };
}
