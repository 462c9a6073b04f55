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
  },
  Mutation: {
    reportFacilityStatus: reportsStatus,
    reportTraffic: reportsTraffic,
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
    'PageInfo',
    // Facility.specialties and Facility.nextAvailable: directory data from scheduling's events, no PHI.
    'FreeSlot',
    'Practitioner',
  ),
});
