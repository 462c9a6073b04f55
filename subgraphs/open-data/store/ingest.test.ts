import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsentChangedData } from '../../../platform/authz/access-facts/events.js';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../../platform/testing/subgraph-test-store.js';
import type { ClinicalChangedData } from '../../contracts/clinical-events.js';
import { pseudonymsOf } from '../domain/pseudonyms.js';
import { entities } from '../entities/index.js';
import { migrations } from '../migrations/index.js';
import { SCHEMA } from '../server.js';
import {
  ingestAppointments,
  ingestClinical,
  ingestConsent,
  ingestDispenses,
  ingestProfiles,
  ingestSchedule,
  type Ingest,
} from './ingest.js';

let store: SubgraphTestStore;
const ids = pseudonymsOf(randomBytes(32));
const NOW = new Date('2026-06-01T00:00:00Z');
beforeAll(async () => {
  store = await openSubgraphTestStore('opendata_ingest', { schema: SCHEMA, entities, migrations });
  await store.orm.em.fork().execute(
    `INSERT INTO facility_region (facility_ref, region) VALUES
       ('Organization?identifier=http://hl7.org/fhir/sid/us-npi|1234567893', '662')`,
  );
});
afterAll(async () => store?.close());

/** Runs ingestion in one transaction, as one delivery does. */
const run = (f: (x: Ingest) => Promise<void>) =>
  store.orm.em.fork().transactional((em) => f({ em, ids, now: NOW }));
const rows = <T>(sql: string, params: unknown[] = []) =>
  store.orm.em.fork().execute<T[]>(sql, params);

const clinical = (
  patientId: string,
  over: Partial<ClinicalChangedData> = {},
): ClinicalChangedData => ({
  resourceId: randomUUID(),
  resourceType: 'Condition',
  patientId,
  version: 1,
  status: 'active',
  codes: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E11.9' }],
  categories: [],
  start: '2023-04-17T10:30:00Z',
  end: null,
  labels: [],
  enteredInError: false,
  facilities: [],
  ...over,
});

const researchDeny = (patientId: string, consentId = randomUUID()): ConsentChangedData => ({
  consentId,
  patientId,
  status: 'active',
  scope: 'research',
  provisions: [{ type: 'deny' }],
  periodStart: null,
  periodEnd: null,
});

describe('de-identification at ingestion', () => {
  it('keeps a year of birth only to 89, ZIP3 with the restricted prefixes as 000, and a pseudonym', async () => {
    const [old, young, rural, none] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await run((x) =>
      ingestProfiles(x, [
        { patientId: old, version: 1, birthYear: 1935, sex: 'female', zip3: '662' },
        { patientId: young, version: 1, birthYear: 1990, sex: 'male', zip3: '100' },
        { patientId: rural, version: 1, birthYear: 1937, sex: 'other', zip3: '036' },
        { patientId: none, version: 1, birthYear: null, sex: 'unknown', zip3: null },
      ]),
    );
    const got = await rows<{
      pseudonym: string;
      birth_year: number | null;
      aged_90_plus: boolean;
      zip3: string | null;
      sex: string;
    }>(
      'SELECT pseudonym, birth_year, aged_90_plus, zip3, sex FROM subject WHERE pseudonym IN (?, ?, ?, ?)',
      [old, young, rural, none].map((p) => ids.patient(p)),
    );
    const by = new Map(got.map((r) => [r.pseudonym, r]));
    // 2026 − 1935 = 91: over 89, so no year is kept at all.
    expect(by.get(ids.patient(old))).toMatchObject({
      birth_year: null,
      aged_90_plus: true,
      zip3: '662',
    });
    expect(by.get(ids.patient(young))).toMatchObject({
      birth_year: 1990,
      aged_90_plus: false,
      zip3: '100',
    });
    // 2026 − 1937 = 89: kept; 036 is a restricted prefix.
    expect(by.get(ids.patient(rural))).toMatchObject({
      birth_year: 1937,
      zip3: '000',
      sex: 'other',
    });
    expect(by.get(ids.patient(none))).toMatchObject({
      birth_year: null,
      aged_90_plus: false,
      zip3: null,
    });
    // The pseudonym is a keyed hash: neither the id nor its plain hash.
    for (const r of got) expect(r.pseudonym).toMatch(/^[0-9a-f]{64}$/);
    const text = JSON.stringify(await rows('SELECT * FROM subject'));
    for (const p of [old, young, rural, none]) expect(text).not.toContain(p);
  });

  it('an older profile version changes nothing', async () => {
    const p = randomUUID();
    await run((x) =>
      ingestProfiles(x, [
        { patientId: p, version: 3, birthYear: 1980, sex: 'female', zip3: '662' },
      ]),
    );
    await run((x) =>
      ingestProfiles(x, [{ patientId: p, version: 2, birthYear: 1981, sex: 'male', zip3: '100' }]),
    );
    const [r] = await rows<{ birth_year: number; sex: string }>(
      'SELECT birth_year, sex FROM subject WHERE pseudonym = ?',
      [ids.patient(p)],
    );
    expect(r).toMatchObject({ birth_year: 1980, sex: 'female' });
  });

  it('keeps the year of each date, allowed codes only, the category and the facility region', async () => {
    const p = randomUUID();
    const condition = clinical(p, {
      codes: [
        { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I10' },
        // A Social Security number typed into codes, a name in an unknown system, a bad SNOMED.
        { system: 'http://snomed.info/sct', code: '123456789' },
        { system: 'urn:example:notes', code: 'Jane Canary' },
        { system: 'http://snomed.info/sct', code: '44054006' },
      ],
    });
    const admission = clinical(p, {
      resourceType: 'Encounter',
      status: 'finished',
      codes: [{ system: 'http://snomed.info/sct', code: '32485007' }],
      categories: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' }],
      start: '2024-02-29T23:30:00-05:00',
      end: '2024-03-04T12:00:00Z',
      facilities: ['Organization?identifier=http://hl7.org/fhir/sid/us-npi|1234567893'],
    });
    await run((x) => ingestClinical(x, [condition, admission]));
    const facts = await rows<{
      key: string;
      resource_type: string;
      codes: string[];
      category: string | null;
      class: string | null;
      year: number;
      region: string | null;
    }>(
      'SELECT key, resource_type, codes, category, class, year, region FROM fact WHERE pseudonym = ? ORDER BY resource_type',
      [ids.patient(p)],
    );
    expect(facts).toEqual([
      {
        key: ids.of('resource', condition.resourceId),
        resource_type: 'Condition',
        codes: ['icd10|I10', 'snomed|44054006'],
        category: 'I00-I99',
        class: null,
        year: 2023,
        region: null,
      },
      {
        key: ids.of('resource', admission.resourceId),
        resource_type: 'Encounter',
        codes: ['snomed|32485007'],
        category: null,
        class: 'IMP',
        year: 2024,
        region: '662',
      },
    ]);
    // The admission counts in its week (Monday, UTC: 2024-03-01 04:30Z is in the week of 26 Feb).
    const [week] = await rows<{ series: string; series_key: string; week: string; amount: number }>(
      "SELECT series, series_key, to_char(week, 'YYYY-MM-DD') AS week, amount FROM series_count WHERE key = ?",
      [ids.of('series', ids.of('resource', admission.resourceId))],
    );
    expect(week).toEqual({
      series: 'admissions',
      series_key: '662',
      week: '2024-02-26',
      amount: 1,
    });
    // An entered-in-error version removes the fact and the count.
    await run((x) =>
      ingestClinical(x, [
        { ...admission, version: 2, status: 'entered-in-error', enteredInError: true },
      ]),
    );
    expect(
      await rows('SELECT 1 FROM fact WHERE key = ?', [ids.of('resource', admission.resourceId)]),
    ).toEqual([]);
    const [zeroed] = await rows<{ amount: number }>(
      'SELECT amount FROM series_count WHERE key = ?',
      [ids.of('series', ids.of('resource', admission.resourceId))],
    );
    expect(zeroed!.amount).toBe(0);
    // No key joins a week to a fact (and so to a pseudonym).
    expect(await rows('SELECT 1 FROM series_count c JOIN fact f ON f.key = c.key')).toEqual([]);
  });

  it('counts appointment demand per specialty and dispensed units per drug, by week', async () => {
    const p = randomUUID();
    await run((x) =>
      ingestSchedule(x, {
        scheduleId: randomUUID(),
        practitionerId: 'prac-od-1',
        facilityId: 'loc-1',
        specialties: ['Cardiology', 'Internal Medicine'],
        timeZone: 'UTC',
        slotMinutes: 30,
        weekly: [],
        exceptions: [],
        active: true,
        version: 1,
      }),
    );
    const appointmentId = randomUUID();
    const booked = {
      appointmentId,
      patientId: p,
      practitionerId: 'prac-od-1',
      facilityId: 'loc-1',
      status: 'booked' as const,
      start: '2025-01-08T15:00:00Z',
      end: '2025-01-08T15:30:00Z',
      version: 1,
    };
    await run((x) => ingestAppointments(x, [booked]));
    await run((x) =>
      ingestDispenses(x, [
        {
          dispenseId: randomUUID(),
          prescriptionId: randomUUID(),
          patientId: p,
          facilityId: 'loc-1',
          drugRxcui: '860975',
          quantity: 60,
          unitPriceMinor: '100',
          currency: 'USD',
          dispensedAt: '2025-01-09T10:00:00Z',
        },
      ]),
    );
    const series = await rows<{ series: string; series_key: string; week: string; amount: number }>(
      "SELECT series, series_key, to_char(week, 'YYYY-MM-DD') AS week, amount FROM series_count WHERE key IN (?, ?) OR series = 'dispensing' AND series_key = '860975' ORDER BY series",
      [ids.of('series', ids.of('appointment', appointmentId)), 'none'],
    );
    expect(series).toEqual([
      { series: 'appointments', series_key: 'Cardiology', week: '2025-01-06', amount: 1 },
      { series: 'dispensing', series_key: '860975', week: '2025-01-06', amount: 60 },
    ]);
    // Cancelled: no longer demand; an older version after it changes nothing.
    await run((x) => ingestAppointments(x, [{ ...booked, status: 'cancelled', version: 2 }]));
    await run((x) => ingestAppointments(x, [booked]));
    const [after] = await rows<{ amount: number }>(
      'SELECT amount FROM series_count WHERE key = ?',
      [ids.of('series', ids.of('appointment', appointmentId))],
    );
    expect(after!.amount).toBe(0);
  });
});

describe('research opt-out', () => {
  it('removes the patient’s facts in the one delivery and keeps them out until no consent denies research', async () => {
    const p = randomUUID();
    const pseudonym = ids.patient(p);
    await run((x) =>
      ingestProfiles(x, [
        { patientId: p, version: 1, birthYear: 1970, sex: 'female', zip3: '662' },
      ]),
    );
    await run((x) => ingestClinical(x, [clinical(p), clinical(p)]));
    expect(await rows('SELECT 1 FROM fact WHERE pseudonym = ?', [pseudonym])).toHaveLength(2);

    const deny = researchDeny(p);
    await run((x) => ingestConsent(x, deny));
    expect(await rows('SELECT 1 FROM subject WHERE pseudonym = ?', [pseudonym])).toEqual([]);
    expect(await rows('SELECT 1 FROM fact WHERE pseudonym = ?', [pseudonym])).toEqual([]);

    // Later events of the patient are not admitted.
    await run((x) => ingestClinical(x, [clinical(p)]));
    await run((x) =>
      ingestProfiles(x, [
        { patientId: p, version: 2, birthYear: 1970, sex: 'female', zip3: '662' },
      ]),
    );
    expect(await rows('SELECT 1 FROM subject WHERE pseudonym = ?', [pseudonym])).toEqual([]);

    // A treatment consent changes nothing; revoking the research deny lets new facts in.
    await run((x) =>
      ingestConsent(x, {
        ...researchDeny(p),
        scope: 'treatment',
        provisions: [{ type: 'permit' }],
      }),
    );
    expect(
      await rows('SELECT 1 FROM research_opt_out WHERE pseudonym = ?', [pseudonym]),
    ).toHaveLength(1);
    await run((x) => ingestConsent(x, { ...deny, status: 'inactive' }));
    await run((x) => ingestClinical(x, [clinical(p)]));
    expect(await rows('SELECT 1 FROM fact WHERE pseudonym = ?', [pseudonym])).toHaveLength(1);
  });

  it('a deny of the research purpose or of the researcher role in a privacy consent opts out too', async () => {
    for (const provisions of [
      [{ type: 'deny' as const, purposes: ['HRESCH'] }],
      [
        {
          type: 'deny' as const,
          actors: [{ kind: 'role' as const, id: 'researcher' }],
          dataClasses: ['Condition'],
        },
      ],
    ]) {
      const p = randomUUID();
      await run((x) => ingestClinical(x, [clinical(p)]));
      await run((x) =>
        ingestConsent(x, { ...researchDeny(p), scope: 'patient-privacy', provisions }),
      );
      expect(await rows('SELECT 1 FROM fact WHERE pseudonym = ?', [ids.patient(p)])).toEqual([]);
    }
  });
});
