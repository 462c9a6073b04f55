import { allow, allowTypes, anyRole, buildShield } from '../../platform/authz/rules.js';

/** Care routing's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    _entities: anyRole,
    // The directory and capacity hold no PHI: any signed-in caller, partner apps included.
    facility: anyRole,
    nearbyFacilities: anyRole,
  },
  ...allowTypes(
    '_Service',
    'Facility',
    'FacilityAddress',
    'GeoPoint',
    'NearbyFacility',
    'NearbyFacilityConnection',
    'NearbyFacilityEdge',
    'PageInfo',
  ),
});
