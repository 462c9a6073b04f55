/** What a facility is (its directory source says). */
export const FACILITY_KINDS = ['hospital', 'urgent-care', 'primary-care', 'veterans'] as const;
export type FacilityKind = (typeof FACILITY_KINDS)[number];

/** The services a facility offers; practitioners' specialties are listed beside them. */
export const CARE_SERVICES = [
  'emergency',
  'urgent-care',
  'primary-care',
  'womens-health',
  'paediatrics',
  'veterans-care',
  'inpatient',
] as const;
export type CareServiceName = (typeof CARE_SERVICES)[number];
