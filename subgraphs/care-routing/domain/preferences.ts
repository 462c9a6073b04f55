import { badInput } from '../../../platform/errors/index.js';
import { FACILITY_KEY } from './facility-key.js';

/** A patient's care preferences: where they would rather go, where not, and how far. */
export interface CarePreferences {
  preferredFacilityIds: string[];
  avoidedFacilityIds: string[];
  /** Routine and urgent care farther than this is left out (an emergency ignores it). */
  maxTravelMinutes: number | null;
}

export const NO_PREFERENCES: CarePreferences = {
  preferredFacilityIds: [],
  avoidedFacilityIds: [],
  maxTravelMinutes: null,
};

/** At most this many facilities in each list. */
export const MAX_PREFERRED = 20;

/** Checks preferences with BAD_USER_INPUT naming the field; answers them de-duplicated. */
export function checkPreferences(p: CarePreferences): CarePreferences {
  const ids = (list: string[], field: string) => {
    if (list.length > MAX_PREFERRED) throw badInput(`At most ${MAX_PREFERRED} facilities`, field);
    if (list.some((id) => !FACILITY_KEY.test(id)))
      throw badInput('Facility ids are letters, digits, and . _ : -', field);
    return [...new Set(list)];
  };
  const preferred = ids(p.preferredFacilityIds, 'preferredFacilityIds');
  const avoided = ids(p.avoidedFacilityIds, 'avoidedFacilityIds');
  if (preferred.some((id) => avoided.includes(id)))
    throw badInput('A facility cannot be both preferred and avoided', 'avoidedFacilityIds');
  if (
    p.maxTravelMinutes !== null &&
    !(Number.isInteger(p.maxTravelMinutes) && p.maxTravelMinutes >= 5 && p.maxTravelMinutes <= 600)
  )
    throw badInput('maxTravelMinutes must be a whole number from 5 to 600', 'maxTravelMinutes');
  return {
    preferredFacilityIds: preferred,
    avoidedFacilityIds: avoided,
    maxTravelMinutes: p.maxTravelMinutes,
  };
}
