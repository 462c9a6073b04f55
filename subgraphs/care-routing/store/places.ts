import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors/index.js';

/** A point in WGS 84 degrees. */
export interface GeoPointValue {
  lat: number;
  lon: number;
}

/**
 * A point rounded to 1e-9 degree (about 0.1 mm): a subnormal coordinate
 * (1e-300) would underflow in `ll_to_earth`'s trigonometry and fail the
 * statement, and no finer precision means anything on the ground.
 */
export function roundedPoint(p: GeoPointValue): GeoPointValue {
  const r = (x: number) => Math.round(x * 1e9) / 1e9 + 0;
  return { lat: r(p.lat), lon: r(p.lon) };
}

/** Where a search starts: a point, or a ZIP code (its centroid). */
export type Place = { point: GeoPointValue } | { postalCode: string };

/** A place as the caller gave it (GraphQL `PlaceInput`): every part optional, checked here. */
export interface PlaceArgs {
  latitude?: number | null;
  longitude?: number | null;
  postalCode?: string | null;
}

/** Five digits, or ZIP+4 (`66204-1234`: its first five name the centroid). */
const ZIP = /^([0-9]{5})(?:-[0-9]{4})?$/;

const given = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

/**
 * Checks a place: exactly one of a point (both coordinates, finite, latitude
 * −90..90, longitude −180..180) or a postal code (five digits or ZIP+4,
 * reduced to five). Errors are BAD_USER_INPUT naming the field under `field`
 * (the argument's name) and never echo the value.
 */
export function parsePlace(args: PlaceArgs, field = 'near'): Place {
  const hasPoint = given(args.latitude) || given(args.longitude);
  const hasZip = given(args.postalCode);
  if (hasPoint && hasZip)
    throw badInput(`${field} takes either latitude and longitude or a postalCode, not both`, field);
  if (hasZip) {
    const m = ZIP.exec(args.postalCode!);
    if (!m)
      throw badInput(
        `${field}.postalCode must be a five-digit ZIP code (or ZIP+4, 12345-6789)`,
        `${field}.postalCode`,
      );
    return { postalCode: m[1]! };
  }
  if (!hasPoint) throw badInput(`${field} needs latitude and longitude, or a postalCode`, field);
  const { latitude: lat, longitude: lon } = args;
  if (!given(lat))
    throw badInput(`${field}.latitude is needed with a longitude`, `${field}.latitude`);
  if (!given(lon))
    throw badInput(`${field}.longitude is needed with a latitude`, `${field}.longitude`);
  if (!Number.isFinite(lat) || lat < -90 || lat > 90)
    throw badInput(`${field}.latitude must be between -90 and 90`, `${field}.latitude`);
  if (!Number.isFinite(lon) || lon < -180 || lon > 180)
    throw badInput(`${field}.longitude must be between -180 and 180`, `${field}.longitude`);
  return { point: roundedPoint({ lat, lon }) };
}

/**
 * The centroids of `zips` (five digits each), by ZIP, in one statement;
 * unknown ZIPs are absent.
 */
export async function zipCentroids(
  em: EntityManager,
  zips: readonly string[],
): Promise<Map<string, GeoPointValue>> {
  const out = new Map<string, GeoPointValue>();
  if (zips.length === 0) return out;
  const rows = await em.execute<{ zip: string; lat: number; lon: number }[]>(
    'SELECT zip, lat, lon FROM zip_centroid WHERE zip IN (SELECT json_array_elements_text(?::json))',
    [JSON.stringify([...new Set(zips)])],
  );
  for (const r of rows) out.set(r.zip, { lat: r.lat, lon: r.lon });
  return out;
}

/**
 * The points of checked places, in order: a point as given, a ZIP code as its
 * centroid (every ZIP in one statement). An unknown ZIP is BAD_USER_INPUT
 * naming `field`.postalCode.
 */
export async function resolvePlaces(
  em: EntityManager,
  places: readonly Place[],
  field = 'near',
): Promise<GeoPointValue[]> {
  const zips = places.flatMap((p) => ('postalCode' in p ? [p.postalCode] : []));
  const centroids = await zipCentroids(em, zips);
  return places.map((p) => {
    if ('point' in p) return p.point;
    const c = centroids.get(p.postalCode);
    if (!c)
      throw badInput(
        `${field}.postalCode is not a known ZIP code; give latitude and longitude instead`,
        `${field}.postalCode`,
      );
    return c;
  });
}

/** {@link resolvePlaces} for one place. */
export async function resolvePlace(
  em: EntityManager,
  place: Place,
  field = 'near',
): Promise<GeoPointValue> {
  const [point] = await resolvePlaces(em, [place], field);
  return point!;
}
