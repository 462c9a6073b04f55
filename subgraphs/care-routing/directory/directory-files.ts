import type { CareServiceName, FacilityKind } from '../domain/facility-kinds.js';
import type { FacilitySource } from './facility-input.js';

/** The two header shapes the directory files come in. */
export type FileShape = 'cms' | 'va';

/** One directory file: its shape, and what its facilities are and offer. */
export interface DirectoryFile {
  file: string;
  shape: FileShape;
  source: FacilitySource;
  kind: FacilityKind;
  /** Besides `emergency`, which follows each row's emergency column. */
  services: CareServiceName[];
}

/**
 * The files of a directory folder (Synthea's provider data), in import order.
 * sourceKey is the NPI for the CMS-shaped files (present on every row;
 * provider numbers are blank on most non-hospital rows) and the station id
 * for the VA file.
 */
export const DIRECTORY_FILES: readonly DirectoryFile[] = [
  {
    file: 'hospitals.csv',
    shape: 'cms',
    source: 'hospitals',
    kind: 'hospital',
    services: ['inpatient'],
  },
  {
    file: 'urgent_care_facilities.csv',
    shape: 'cms',
    source: 'urgent-care',
    kind: 'urgent-care',
    services: ['urgent-care'],
  },
  {
    file: 'primary_care_facilities_women.csv',
    shape: 'cms',
    source: 'primary-care-women',
    kind: 'primary-care',
    services: ['primary-care', 'womens-health'],
  },
  {
    file: 'primary_care_facilities_children.csv',
    shape: 'cms',
    source: 'primary-care-children',
    kind: 'primary-care',
    services: ['primary-care', 'paediatrics'],
  },
  {
    file: 'va_facilities.csv',
    shape: 'va',
    source: 'va',
    kind: 'veterans',
    services: ['veterans-care', 'primary-care'],
  },
];

/** The ZIP centroid file of the same folder. */
export const ZIP_CENTROID_FILE = 'zipcodes.csv';
