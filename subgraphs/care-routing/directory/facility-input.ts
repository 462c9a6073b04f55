import type { CareServiceName, FacilityKind } from '../domain/facility-kinds.js';

/** Where a facility row comes from: a directory file, or a FHIR Location of its own. */
export const FACILITY_SOURCES = [
  'hospitals',
  'urgent-care',
  'primary-care-women',
  'primary-care-children',
  'va',
  'fhir-location',
] as const;
export type FacilitySource = (typeof FACILITY_SOURCES)[number];

/** One facility as the directory import writes it (the `facility` row and its services). */
export interface FacilityInput {
  /** Deterministic: {@link facilityId} of source and sourceKey (a FHIR Location's own id for `fhir-location`). */
  id: string;
  source: FacilitySource;
  /** The source's natural key: the NPI for CMS files, station id and name digest for VA, the Location id. */
  sourceKey: string;
  npi: string | null;
  providerNumber: string | null;
  kind: FacilityKind;
  name: string;
  line: string | null;
  city: string | null;
  state: string | null;
  /** First five digits. */
  zip: string | null;
  /** Digits only (the first number when a row lists several). */
  phone: string | null;
  lat: number;
  lon: number;
  beds: number | null;
  emergency: boolean;
  /** ZIP3, or 'unknown' without a ZIP. */
  region: string;
  timeZone: string;
  services: CareServiceName[];
}

/** Why a row was not imported (or was imported with a caveat, for `unknown-time-zone`). */
export type SkipReason =
  | 'missing-name'
  | 'name-too-long'
  | 'missing-key'
  | 'missing-coordinates'
  | 'invalid-coordinates'
  | 'coordinates-far-from-zip'
  | 'duplicate-key'
  | 'no-position'
  | 'invalid-id';

/** A row the import left out, with where it was and why. */
export interface SkippedRow {
  file: string;
  /** The row's line in its file (1 = the header), or its index for in-memory input. */
  line: number;
  reason: SkipReason;
  /** The row's key when it has one (never PHI: facility data is public). */
  key?: string;
}

/** Rows read from one file: what maps to facilities and what was left out. */
export interface DirectoryFileRead {
  file: string;
  rows: number;
  facilities: FacilityInput[];
  skipped: SkippedRow[];
  /** Ids of facilities imported in UTC because their state has no known zone (domain/state-time-zones.ts). */
  unknownTimeZone: string[];
}
