import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clinicalFacts, type ClinicalType } from './clinical-kinds.js';
import {
  ACT_CODE,
  CONFIDENTIALITY,
  SEGMENTS,
  normalise,
  securityLabels,
  segmentsOf,
  segmentsOfLabels,
  type Segment,
} from '../../contracts/security-labels.js';
import {
  ICD10,
  ICD10CM,
  LOINC,
  NOT_SENSITIVE,
  RXNORM,
  SENSITIVITY_CODES,
  SNOMED,
} from '../../contracts/sensitivity-codes.js';
import { readSynthea, sharedDataDir } from './testing.js';

const of = (system: string, ...codes: string[]) =>
  segmentsOf(codes.map((code) => ({ system, code })));
const conf = (code: string) => ({ system: CONFIDENTIALITY, code });
const act = (code: string) => ({ system: ACT_CODE, code });

/** ICD-10-CM codes and categories (CMS, 2018), without dots. */
function icd10cmCodes(): Set<string> {
  const csv = fs.readFileSync(
    path.join(sharedDataDir(), 'codes', 'icd10cm-2018-categories.csv'),
    'utf8',
  );
  return new Set(csv.split('\n').map((line) => line.split(',')[0]!.trim()));
}

describe('sensitivity table', () => {
  it('has well-formed rows, ICD-10 codes that exist, no duplicates', () => {
    const icd = icd10cmCodes();
    const seen = new Set<string>();
    for (const row of SENSITIVITY_CODES) {
      expect(SEGMENTS).toContain(row.segment);
      expect([ICD10CM, SNOMED, LOINC, RXNORM]).toContain(row.system);
      expect(row.note.length).toBeGreaterThan(3);
      expect(row.from).toBe(row.from.trim());
      const k = `${row.segment}|${row.system}|${row.from}`;
      expect(seen.has(k), k).toBe(false);
      seen.add(k);
      if (row.system === ICD10CM) {
        expect(row.match).not.toBe('exact');
        expect(icd.has(row.from), row.from).toBe(true);
      } else {
        expect(row.match).toBe('exact');
      }
      if (row.match === 'range') {
        expect(row.from).toMatch(/^[A-Z][0-9][0-9A-Z]$/);
        expect(row.to).toMatch(/^[A-Z][0-9][0-9A-Z]$/);
        expect(icd.has(row.to!), row.to).toBe(true);
        expect(row.from < row.to!).toBe(true);
      } else {
        expect(row.to).toBeUndefined();
      }
      if (row.system === SNOMED || row.system === RXNORM) expect(row.from).toMatch(/^\d+$/);
      if (row.system === LOINC) expect(row.from).toMatch(/^\d+-\d$/);
    }
  });

  it('leaves the codes it means to leave alone unlabelled', () => {
    for (const { system, code, note } of NOT_SENSITIVE) expect(of(system, code), note).toEqual([]);
  });
});

describe('segmentsOf', () => {
  it('reads ICD-10 with or without the dot, in any case, CM or WHO', () => {
    for (const code of ['F11.20', 'F1120', 'f11.20', ' F11 '])
      expect(of(ICD10CM, code), code).toEqual(['ETH']);
    expect(of(ICD10, 'F10.2')).toEqual(['ETH']);
    expect(of(ICD10CM, 'F17.210')).toEqual([]);
    expect(of(ICD10CM, 'F17')).toEqual([]);
    expect(of(ICD10CM, 'F18.10')).toEqual(['ETH']);
    expect(of(ICD10CM, 'F32.9')).toEqual(['PSY']);
    expect(of(ICD10CM, 'F03.90')).toEqual(['PSY']);
    expect(of(ICD10CM, 'F99')).toEqual(['PSY']);
    expect(of(ICD10CM, 'R45.851')).toEqual(['PSY']);
    expect(of(ICD10CM, 'B20')).toEqual(['HIV']);
    expect(of(ICD10CM, 'Z21')).toEqual(['HIV']);
    expect(of(ICD10CM, 'O98.711')).toEqual(['HIV', 'SEX']);
    expect(of(ICD10CM, 'A56.01')).toEqual(['STD']);
    expect(of(ICD10CM, 'A64')).toEqual(['STD']);
    expect(of(ICD10CM, 'A65')).toEqual([]);
    expect(of(ICD10CM, 'O80')).toEqual(['SEX']);
    expect(of(ICD10CM, 'Z3A.20')).toEqual(['SEX']);
    expect(of(ICD10CM, 'Z30.011')).toEqual(['SEX']);
    expect(of(ICD10CM, 'T74.11XA')).toEqual(['SDV']);
    expect(of(ICD10CM, 'Z04.41')).toEqual(['SDV']);
    expect(of(ICD10CM, 'Z15.01')).toEqual(['GDIS']);
    expect(of(ICD10CM, 'Q90.9')).toEqual(['GDIS']);
    expect(of(ICD10CM, 'Z31.430')).toEqual(['SEX', 'GDIS']);
    expect(of(ICD10CM, 'O99.320')).toEqual(['ETH', 'SEX']);
    expect(of(ICD10CM, 'E11.9', 'I10', 'Z00.00')).toEqual([]);
  });

  it('orders categories with letters after digits: O9A is inside O00-O9A, after O99', () => {
    expect(of(ICD10CM, 'O99.89')).toEqual(['SEX']);
    expect(of(ICD10CM, 'O9A.311')).toEqual(['SEX', 'SDV']);
    expect(of(ICD10CM, 'O9A.13')).toEqual(['SEX']);
    expect(of(ICD10CM, 'O0')).toEqual([]);
    expect(of(ICD10CM, 'P00')).toEqual([]);
  });

  it('matches SNOMED CT, LOINC and RxNorm codes exactly', () => {
    expect(of(SNOMED, '7200002')).toEqual(['ETH']);
    expect(of(SNOMED, '5602001', '55680006')).toEqual(['ETH']);
    expect(of(SNOMED, '370143000')).toEqual(['PSY']);
    expect(of(SNOMED, '86406008')).toEqual(['HIV']);
    expect(of(SNOMED, '15628003')).toEqual(['STD']);
    expect(of(SNOMED, '72892002')).toEqual(['SEX']);
    expect(of(SNOMED, '706893006')).toEqual(['SDV']);
    expect(of(SNOMED, '443529005')).toEqual(['SEX', 'GDIS']);
    expect(of(SNOMED, '72002')).toEqual([]);
    expect(of(LOINC, '75622-1')).toEqual(['HIV']);
    expect(of(LOINC, '19295-5')).toEqual(['ETH']);
    expect(of(RXNORM, '351267')).toEqual(['ETH']);
    expect(of(RXNORM, '637213')).toEqual(['ETH']);
    expect(of(RXNORM, '807283')).toEqual(['SEX']);
    // The same code in another system means something else.
    expect(of(LOINC, '7200002')).toEqual([]);
    expect(
      segmentsOf([
        { system: null, code: '7200002' },
        { system: SNOMED, code: null },
      ]),
    ).toEqual([]);
  });

  it('labels the sensitive codes Synthea uses', () => {
    expect(of(SNOMED, '10939881000119105')).toEqual(['ETH']); // Unhealthy alcohol drinking behavior
    expect(of(SNOMED, '361055000')).toEqual(['ETH']); // Misuses drugs
    expect(of(SNOMED, '80583007')).toEqual(['PSY']); // Severe anxiety (panic)
    expect(of(SNOMED, '31676001')).toEqual(['HIV']); // HIV antigen test
    expect(of(SNOMED, '310861008')).toEqual(['STD']); // Chlamydia antigen test
    expect(of(SNOMED, '714812005')).toEqual(['SEX']); // Induced termination of pregnancy
    expect(of(SNOMED, '706893006')).toEqual(['SDV']); // Victim of intimate partner abuse
    expect(of(RXNORM, '389221')).toEqual(['SEX']); // Etonogestrel implant
  });
});

describe('securityLabels', () => {
  it('labels an unremarkable resource normal', () => {
    expect(securityLabels(undefined, [])).toEqual([{ ...conf('N'), display: 'normal' }]);
  });

  it('adds the segments, 42CFRPart2 with ETH, and restricted, sorted by system then code', () => {
    const labels = securityLabels([], ['PSY', 'ETH']);
    expect(labels.map((l) => `${l.system.replace(/.*\//, '')}#${l.code}`)).toEqual([
      'v3-ActCode#42CFRPart2',
      'v3-ActCode#ETH',
      'v3-ActCode#PSY',
      'v3-Confidentiality#R',
    ]);
    expect(labels.every((l) => l.display)).toBe(true);
    expect(securityLabels([], ['HIV']).map((l) => l.code)).toEqual(['HIV', 'R']);
  });

  it('keeps the labels already there, never twice, and does not change its input', () => {
    const existing = [
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'REDACTED' },
      { ...act('HIV'), display: 'as sent' },
      { system: 'urn:example:local', code: 'vip' },
    ];
    const copy = structuredClone(existing);
    const labels = securityLabels(existing, ['HIV', 'SEX']);
    expect(existing).toEqual(copy);
    expect(labels).toEqual([
      { ...act('HIV'), display: 'as sent' },
      { ...act('SEX'), display: 'sexuality and reproductive health information sensitivity' },
      { ...conf('R'), display: 'restricted' },
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'REDACTED' },
      { system: 'urn:example:local', code: 'vip' },
    ]);
    // A sensitivity already labelled stays even when the codes no longer show it.
    expect(securityLabels([act('ETH'), conf('R')], []).map((l) => l.code)).toEqual(['ETH', 'R']);
  });

  it('never lowers a confidentiality, and raises a lower one to restricted', () => {
    expect(
      securityLabels([conf('V')], ['ETH']).filter((l) => l.system === CONFIDENTIALITY),
    ).toEqual([{ ...conf('V'), display: 'very restricted' }]);
    expect(securityLabels([conf('R')], []).map((l) => l.code)).toEqual(['R']);
    expect(securityLabels([conf('N')], ['SDV']).map((l) => l.code)).toEqual(['SDV', 'R']);
    expect(securityLabels([conf('L')], []).map((l) => l.code)).toEqual(['N']);
    expect(securityLabels([conf('M'), conf('V'), conf('N')], []).map((l) => l.code)).toEqual(['V']);
  });
});

describe('segmentsOfLabels', () => {
  it('reads ActCode sensitivity labels and 42CFRPart2, nothing without the system', () => {
    expect(segmentsOfLabels([act('SDV'), act('HIV'), conf('R'), act('42CFRPart2')])).toEqual([
      'ETH',
      'HIV',
      'SDV',
    ]);
    expect(
      segmentsOfLabels([
        { code: 'HIV' },
        { system: ACT_CODE, code: null },
        { system: 'urn:x', code: 'PSY' },
      ]),
    ).toEqual([]);
    const round: Segment[] = ['PSY', 'GDIS'];
    expect(segmentsOfLabels(securityLabels([], round))).toEqual(round);
  });
});

describe('Synthea', () => {
  const TYPES = [
    'AllergyIntolerance',
    'Condition',
    'Device',
    'DocumentReference',
    'Encounter',
    'Immunization',
    'MedicationRequest',
    'Procedure',
  ] as const satisfies readonly ClinicalType[];

  /** Resources per segment for one file, from the codes and categories clinicalFacts reads. */
  function counts(type: ClinicalType): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of readSynthea<{ resourceType: ClinicalType }>(type)) {
      const f = clinicalFacts(r);
      const segments = segmentsOf([...f.codes, ...f.categories]);
      for (const s of segments) out[s] = (out[s] ?? 0) + 1;
      if (segments.length > 0) out.labelled = (out.labelled ?? 0) + 1;
    }
    return out;
  }

  it('labels the sensitive conditions, exactly these many', () => {
    // 555 conditions. ETH: 3 unhealthy drinking + 1 misuses drugs; PSY: 1 severe anxiety;
    // SEX: 5 pregnancies, 5 miscarriages, 1 tubal ligation history; SDV: 22 intimate partner abuse.
    expect(counts('Condition')).toEqual({ ETH: 4, PSY: 1, SEX: 11, SDV: 22, labelled: 38 });
  });

  it('labels the other clinical files, exactly these many', () => {
    const all = Object.fromEntries(TYPES.map((t) => [t, counts(t)]));
    // Only codes count: Synthea's notes restate sensitive conditions in text their codes never show.
    expect(all).toEqual({
      AllergyIntolerance: {},
      Condition: { ETH: 4, PSY: 1, SEX: 11, SDV: 22, labelled: 38 },
      Device: {},
      DocumentReference: {},
      Encounter: { SEX: 42, labelled: 42 },
      Immunization: {},
      MedicationRequest: { SEX: 17, labelled: 17 },
      Procedure: { GDIS: 3, HIV: 3, SEX: 93, STD: 9, labelled: 105 },
    });
  });

  it('normalises nothing but ICD-10', () => {
    expect(normalise(SNOMED, ' 7200002 ')).toBe('7200002');
    expect(normalise(LOINC, '75622-1')).toBe('75622-1');
    expect(normalise(ICD10, 'o9a.3')).toBe('O9A3');
  });
});
