import { describe, expect, it } from 'vitest';
import { conditionCategory, safeCode, verhoeffValid } from './codes.js';
import { deniesResearch } from './research-consent.js';
import {
  ageBand,
  AGE_BANDS,
  RESTRICTED_ZIP3,
  safeZip3,
  storedBirthYear,
  yearOf,
} from './safe-harbor.js';

describe('Safe Harbor', () => {
  it('cuts ZIP codes to three digits, the 17 low-population prefixes to 000', () => {
    expect(safeZip3('66204')).toBe('662');
    expect(safeZip3('66204-1234')).toBe('662');
    expect(safeZip3('662041234')).toBe('662');
    expect(safeZip3('662')).toBe('662');
    expect([...RESTRICTED_ZIP3]).toHaveLength(17);
    for (const p of [
      '036',
      '059',
      '063',
      '102',
      '203',
      '556',
      '692',
      '790',
      '821',
      '823',
      '830',
      '831',
      '878',
      '879',
      '884',
      '890',
      '893',
    ])
      expect(safeZip3(`${p}12`)).toBe('000');
    expect(safeZip3('03601')).toBe('000');
    expect(safeZip3('10001')).toBe('100');
    for (const bad of ['', 'SW1A 1AA', '6620', 'ab123', null, undefined])
      expect(safeZip3(bad)).toBeNull();
  });

  it('keeps the year of a date, nothing finer', () => {
    expect(yearOf('2019-04-02T10:00:00Z')).toBe(2019);
    expect(yearOf('2019-04')).toBe(2019);
    expect(yearOf('2019')).toBe(2019);
    expect(yearOf('04/02/2019')).toBeNull();
    expect(yearOf(null)).toBeNull();
  });

  it('groups ages of 90 and over, and keeps no year of birth that says over 89', () => {
    expect(ageBand(0)).toBe('0-4');
    expect(ageBand(89)).toBe('85-89');
    expect(ageBand(90)).toBe('90+');
    expect(ageBand(117)).toBe('90+');
    expect(ageBand(-1)).toBeNull();
    expect(AGE_BANDS).toHaveLength(19);
    expect(storedBirthYear(1937, 2026)).toEqual({ birthYear: 1937, aged90Plus: false });
    expect(storedBirthYear(1936, 2026)).toEqual({ birthYear: null, aged90Plus: true });
    expect(storedBirthYear(null, 2026)).toEqual({ birthYear: null, aged90Plus: false });
  });
});

describe('codes', () => {
  it('keeps codes of the allowed systems in their own shape only', () => {
    expect(safeCode('http://hl7.org/fhir/sid/icd-10-cm', 'E11.9')).toBe('icd10|E119');
    expect(safeCode('http://snomed.info/sct', '44054006')).toBe('snomed|44054006');
    expect(safeCode('http://loinc.org', '4548-4')).toBe('loinc|4548-4');
    expect(safeCode('http://www.nlm.nih.gov/research/umls/rxnorm', '860975')).toBe('rxnorm|860975');
    expect(safeCode('http://hl7.org/fhir/sid/cvx', '140')).toBe('cvx|140');
    // Identifiers and names typed into codes: unknown systems, wrong shapes, a failed check digit.
    expect(safeCode('urn:oid:2.16.840.1.113883.4.1', '123-45-6789')).toBeNull();
    expect(safeCode('http://hl7.org/fhir/sid/icd-10-cm', 'Jane Doe')).toBeNull();
    expect(safeCode('http://loinc.org', 'jane@example.org')).toBeNull();
    expect(safeCode(null, 'E11.9')).toBeNull();
    expect(verhoeffValid('44054006')).toBe(true);
    expect(verhoeffValid('44054007')).toBe(false);
    expect(safeCode('http://snomed.info/sct', '123456789')).toBeNull();
  });

  it('maps ICD-10-CM codes to their chapter', () => {
    expect(conditionCategory(['snomed|44054006', 'icd10|E119'])).toBe('E00-E89');
    expect(conditionCategory(['icd10|I10'])).toBe('I00-I99');
    expect(conditionCategory(['icd10|O80'])).toBe('O00-O99');
    expect(conditionCategory(['icd10|S7200'])).toBe('S00-T88');
    expect(conditionCategory(['snomed|44054006'])).toBeNull();
  });
});

describe('research consents', () => {
  const at = new Date('2026-06-01T00:00:00Z');
  const consent = (over: object) => ({
    consentId: 'c',
    patientId: 'p',
    status: 'active' as const,
    scope: 'research' as const,
    provisions: [{ type: 'deny' as const }],
    periodStart: null,
    periodEnd: null,
    ...over,
  });
  it('a research deny in force opts out; a permit, an inactive or an expired one does not', () => {
    expect(deniesResearch(consent({}), at)).toBe(true);
    expect(deniesResearch(consent({ provisions: [{ type: 'permit' }] }), at)).toBe(false);
    expect(deniesResearch(consent({ status: 'inactive' }), at)).toBe(false);
    expect(deniesResearch(consent({ periodEnd: '2026-01-01T00:00:00Z' }), at)).toBe(false);
    expect(deniesResearch(consent({ periodStart: '2027-01-01T00:00:00Z' }), at)).toBe(false);
    expect(
      deniesResearch(consent({ scope: 'treatment', provisions: [{ type: 'deny' }] }), at),
    ).toBe(false);
    expect(
      deniesResearch(
        consent({ scope: 'patient-privacy', provisions: [{ type: 'deny', purposes: ['HRESCH'] }] }),
        at,
      ),
    ).toBe(true);
  });
});
