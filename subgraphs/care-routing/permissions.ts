import { allow, allowTypes, anyRole, buildShield } from '../../platform/authz/rules.js';

/** Care routing's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    _entities: anyRole,
    // The directory and capacity hold no PHI: any signed-in caller, partner apps included.
    facility: anyRole,
  },
  // Facility.specialties and Facility.nextAvailable: directory data from scheduling's events, no PHI.
  ...allowTypes('_Service', 'Facility', 'FacilityAddress', 'GeoPoint', 'FreeSlot', 'Practitioner'),
});
