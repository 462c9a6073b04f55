/**
 * What a prescriber writes on a prescription, kept as one encrypted JSON per
 * version (the prescription's PHI): dose, route, frequency, duration,
 * indication, notes, the reason for its status, and the safety alerts shown
 * when it was written with any override and its reason.
 */

/** Routes of administration (SNOMED CT, the FHIR route-codes value set). */
export const ROUTES = {
  oral: { code: '26643006', display: 'Oral route' },
  sublingual: { code: '37839007', display: 'Sublingual route' },
  topical: { code: '6064005', display: 'Topical route' },
  inhalation: { code: '447694001', display: 'Respiratory tract route' },
  intravenous: { code: '47625008', display: 'Intravenous route' },
  intramuscular: { code: '78421000', display: 'Intramuscular route' },
  subcutaneous: { code: '34206005', display: 'Subcutaneous route' },
  transdermal: { code: '45890007', display: 'Transdermal route' },
  rectal: { code: '37161004', display: 'Rectal route' },
  vaginal: { code: '16857009', display: 'Vaginal route' },
  nasal: { code: '46713006', display: 'Nasal route' },
  ophthalmic: { code: '54485002', display: 'Ophthalmic route' },
  otic: { code: '10547007', display: 'Otic route' },
} as const;
export type Route = keyof typeof ROUTES;

/** Dose units (UCUM where one exists, else the dose form's unit as FHIR allows). */
export const DOSE_UNITS = [
  'mg',
  'ug',
  'g',
  'mL',
  'U',
  'tablet',
  'capsule',
  'puff',
  'patch',
  'drop',
  'spray',
  'application',
  'suppository',
  'device',
] as const;
export type DoseUnit = (typeof DOSE_UNITS)[number];

/** FHIR Timing.repeat period units. */
export const PERIOD_UNITS = ['h', 'd', 'wk', 'mo'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

export interface Dose {
  value: number;
  unit: DoseUnit;
}

/** `times` doses every `period` `unit` (twice a day: 2 per 1 d). */
export interface Frequency {
  times: number;
  period: number;
  unit: PeriodUnit;
}

export interface Indication {
  system: string | null;
  code: string | null;
  text: string | null;
}

/** An alert as it was shown when the prescription (version) was written: codes, no patient data. */
export interface AlertRecord {
  code: string;
  kind: string;
  severity: string;
  blocking: boolean;
  message: string;
}

/** A blocking alert the prescriber overrode, and why. */
export interface AlertOverride {
  alertCode: string;
  reason: string;
}

export interface PrescriptionDetail {
  dose: Dose;
  route: Route;
  frequency: Frequency;
  asNeeded: boolean;
  durationDays: number | null;
  indication: Indication | null;
  notes: string | null;
  /** Why the status is what it is (on hold, stopped, cancelled, entered in error). */
  statusReason: string | null;
  alerts: AlertRecord[];
  overrides: AlertOverride[];
}
