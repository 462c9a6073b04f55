import { describe, expect, it } from 'vitest';
import { sharedDataDir } from '../../subgraphs/fhir-adapter/population/data-dir.js';
import {
  DEFAULT_UNTIL,
  generatePatient,
  windowOf,
} from '../../subgraphs/fhir-adapter/population/generate.js';
import { loadReferenceData } from '../../subgraphs/fhir-adapter/population/reference-data.js';
import {
  PopulationSeries,
  wholeWeeks,
  type ResourceLike,
} from '../../subgraphs/open-data/domain/forecast/population-series.js';

const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';

const patient = (id: string, postalCode?: string): ResourceLike => ({
  resourceType: 'Patient',
  id,
  ...(postalCode ? { address: [{ postalCode }] } : {}),
});
const encounter = (cls: string, patientId: string, start: string, code = '185347001') => ({
  resourceType: 'Encounter',
  id: `${patientId}-${start}`,
  class: { code: cls },
  type: [{ coding: [{ code, display: `type ${code}` }], text: `Type ${code}` }],
  subject: { reference: `Patient/${patientId}` },
  period: { start },
});
const request = (code: string, authoredOn: string, status = 'completed') => ({
  resourceType: 'MedicationRequest',
  id: `${code}-${authoredOn}`,
  status,
  medicationCodeableConcept: { coding: [{ system: RX, code, display: `Drug ${code}` }] },
  authoredOn,
});

describe('PopulationSeries', () => {
  it('counts admissions per ZIP3 even when encounters come before their patient', () => {
    const s = new PopulationSeries();
    s.add(encounter('IMP', 'a', '2025-12-31T10:00:00Z'));
    s.add(encounter('IMP', 'b', '2026-01-02T10:00:00Z'));
    s.add(encounter('IMP', 'c', '2026-01-06T10:00:00Z'));
    s.add(encounter('EMER', 'a', '2026-01-06T10:00:00Z'));
    s.add(patient('a', '64111'));
    s.add(patient('b', '64155-1234'));
    s.add(patient('c'));
    const admissions = s.top('admissions-by-region', 5, '2025-12-22', '2026-01-12');
    expect(admissions.map((a) => [a.key, a.total])).toEqual([
      ['641', 2],
      ['unknown', 1],
    ]);
    expect(admissions[0]!.points.map((p) => p.value)).toEqual([0, 2, 0, 0]);
  });

  it('counts ambulatory and virtual encounters per type, and requests per RxNorm code', () => {
    const s = new PopulationSeries();
    s.add(encounter('AMB', 'a', '2024-03-04T09:00:00Z', '1'));
    s.add(encounter('VR', 'a', '2024-03-10T09:00:00Z', '1'));
    s.add(encounter('AMB', 'a', '2024-03-11T09:00:00Z', '2'));
    s.add(encounter('HH', 'a', '2024-03-11T09:00:00Z', '3'));
    s.add(request('198440', '2024-03-05T12:00:00Z'));
    s.add(request('198440', '2024-03-05T12:00:00Z', 'entered-in-error'));
    s.add(request('198440', 'not a date'));
    s.add({ resourceType: 'Observation', id: 'x' });
    const all = s.series('2024-03-04', '2024-03-11');
    expect(all.map((x) => [x.family, x.key, x.label, x.points.map((p) => p.value)])).toEqual([
      ['ambulatory-by-type', '1', 'Type 1', [2, 0]],
      ['ambulatory-by-type', '2', 'Type 2', [0, 1]],
      ['medication-requests-by-drug', '198440', 'Drug 198440', [1, 0]],
    ]);
  });

  it('agrees with a direct count over a generated population', () => {
    const ref = loadReferenceData(sharedDataDir());
    const opts = { seed: 7, years: 2, until: DEFAULT_UNTIL };
    const s = new PopulationSeries();
    let admissions = 0;
    let requests = 0;
    for (let i = 0; i < 150; i++) {
      generatePatient(ref, opts, i, (r) => {
        s.add(r);
        const cls = (r.class as { code?: string } | undefined)?.code;
        if (r.resourceType === 'Encounter' && cls === 'IMP') admissions++;
        if (r.resourceType === 'MedicationRequest') requests++;
      });
    }
    const w = windowOf(opts);
    // Whole window, partial edge weeks included, so nothing is dropped.
    const all = s.series(
      new Date(w.start * 1000).toISOString().slice(0, 10),
      new Date(w.until * 1000).toISOString().slice(0, 10),
    );
    const total = (f: string) => all.filter((x) => x.family === f).reduce((a, x) => a + x.total, 0);
    expect(total('admissions-by-region')).toBe(admissions);
    expect(total('medication-requests-by-drug')).toBe(requests);
    expect(admissions).toBeGreaterThan(0);
    expect(all.every((x) => x.points.length === all[0]!.points.length)).toBe(true);
  });
});

describe('wholeWeeks', () => {
  it('keeps only weeks wholly inside the window', () => {
    expect(wholeWeeks('2021-01-01T00:00:00Z', '2026-01-01T00:00:00Z')).toEqual({
      from: '2021-01-04',
      to: '2025-12-22',
    });
    expect(wholeWeeks('2021-01-04', '2026-01-05')).toEqual({
      from: '2021-01-04',
      to: '2025-12-29',
    });
  });
});
