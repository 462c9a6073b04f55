import { describe, expect, it } from 'vitest';
import { MRN_SYSTEM, samePatientData, type PatientData } from './patient-data.js';

const base: PatientData = {
  mrn: 'M-1',
  name: { family: 'Doe', given: ['Jo'] },
  birthDate: '1990-01-02',
  gender: 'other',
  telecom: [{ system: 'phone', value: '555-0100', use: 'home' }],
  address: [{ line: ['1 Road'], city: 'Town' }],
  identifiers: [{ system: MRN_SYSTEM, value: 'M-1' }],
  managingOrganizationId: null,
};

describe('samePatientData', () => {
  it('ignores key order, absent versus undefined or null members, and bookkeeping', () => {
    const stored = JSON.parse(JSON.stringify(base)) as PatientData;
    const sent: PatientData = {
      managingOrganizationId: undefined,
      identifiers: [{ value: 'M-1', system: MRN_SYSTEM }],
      address: [{ city: 'Town', line: ['1 Road'], state: undefined }],
      telecom: [{ use: 'home', value: '555-0100', system: 'phone' }],
      gender: 'other',
      birthDate: '1990-01-02',
      name: { given: ['Jo'], family: 'Doe' },
      mrn: 'M-1',
    };
    expect(samePatientData({ ...stored, id: 'x', version: 3 } as PatientData, sent)).toBe(true);
  });

  it('sees any change of value, case, list order or length', () => {
    const changes: Partial<PatientData>[] = [
      { mrn: 'm-1' },
      { name: { family: 'Doe', given: ['Jo', 'Al'] } },
      { telecom: [] },
      { address: [{ line: ['1 Road'], city: 'Town', postalCode: '01001' }] },
      { identifiers: [...base.identifiers, { system: 'urn:x', value: '1' }].reverse() },
      { managingOrganizationId: 'org-1' },
    ];
    for (const c of changes)
      expect(samePatientData(base, { ...base, ...c }), JSON.stringify(c)).toBe(false);
  });
});
