/**
 * Limits of a nearby search.
 *
 * MAX_RADIUS_KM: 500 km is a long day's drive, farther than any trip to care
 * a routing service should propose by road, and enough for the emptiest
 * rural areas of the lower 48. A bigger radius would make the earth box
 * cover much of the country and a within-radius search a near-scan of the
 * directory; a caller wanting "the nearest, however far" (Alaska, the
 * islands) omits the radius and pages nearest-first instead.
 *
 * Without a radius the search is nearest-first over the whole directory (the
 * GiST index walks outward from the point, so only the rows a page needs are
 * read): there is no default radius.
 */
export const MAX_RADIUS_KM = 500;

/** Largest page of a nearby search (as every list: platform/federation/pagination.ts). */
export const MAX_NEARBY_PAGE = 100;

/** Page size when `first` is not given. */
export const DEFAULT_NEARBY_PAGE = 20;

/** The longest specialty name a search takes (a practitioner specialty, e.g. "cardiology"). */
export const MAX_SPECIALTY_LENGTH = 100;
