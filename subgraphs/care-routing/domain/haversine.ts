/**
 * The sphere earthdistance measures on (`public.earth()`, 6,378,168 m): the
 * same radius, so a haversine distance here and `earth_distance` in SQL agree
 * to rounding.
 */
export const EARTH_RADIUS_KM = 6378.168;

const RAD = Math.PI / 180;

/** A point in WGS 84 degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** Great-circle distance in km between two points (haversine, on earthdistance's sphere). */
export function haversineKm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
