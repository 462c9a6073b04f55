import { FACILITY_KEY } from '../domain/facility-key.js';
import type { CareServiceName, FacilityKind } from '../domain/facility-kinds.js';
import type { FacilityInput, SkippedRow } from './facility-input.js';
import {
  coordinates,
  normaliseName,
  phoneDigits,
  regionOf,
  stateCode,
  text,
  timeZoneOf,
  zip5,
} from './normalise.js';

/** The parts of a FHIR R4 Location the linking reads (anything else is ignored). */
export interface FhirLocationLike {
  id?: unknown;
  name?: unknown;
  telecom?: unknown;
  address?: unknown;
  position?: unknown;
}

/** How a Location was tied to a facility (facility_location.matched_by). */
export const MATCHED_BY = ['name-and-zip', 'name-and-position', 'position', 'own'] as const;
export type MatchedBy = (typeof MATCHED_BY)[number];

/** Same normalised name within this distance (m) is the same facility. */
export const NAME_MATCH_METRES = 2000;
/** Any facility this close (m) is the Location's, whatever its name says. */
export const POSITION_MATCH_METRES = 150;

/** A Location that can be placed: its id, names and where it is. */
export interface LocationPlace {
  id: string;
  name: string | null;
  normName: string | null;
  zip: string | null;
  lat: number;
  lon: number;
  line: string | null;
  city: string | null;
  state: string | null;
  phone: string | null;
}

/** A directory facility near a Location, or in its ZIP, with its distance to it. */
export interface LinkCandidate {
  id: string;
  name: string;
  zip: string | null;
  emergency: boolean;
  beds: number | null;
  metres: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};

/** A Location's place, or why it cannot be placed (no usable position, an id that is not a FHIR id). */
export function locationPlace(
  loc: FhirLocationLike,
  index: number,
): { ok: true; place: LocationPlace } | { ok: false; skipped: SkippedRow } {
  const id = str(loc.id);
  const skip = (reason: SkippedRow['reason']) => ({
    ok: false as const,
    skipped: { file: 'Location', line: index, reason, ...(id ? { key: id } : {}) },
  });
  if (!id || !FACILITY_KEY.test(id)) return skip('invalid-id');
  const position = obj(loc.position);
  const at = coordinates(
    typeof position.latitude === 'number' ? position.latitude : null,
    typeof position.longitude === 'number' ? position.longitude : null,
  );
  if (!at.ok) return skip('no-position');
  const address = obj(loc.address);
  const lines = Array.isArray(address.line) ? address.line : [];
  const telecom = Array.isArray(loc.telecom) ? loc.telecom.map(obj) : [];
  const name = text(str(loc.name), 200);
  return {
    ok: true,
    place: {
      id,
      name,
      normName: name ? normaliseName(name) : null,
      zip: zip5(str(address.postalCode)),
      lat: at.lat,
      lon: at.lon,
      line: text(str(lines[0]), 200),
      city: text(str(address.city), 100),
      state: stateCode(str(address.state)),
      phone: phoneDigits(str(telecom.find((t) => t.system === 'phone')?.value)),
    },
  };
}

/** Among equals, the facility most able to take a patient: emergency, then beds, then nearest. */
function rank(a: LinkCandidate, b: LinkCandidate): number {
  return (
    Number(b.emergency) - Number(a.emergency) ||
    (b.beds ?? -1) - (a.beds ?? -1) ||
    a.metres - b.metres ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function nearest(a: LinkCandidate, b: LinkCandidate): number {
  return a.metres - b.metres || rank(a, b);
}

/**
 * The directory facility a Location names: the same normalised name in the
 * same ZIP; else the same name within {@link NAME_MATCH_METRES}; else the
 * nearest facility within {@link POSITION_MATCH_METRES}; else none.
 */
export function chooseFacility(
  place: LocationPlace,
  candidates: readonly LinkCandidate[],
): { facilityId: string; matchedBy: Exclude<MatchedBy, 'own'> } | null {
  const named = place.normName
    ? candidates.filter((c) => normaliseName(c.name) === place.normName)
    : [];
  const byZip = named.filter((c) => place.zip && c.zip === place.zip).sort(rank)[0];
  if (byZip) return { facilityId: byZip.id, matchedBy: 'name-and-zip' };
  const byName = named.filter((c) => c.metres <= NAME_MATCH_METRES).sort(nearest)[0];
  if (byName) return { facilityId: byName.id, matchedBy: 'name-and-position' };
  const near = candidates.filter((c) => c.metres <= POSITION_MATCH_METRES).sort(nearest)[0];
  if (near) return { facilityId: near.id, matchedBy: 'position' };
  return null;
}

/** What a Location with no directory match is, from its name. */
export function guessKind(name: string | null): FacilityKind {
  const n = (name ?? '').toUpperCase();
  if (n.includes('URGENT CARE')) return 'urgent-care';
  if (/HOSPITAL|MEDICAL CENTER|REG MED CTR/.test(n)) return 'hospital';
  return 'primary-care';
}

const KIND_SERVICES: Record<FacilityKind, CareServiceName[]> = {
  hospital: ['inpatient'],
  'urgent-care': ['urgent-care'],
  'primary-care': ['primary-care'],
  veterans: ['veterans-care', 'primary-care'],
};

/**
 * A facility of the Location's own (source `fhir-location`, id = the
 * Location's id), for a Location no directory facility matches; null when it
 * has no name to show. Never an emergency department: nothing says it has one.
 */
export function ownFacility(place: LocationPlace): FacilityInput | null {
  if (!place.name) return null;
  const kind = guessKind(place.name);
  return {
    id: place.id,
    source: 'fhir-location',
    sourceKey: place.id,
    npi: null,
    providerNumber: null,
    kind,
    name: place.name,
    line: place.line,
    city: place.city,
    state: place.state,
    zip: place.zip,
    phone: place.phone,
    lat: place.lat,
    lon: place.lon,
    beds: null,
    emergency: false,
    region: regionOf(place.zip),
    timeZone: timeZoneOf(place.state).timeZone,
    services: KIND_SERVICES[kind],
  };
}
