import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { readNdjson } from '../../../platform/data/ndjson.js';
import { CONTRACEPTIVES, OTC, PRENATAL_IRON } from './clinical-catalogue.js';
import {
  ACUTE,
  CHRONIC,
  DELIVERY,
  INPATIENT,
  PREGNANCY_COMPLICATIONS,
  STI,
} from './conditions-catalogue.js';
import { SYSTEM, type Coding } from './fhir.js';
import { Weighted } from './prng.js';

export interface Place {
  city: string;
  state: string;
  postalCode: string;
  lat: number;
  lon: number;
}

export interface Facility {
  npi: string;
  name: string;
}

/** The real-world tables the generator draws from, read once per run. */
export interface ReferenceData {
  /** ZIP centroids, weighted by the hospital beds in their 3-digit ZIP area (see `loadPlaces`). */
  places: Weighted<Place>;
  hospitals: ReadonlyMap<string, readonly Facility[]>;
  urgentCare: ReadonlyMap<string, readonly Facility[]>;
  /** ICD-10-CM title by code without the dot. */
  icd: ReadonlyMap<string, string>;
  /** Deepest codes (no dot) outside the catalogues and the sensitive ranges, for a long tail. */
  icdLongTail: readonly string[];
  /** RxNorm display by code. */
  drugs: ReadonlyMap<string, string>;
  procedures: { routine: Weighted<Coding>; female: Weighted<Coding>; prenatal: readonly Coding[] };
}

type Row = Record<string, string>;

function readCsv(file: string, columns: boolean | string[] = true): Row[] {
  return parse(fs.readFileSync(file), {
    bom: true,
    columns,
    skip_empty_lines: true,
    relax_column_count: true,
    // With `columns`, csv-parse returns one object per row; its typings do not narrow to that.
  }) as unknown as Row[];
}

function byState(rows: Row[]): Map<string, Facility[]> {
  const out = new Map<string, Facility[]>();
  for (const r of rows) {
    if (!r.npi || !r.state) continue;
    const list = out.get(r.state) ?? [];
    list.push({ npi: r.npi, name: r.name ?? '' });
    out.set(r.state, list);
  }
  return out;
}

/**
 * ZIP centroids with a ZCTA. zipcodes.csv has no population, so each 3-digit
 * ZIP area gets the hospital beds located in it (hospitals.csv; 20 beds where it
 * has none, so rural areas still appear) spread evenly over its ZIPs: patients
 * cluster in metro areas, and states come out roughly in proportion to size.
 */
function loadPlaces(zips: Row[], hospitals: Row[]): Weighted<Place> {
  const beds = new Map<string, number>();
  for (const h of hospitals) {
    const zip3 = (h.zip ?? '').padStart(9, '0').slice(0, 3);
    beds.set(zip3, (beds.get(zip3) ?? 0) + (Number(h.bed_count) || 25));
  }
  const places: Place[] = zips
    .filter((z) => /^\d{5}$/.test(z.ZCTA5 ?? ''))
    .map((z) => ({
      city: z.NAME ?? '',
      state: z.ST ?? '',
      postalCode: z.ZCTA5!,
      lat: Number(z.LAT),
      lon: Number(z.LON),
    }));
  const perZip3 = new Map<string, number>();
  for (const p of places)
    perZip3.set(p.postalCode.slice(0, 3), (perZip3.get(p.postalCode.slice(0, 3)) ?? 0) + 1);
  return new Weighted(
    places.map((p) => {
      const zip3 = p.postalCode.slice(0, 3);
      return [p, Math.max(20, beds.get(zip3) ?? 0) / perZip3.get(zip3)!] as const;
    }),
  );
}

const PRENATAL =
  /fetal|fundal|antenatal|prenatal|pregnancy test|Rubella|Blood group|group B antigen|Urine screening for glucose|Urine protein test|aneuploidy/i;
const FEMALE = /contracept|intrauterine|genital|mammogra|breast/i;
/** Specialist or end-of-life care, deliveries and terminations: never drawn at random. */
const SPECIALIST =
  /dialysis|chemotherapy|transplant|hospice|termination|death|nursing|epidermal|coronary|electroenceph|brain volume|anesthe|epidural|sleep apnea monitoring|referral|ancillary|face mask|discharge|care regimes|therapy|notifications|certification|childbirth|cesarean|delivery/i;

/**
 * Procedure codes from Synthea's sample Procedure file, each weighted by how
 * many of its patients had it (not by row count: one dialysis patient makes 21%
 * of the rows).
 */
function loadProcedures(file: string): ReferenceData['procedures'] {
  const patients = new Map<string, Set<string>>();
  const codings = new Map<string, Coding>();
  for (const p of readNdjson<{ code: { coding: Coding[] }; subject: { reference: string } }>(
    file,
  )) {
    const c = p.code.coding[0]!;
    if (!codings.has(c.code))
      codings.set(c.code, { system: c.system, code: c.code, display: c.display });
    const set = patients.get(c.code) ?? new Set<string>();
    set.add(p.subject.reference);
    patients.set(c.code, set);
  }
  const all = [...codings.values()].sort((a, b) => a.code.localeCompare(b.code));
  const weighted = (keep: (c: Coding) => boolean) =>
    new Weighted(all.filter(keep).map((c) => [c, patients.get(c.code)!.size] as const));
  const general = (c: Coding) => !SPECIALIST.test(c.display) && !PRENATAL.test(c.display);
  return {
    routine: weighted((c) => general(c) && !FEMALE.test(c.display)),
    female: weighted((c) => general(c) && FEMALE.test(c.display)),
    prenatal: all.filter((c) => PRENATAL.test(c.display) && !SPECIALIST.test(c.display)),
  };
}

function loadIcd(file: string): { icd: Map<string, string>; longTail: string[] } {
  const rows = readCsv(file, ['code', 'title']);
  const icd = new Map(rows.map((r) => [r.code!, r.title!]));
  const codes = [...icd.keys()].sort();
  const leaves = codes.filter((c, i) => !codes[i + 1]?.startsWith(c));
  // Chapters of everyday primary care; not cancer, mental health, pregnancy, injuries or external causes.
  const longTail = leaves.filter((c) => /^[ABDEGHIJKLMNR]/.test(c) && !/^(A[56]|B20)/.test(c));
  return { icd, longTail };
}

/** Every code the catalogues name, so a typo fails at load, not as a missing display. */
function checkCatalogues(
  icd: ReadonlyMap<string, string>,
  drugs: ReadonlyMap<string, string>,
): void {
  const dx = [
    ...CHRONIC.flatMap((c) => c.codes.map(([code]) => code)),
    ...[...ACUTE, ...INPATIENT, ...STI].map((a) => a.code),
    ...PREGNANCY_COMPLICATIONS.map(([code]) => code),
    DELIVERY,
  ];
  const rx = [
    ...[...CHRONIC, ...ACUTE, ...INPATIENT, ...STI].flatMap((c) =>
      (c.drugs ?? []).map(([code]) => code),
    ),
    ...[...CONTRACEPTIVES, ...OTC].map(([code]) => code),
    PRENATAL_IRON,
  ];
  const missing = [
    ...dx.filter((c) => !icd.has(c.replace('.', ''))).map((c) => `ICD-10-CM ${c}`),
    ...rx.filter((c) => !drugs.has(c)).map((c) => `RxNorm ${c}`),
  ];
  if (missing.length)
    throw new Error(`Codes missing from the reference data: ${missing.join(', ')}`);
}

/** `predniSONE 5 MG Oral Tablet -- note ...` → `predniSONE 5 MG Oral Tablet`. */
export function drugName(comment: string): string {
  return comment.split(/\s*--|\s+-\s/)[0]!.trim();
}

/** Reads the reference tables under `dir` (the shared data folder). */
export function loadReferenceData(dir: string): ReferenceData {
  const hospitals = readCsv(path.join(dir, 'facilities/hospitals.csv'));
  const { icd, longTail } = loadIcd(path.join(dir, 'codes/icd10cm-2018-categories.csv'));
  const drugs = new Map(
    readCsv(path.join(dir, 'drugs/medications.csv')).map((r) => [
      r.CODE!,
      drugName(r.COMMENTS ?? ''),
    ]),
  );
  checkCatalogues(icd, drugs);
  return {
    places: loadPlaces(readCsv(path.join(dir, 'facilities/zipcodes.csv')), hospitals),
    hospitals: byState(hospitals),
    urgentCare: byState(readCsv(path.join(dir, 'facilities/urgent_care_facilities.csv'))),
    icd,
    icdLongTail: longTail,
    drugs,
    procedures: loadProcedures(path.join(dir, 'synthea/Procedure.000.ndjson')),
  };
}

/** An ICD-10-CM coding (dotted code) with its title. */
export function icdCoding(ref: ReferenceData, code: string): Coding {
  const bare = code.replace('.', '');
  const display = ref.icd.get(bare);
  if (display === undefined) throw new Error(`ICD-10-CM ${code} is not in the reference data`);
  return {
    system: SYSTEM.icd10cm,
    code: bare.length > 3 ? `${bare.slice(0, 3)}.${bare.slice(3)}` : bare,
    display,
  };
}

export function rxCoding(ref: ReferenceData, code: string): Coding {
  const display = ref.drugs.get(code);
  if (display === undefined) throw new Error(`RxNorm ${code} is not in the reference data`);
  return { system: SYSTEM.rxnorm, code, display };
}
