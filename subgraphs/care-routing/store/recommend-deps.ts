import type { EntityManager } from '@mikro-orm/postgresql';
import type { GeoPointValue } from './places.js';
import type { RecommendDeps } from './recommend.js';
import { nextFreeSlots } from './next-free-slot.js';
import { searchNearby } from './nearby.js';

/**
 * The recommender's reads through the nearby search (from `origin`) and the
 * projection of scheduling's free slots (from `now`).
 */
export function recommendDeps(em: EntityManager, origin: GeoPointValue, now: Date): RecommendDeps {
  return {
    search: async (q) =>
      (
        await searchNearby(em, {
          point: origin,
          radiusKm: q.radiusKm,
          kinds: q.kinds ?? null,
          services: q.services ?? null,
          specialty: q.specialty ?? null,
          first: q.first,
        })
      ).rows,
    nextSlots: (facilityIds, specialty) =>
      nextFreeSlots(em, { facilityIds, ...(specialty ? { specialty } : {}), from: now }),
  };
}
