/**
 * The travel-time model, stated so a recommendation can say it: the
 * great-circle distance, times a road circuity factor (roads are longer than
 * the straight line: about 1.2 on average in the US, Ballou et al. 2002; 1.25
 * here), driven at 40 km/h for the first 10 km (town) and 80 km/h beyond
 * (highway), plus 3 minutes to set off and park; the driving part times the
 * traffic factor reported for the destination's region (1 when none is
 * current). It is a model, not a route: it knows no road network.
 */
export const TRAVEL_MODEL = {
  circuity: 1.25,
  townKm: 10,
  townKmh: 40,
  highwayKmh: 80,
  fixedMinutes: 3,
} as const;

/** Estimated minutes to travel `distanceKm` (great-circle) with the region's traffic factor. */
export function travelMinutes(distanceKm: number, trafficFactor = 1): number {
  const road = distanceKm * TRAVEL_MODEL.circuity;
  const town = Math.min(road, TRAVEL_MODEL.townKm);
  const highway = Math.max(0, road - TRAVEL_MODEL.townKm);
  const driving = (town / TRAVEL_MODEL.townKmh + highway / TRAVEL_MODEL.highwayKmh) * 60;
  return TRAVEL_MODEL.fixedMinutes + driving * trafficFactor;
}

/** The model in one sentence, for the answer's `travelModel`. */
export const TRAVEL_MODEL_TEXT =
  `Great-circle distance × ${TRAVEL_MODEL.circuity} road circuity, ${TRAVEL_MODEL.townKmh} km/h for the first ${TRAVEL_MODEL.townKm} km and ` +
  `${TRAVEL_MODEL.highwayKmh} km/h beyond, × the destination region's current traffic factor, + ${TRAVEL_MODEL.fixedMinutes} min; no road network.`;
