import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNdjson } from '../../../platform/data/ndjson.js';
import {
  npiOf,
  practitionerFromFhir,
  rolesByNpi,
  type FhirPractitioner,
  type FhirPractitionerRole,
} from '../../contracts/fhir-practitioner.js';
import { checkImportBatch } from './practitioner-import.js';

// The seed's directory (scripts/stack.ts DEMO_DATA_DIR), without starting anything.
const DEMO_DATA_DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'data', 'synthea');
const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';
const practitioner: FhirPractitioner = {
  id: 'p-1',
  identifier: [
    { system: 'urn:other', value: 'x' },
    { system: NPI_SYSTEM, value: '9999908392' },
  ],
  name: [{ family: 'Emard19', given: ['Irvin970'], prefix: ['Dr.', 'Prof.'] }, { family: 'Old' }],
};
const role = (specialty: string, location: string): FhirPractitionerRole => ({
  practitioner: { identifier: { value: '9999908392' } },
  specialty: [{ text: specialty, coding: [{ display: 'ignored' }] }],
  location: [{ identifier: { value: location } }],
});

describe('practitionerFromFhir', () => {
  it('keeps the id, the NPI, the first name and the first prefix', () => {
    expect(practitionerFromFhir(practitioner)).toEqual({
      id: 'p-1',
      npi: '9999908392',
      family: 'Emard19',
      given: ['Irvin970'],
      prefix: 'Dr.',
      specialties: [],
      facilityIds: [],
      active: true,
    });
  });

  it('merges the roles: specialties (text, else first display) and locations, each once', () => {
    const f = practitionerFromFhir(practitioner, [
      role('General Practice Physician', 'loc-a'),
      {
        specialty: [{ coding: [{ display: 'Cardiology' }] }, {}],
        location: [{ identifier: { value: 'loc-b' } }],
      },
      role('General Practice Physician', 'loc-a'),
    ]);
    expect(f.specialties).toEqual(['General Practice Physician', 'Cardiology']);
    expect(f.facilityIds).toEqual(['loc-a', 'loc-b']);
  });

  it('falls back to the FHIR id for a missing NPI and Unknown for a missing name; keeps active', () => {
    const f = practitionerFromFhir({ id: 'p-2', active: false });
    expect(f).toMatchObject({
      npi: 'p-2',
      family: 'Unknown',
      given: [],
      prefix: null,
      active: false,
    });
  });

  it('groups roles by the NPI they name, skipping roles that name none', () => {
    const grouped = rolesByNpi([role('A', 'l1'), {}, role('B', 'l2')]);
    expect([...grouped.keys()]).toEqual(['9999908392']);
    expect(grouped.get('9999908392')).toHaveLength(2);
  });

  it('maps every Synthea practitioner to an entry the import accepts, one role each', () => {
    const roles = rolesByNpi(
      readNdjson<FhirPractitionerRole>(path.join(DEMO_DATA_DIR, 'PractitionerRole.000.ndjson')),
    );
    const entries = readNdjson<FhirPractitioner>(
      path.join(DEMO_DATA_DIR, 'Practitioner.000.ndjson'),
    ).map((p) => ({ ...practitionerFromFhir(p, roles.get(npiOf(p))), sourceKey: p.id }));
    expect(entries.length).toBeGreaterThan(0);
    expect(() => checkImportBatch(entries)).not.toThrow();
    for (const e of entries) {
      expect(e.npi).toMatch(/^999\d{7}$/);
      expect(e.specialties).toHaveLength(1);
      expect(e.facilityIds).toHaveLength(1);
    }
  });
});
