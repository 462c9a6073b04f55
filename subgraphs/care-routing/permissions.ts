import {
  allow,
  allowTypes,
  and,
  anyRole,
  buildShield,
  hasRole,
  hasScope,
} from '../../platform/authz/rules.js';

// Facility staff (administrators, clinicians) and partner feeds (system/Location.u, through a
// persisted operation) report status; partner feeds and administrators report traffic.
const reportsStatus = and(hasRole('admin', 'clinician', 'partner'), hasScope('Location', 'u'));
const reportsTraffic = and(hasRole('admin', 'partner'), hasScope('Location', 'u'));

/** Care routing's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    _entities: anyRole,
    // The directory and capacity hold no PHI: any signed-in caller, partner apps included.
    facility: anyRole,
    nearbyFacilities: anyRole,
    // From a place: no patient, no PHI.
    careRecommendations: anyRole,
  },
  Mutation: {
    reportFacilityStatus: reportsStatus,
    reportTraffic: reportsTraffic,
    // The patient's own (or their app's); the kernel decides whose, inside the write.
    setCarePreferences: and(hasRole('patient', 'partner'), hasScope('Patient', 'u')),
  },
  Patient: {
    id: allow,
    address: allow,
    // Decided by the kernel per patient (role, scope, compartment, consent) and audited.
    careOptions: anyRole,
    carePreferences: anyRole,
  },
  ...allowTypes(
    '_Service',
    'Facility',
    'FacilityAddress',
    'GeoPoint',
    'FacilityStatus',
    'ReportedInt',
    'ReportedBoolean',
    'ReportedHours',
    'OpeningInterval',
    'FacilityStatusReport',
    'FacilityStatusReportEdge',
    'FacilityStatusReportConnection',
    'FacilityStatusReportResult',
    'NearbyFacility',
    'NearbyFacilityConnection',
    'NearbyFacilityEdge',
    'CareRecommendations',
    'CareRecommendation',
    'ScoreFactor',
    'FactorWeight',
    'RecommendedSlot',
    'CarePreferences',
    'Address',
    'PageInfo',
    // Facility.specialties and Facility.nextAvailable: directory data from scheduling's events, no PHI.
    'FreeSlot',
    'Practitioner',
  ),
});
