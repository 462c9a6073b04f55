import DataLoader from 'dataloader';
import type { CareRoutingContext } from './context.js';
import { facilitiesByKeys, type FacilityRow } from './store/facility-reads.js';
import { statusesOf, type StatusRow } from './store/status.js';

/** Per-request batch loaders: one statement per kind of read, however many facilities ask. */
export interface CareRoutingLoaders {
  /** A facility by its id or by a FHIR Location id that names it. */
  facilities: DataLoader<string, FacilityRow | null>;
  /** A facility's current status row, by facility id (null: never reported). */
  statuses: DataLoader<string, StatusRow | null>;
}

export function createLoaders(ctx: Pick<CareRoutingContext, 'em'>): CareRoutingLoaders {
  return {
    facilities: new DataLoader(async (keys: readonly string[]) => {
      const rows = await facilitiesByKeys(ctx.em, keys);
      return keys.map((k) => rows.get(k) ?? null);
    }),
    statuses: new DataLoader(async (ids: readonly string[]) => {
      const rows = await statusesOf(ctx.em, ids);
      return ids.map((id) => rows.get(id) ?? null);
    }),
  };
}
