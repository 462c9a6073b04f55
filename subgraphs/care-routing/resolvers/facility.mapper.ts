import type { FacilityRow } from '../store/facility-reads.js';
import type { CareServiceCode, FacilityKindCode } from './care-routing.enums.js';
import type { Facility } from './facility.types.js';

/** The GraphQL shape of a directory row. */
export function toFacility(f: FacilityRow): Facility {
  return {
    id: f.id,
    name: f.name,
    kind: f.kind as FacilityKindCode,
    npi: f.npi,
    address: { line: f.line, city: f.city, state: f.state, postalCode: f.zip },
    phone: f.phone,
    location: { latitude: f.lat, longitude: f.lon },
    beds: f.beds,
    emergency: f.emergency,
    services: f.services as CareServiceCode[],
    locationIds: f.locationIds,
    region: f.region,
    timeZone: f.timeZone,
  };
}
