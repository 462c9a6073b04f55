import DataLoader from 'dataloader';
import type { CareRoutingContext } from './context.js';
import { facilitiesByKeys, type FacilityRow } from './store/facility-reads.js';

/** Per-request batch loaders: one statement per kind of read, however many facilities ask. */
export interface CareRoutingLoaders {
  /** A facility by its id or by a FHIR Location id that names it. */
  facilities: DataLoader<string, FacilityRow | null>;
}

export function createLoaders(ctx: Pick<CareRoutingContext, 'em'>): CareRoutingLoaders {
  return {
    facilities: new DataLoader(async (keys: readonly string[]) => {
      const rows = await facilitiesByKeys(ctx.em, keys);
      return keys.map((k) => rows.get(k) ?? null);
    }),
  };
}
