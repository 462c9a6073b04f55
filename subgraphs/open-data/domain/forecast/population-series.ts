import { addWeeks, dayMs, weekOf } from './iso-week.js';
import { fillWeeks } from './series.js';
import type { WeeklyPoint } from './types.js';

/**
 * Weekly count series derived from FHIR R4 resources (the synthetic
 * population, or any export of the same shapes), for the forecast bench and
 * tests. Three families:
 *
 * - `admissions-by-region`: inpatient Encounters (class `IMP`) by the week of
 *   period.start, per region = the first three digits of the patient's
 *   address postalCode (ZIP3). The patient's home stands in for the
 *   hospital's region: the generator admits a patient to a hospital near home.
 * - `ambulatory-by-type`: ambulatory and virtual Encounters (class `AMB`,
 *   `VR`) per encounter type (SNOMED), a stand-in for appointment demand per
 *   specialty, which the resources do not carry.
 * - `medication-requests-by-drug`: MedicationRequests (not entered-in-error)
 *   by authoredOn week per RxNorm code, a stand-in for dispensing per drug
 *   (requests, not units dispensed).
 *
 * Resources may come in any order (an Encounter before its Patient): regions
 * are resolved when the series are read.
 */
export type SeriesFamily =
  'admissions-by-region' | 'ambulatory-by-type' | 'medication-requests-by-drug';

export const SERIES_FAMILIES: readonly SeriesFamily[] = [
  'admissions-by-region',
  'ambulatory-by-type',
  'medication-requests-by-drug',
];

export interface NamedSeries {
  family: SeriesFamily;
  key: string;
  label: string;
  /** Sum over the weeks of the series. */
  total: number;
  points: WeeklyPoint[];
}

/** The least a resource must be to be offered: FHIR JSON with a resourceType. */
export interface ResourceLike {
  resourceType: string;
  [key: string]: unknown;
}

/** The region of a patient with no usable postal code. */
export const UNKNOWN_REGION = 'unknown';

type Counts = Map<string, Map<string, number>>;

export class PopulationSeries {
  private readonly regionOf = new Map<string, string>();
  /** Admission weeks per patient id, counted per region once regions are known. */
  private readonly admissions = new Map<string, string[]>();
  private readonly counts = new Map<SeriesFamily, Counts>(
    SERIES_FAMILIES.map((f) => [f, new Map()]),
  );
  private readonly labels = new Map<string, string>();

  /** Counts one resource (types other than Patient, Encounter and MedicationRequest are ignored). */
  add(r: ResourceLike): void {
    switch (r.resourceType) {
      case 'Patient':
        return this.addPatient(r);
      case 'Encounter':
        return this.addEncounter(r);
      case 'MedicationRequest':
        return this.addMedicationRequest(r);
      default:
        return;
    }
  }

  /**
   * Every series, dense over the weeks from `from` to `to` (Mondays or any
   * day of the week; both included), zero-filled; counts outside are dropped.
   * Ordered by family, then total (largest first), then key.
   */
  series(from: string, to: string): NamedSeries[] {
    const admissions = this.family('admissions-by-region');
    admissions.clear();
    for (const [patient, weeks] of this.admissions) {
      const region = this.regionOf.get(patient) ?? UNKNOWN_REGION;
      for (const w of weeks) bump(admissions, region, w);
    }
    const out: NamedSeries[] = [];
    for (const family of SERIES_FAMILIES) {
      const named = [...this.family(family)].map(([key, weeks]) => {
        const points = fillWeeks(
          [...weeks].map(([week, value]) => ({ week, value })),
          from,
          to,
        );
        const total = points.reduce((s, p) => s + p.value, 0);
        const label = this.labels.get(`${family}|${key}`) ?? key;
        return { family, key, label, total, points };
      });
      named.sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      out.push(...named);
    }
    return out;
  }

  /** The `n` largest series of a family over the weeks from `from` to `to`. */
  top(family: SeriesFamily, n: number, from: string, to: string): NamedSeries[] {
    return this.series(from, to)
      .filter((s) => s.family === family)
      .slice(0, n);
  }

  private family(f: SeriesFamily): Counts {
    return this.counts.get(f)!;
  }

  private addPatient(r: ResourceLike): void {
    const id = str(r.id);
    if (!id) return;
    const zip = str(field(first(r.address), 'postalCode'));
    const zip3 = zip && /^\d{3}/.exec(zip)?.[0];
    this.regionOf.set(id, zip3 ? zip3 : UNKNOWN_REGION);
  }

  private addEncounter(r: ResourceLike): void {
    const cls = str(field(r.class, 'code'));
    const week = weekOfDate(field(r.period, 'start'));
    if (!cls || !week) return;
    if (cls === 'IMP') {
      const patient = patientId(str(field(r.subject, 'reference')));
      if (!patient) return;
      const weeks = this.admissions.get(patient) ?? [];
      weeks.push(week);
      this.admissions.set(patient, weeks);
    } else if (cls === 'AMB' || cls === 'VR') {
      const type = first(r.type);
      const coding = first(field(type, 'coding'));
      const code = str(field(coding, 'code'));
      if (!code) return;
      const label = str(field(type, 'text')) ?? str(field(coding, 'display')) ?? code;
      this.count('ambulatory-by-type', code, label, week);
    }
  }

  private addMedicationRequest(r: ResourceLike): void {
    if (r.status === 'entered-in-error') return;
    const week = weekOfDate(r.authoredOn);
    if (!week) return;
    const concept = r.medicationCodeableConcept;
    const codings: unknown = field(concept, 'coding');
    const rx = Array.isArray(codings)
      ? (codings as unknown[]).find((c) => str(field(c, 'system')) === RXNORM)
      : undefined;
    const code = str(field(rx, 'code'));
    if (!code) return;
    const label = str(field(rx, 'display')) ?? str(field(concept, 'text')) ?? code;
    this.count('medication-requests-by-drug', code, label, week);
  }

  private count(family: SeriesFamily, key: string, label: string, week: string): void {
    bump(this.family(family), key, week);
    if (!this.labels.has(`${family}|${key}`)) this.labels.set(`${family}|${key}`, label);
  }
}

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

/**
 * The whole weeks of a history window: from the first Monday on or after
 * `start` to the last week that ends by `until` (partial weeks at either end
 * would read as a drop in demand). Dates or dateTimes, UTC.
 */
export function wholeWeeks(start: string, until: string): { from: string; to: string } {
  const firstMonday = weekOf(start);
  const from = firstMonday === start.slice(0, 10) ? firstMonday : addWeeks(firstMonday, 1);
  // A week ends at the next Monday 00:00; `until` itself is an instant.
  const untilMs = Date.parse(until.length > 10 ? until : `${until}T00:00:00Z`);
  let to = weekOf(until);
  if (dayMs(addWeeks(to, 1)) > untilMs) to = addWeeks(to, -1);
  return { from, to };
}

function bump(counts: Counts, key: string, week: string): void {
  const weeks = counts.get(key) ?? new Map<string, number>();
  weeks.set(week, (weeks.get(week) ?? 0) + 1);
  counts.set(key, weeks);
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? (value as unknown[])[0] : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The week of a FHIR date or dateTime, or undefined for anything else. */
function weekOfDate(value: unknown): string | undefined {
  const s = str(value);
  if (!s) return undefined;
  try {
    return weekOf(s);
  } catch {
    return undefined;
  }
}

function patientId(reference: string | undefined): string | undefined {
  return reference?.startsWith('Patient/') ? reference.slice('Patient/'.length) : undefined;
}
