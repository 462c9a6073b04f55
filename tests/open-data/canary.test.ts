import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenDataServices } from '../../subgraphs/open-data/context.js';
import { startTestStack, untilKnown, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * A canary patient carrying a distinct value for every one of the 18 HIPAA
 * Safe Harbor identifiers (and identifiers hidden in free text) goes through
 * every event open data consumes: registration (research profile), the
 * clinical record (an admission, a diagnosis, an observation), an
 * appointment, a dispense and, last, a research opt-out. None of the values
 * may appear in any open-data table, API answer, release or log; the dates,
 * the age over 89 and the ZIP come out as Safe Harbor requires; the opt-out
 * removes the patient's facts.
 */
const C = {
  given: 'Zyxquillan',
  family: 'Canarywhistle',
  street: '4242 Quillfeather Lane',
  city: 'Wrenborough',
  zip: '66204-4242',
  zip5: '66204',
  birthDate: '1931-07-19',
  admitted: '2024-03-17',
  admittedAt: '2024-03-17T08:15:00Z',
  discharged: '2024-03-21',
  phone: '913-555-0142',
  fax: '913-555-0199',
  email: 'zyx.quillan@canarymail.example',
  ssn: '987-65-4320',
  mrn: 'MRN-CANARY-7781',
  plan: 'HPB-CANARY-5521',
  account: 'ACCT-CANARY-3310',
  license: 'DL-CANARY-K9981',
  vehicle: '1HGCM82633A004352',
  device: 'DEV-CANARY-SN4471',
  url: 'https://canary.example/zyx',
  ip: '203.0.113.77',
  biometric: 'BIO-CANARY-FP-88',
  photo: 'canary-face-photo.jpg',
  other: 'UNIQUE-CANARY-ID-5150',
};
/** Free text naming the patient, as a clinician might write it. */
const NOTE = `Seen ${C.given} ${C.family} (SSN ${C.ssn}, MRN ${C.mrn}) at ${C.street}, ${C.city}; call ${C.phone} or ${C.email}; plate ${C.vehicle}; pump ${C.device}`;
/** The Safe Harbor identifiers the canary carries (names, places, dates, numbers…). */
const VALUES = Object.entries(C).filter(([k]) => k !== 'admittedAt');

const NPI = '1023171634'; // ADVENTHEALTH SHAWNEE MISSION, ZIP 66204
const LISINOPRIL = '314076';

let t: TestStack;
let admin: string;
let clinician: string;
let researcher: string;
let patientId: string;
let pseudonym: string;
const ids: string[] = [];
const answers: unknown[] = [];

async function ok<T>(token: string, query: string, variables?: object): Promise<T> {
  const res: GqlResponse<T> = await t.gql<T>(token, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  answers.push(res.data);
  return res.data!;
}

async function until<T>(what: string, read: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const services = () => t.stack.subgraph('open-data').services as OpenDataServices;

const facts = () =>
  t.sql<{ resource_type: string; year: number; codes: string[]; region: string | null }>(
    'SELECT resource_type, year, codes, region FROM opendata.fact WHERE pseudonym = $1 ORDER BY resource_type',
    [pseudonym],
  );

/** A FHIR transaction of these entries (each POSTed, `urn:uuid` full URLs) as the clinician. */
async function postTransaction(
  entries: { fullUrl?: string; resource: Record<string, unknown> }[],
): Promise<{
  status: number;
  body: { entry: { response: { status: string; location: string } }[] };
}> {
  const res = await fetch(`${new URL(t.stack.gatewayUrl).origin}/fhir/R4`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${clinician}` },
    body: JSON.stringify({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: entries.map((e) => ({
        fullUrl: e.fullUrl ?? `urn:uuid:${randomUUID()}`,
        request: { method: 'POST', url: String(e.resource.resourceType) },
        resource: e.resource,
      })),
    }),
  });
  return { status: res.status, body: (await res.json()) as never };
}

const ACTIVE = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
};

/** Every open-data table, as text. */
async function storeText(): Promise<string> {
  const tables = await t.sql<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'opendata' AND table_type = 'BASE TABLE'",
  );
  expect(tables.length).toBeGreaterThan(10);
  let text = '';
  for (const { table_name } of tables) {
    const [row] = await t.sql<{ text: string | null }>(
      `SELECT string_agg(x::text, E'\\n') AS text FROM opendata."${table_name}" x`,
    );
    text += `${table_name}\n${row!.text ?? ''}\n`;
  }
  return text;
}

function expectNoCanary(where: string, text: string): void {
  const lower = text.toLowerCase();
  for (const [name, value] of VALUES)
    expect(lower.includes(value.toLowerCase()), `${name} (${value}) found in ${where}`).toBe(false);
  // Logs may name ids (they carry no PHI); the store and the answers hold none issued elsewhere.
  if (where === 'the logs') return;
  for (const id of [patientId, ...ids])
    expect(lower.includes(id.toLowerCase()), `an id (${id}) found in ${where}`).toBe(false);
}

beforeAll(async () => {
  t = await startTestStack('opendata_canary');
  admin = await t.token('admin');
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  researcher = await t.token('researcher', { sub: 'r-canary' });

  const imported = await ok<{ importPatients: { id: string }[] }>(
    admin,
    'mutation ($p: [ImportPatientInput!]!) { importPatients(patients: $p) { id } }',
    {
      p: [
        {
          sourceKey: 'canary-1',
          mrn: C.mrn,
          name: { family: C.family, given: [C.given] },
          birthDate: C.birthDate,
          gender: 'female',
          telecom: [
            { system: 'phone', value: C.phone, use: 'home' },
            { system: 'other', value: `fax ${C.fax}` },
            { system: 'email', value: C.email },
            { system: 'other', value: C.url },
          ],
          address: [{ line: [C.street], city: C.city, state: 'KS', postalCode: C.zip }],
          identifiers: [
            { system: 'urn:carefed:mrn', value: C.mrn },
            { system: 'http://hl7.org/fhir/sid/us-ssn', value: C.ssn },
            { system: 'urn:canary:health-plan', value: C.plan },
            { system: 'urn:canary:account', value: C.account },
            { system: 'urn:canary:driver-license', value: C.license },
            { system: 'urn:canary:vehicle', value: C.vehicle },
            { system: 'urn:canary:device', value: C.device },
            { system: 'urn:canary:ip', value: C.ip },
            { system: 'urn:canary:biometric', value: C.biometric },
            { system: 'urn:canary:photo', value: C.photo },
          ],
        },
      ],
    },
  );
  patientId = imported.importPatients[0]!.id;
  await ok(
    admin,
    'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary-care") { id } }',
    { p: patientId, pr: t.demo.practitionerId },
  );
  await untilKnown(t, [patientId]);
  // The FHIR adapter and pharmacy decide from their projections of the care team.
  for (const schema of ['fhir', 'pharmacy'])
    await until(`${schema} to know the care team`, async () => {
      const [r] = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.care_team_projection
          WHERE patient_id = $1 AND practitioner_id = $2 AND until IS NULL`,
        [patientId, t.demo.practitionerId],
      );
      return r!.n > 0 ? true : undefined;
    });
  pseudonym = services().pseudonyms.patient(patientId);
}, 240_000);
afterAll(async () => t?.stop());

describe('a canary patient through every event open data consumes', () => {
  it('reaches open data de-identified: no identifier in any table, answer, release or log', async () => {
    // The clinical record: an admission at a Kansas hospital, a diagnosis and an observation,
    // each with the patient's identifiers in its free text.
    const enc = `urn:uuid:${randomUUID()}`;
    const posted = await postTransaction([
      {
        fullUrl: enc,
        resource: {
          resourceType: 'Encounter',
          status: 'finished',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
          type: [
            {
              coding: [
                {
                  system: 'http://snomed.info/sct',
                  code: '32485007',
                  display: `Admission of ${C.given}`,
                },
              ],
              text: NOTE,
            },
          ],
          subject: { reference: `Patient/${patientId}`, display: `${C.given} ${C.family}` },
          period: { start: C.admittedAt, end: `${C.discharged}T10:00:00Z` },
          reasonCode: [{ text: NOTE }],
          serviceProvider: {
            reference: `Organization?identifier=http://hl7.org/fhir/sid/us-npi|${NPI}`,
          },
        },
      },
      {
        resource: {
          resourceType: 'Condition',
          clinicalStatus: ACTIVE,
          code: {
            coding: [
              {
                system: 'http://hl7.org/fhir/sid/icd-10-cm',
                code: 'E11.9',
                display: 'Type 2 diabetes',
              },
              // An identifier typed into a code: its system is not one open data keeps.
              { system: 'urn:canary:notes', code: C.other, display: NOTE },
            ],
            text: NOTE,
          },
          subject: { reference: `Patient/${patientId}` },
          encounter: { reference: enc },
          onsetDateTime: C.admittedAt,
          recordedDate: C.admitted,
          note: [{ text: NOTE }],
        },
      },
      {
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }], text: NOTE },
          subject: { reference: `Patient/${patientId}` },
          effectiveDateTime: C.admittedAt,
          valueString: NOTE,
        },
      },
    ]);
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    ids.push(...posted.body.entry.map((e) => e.response.location.split('/')[1]!));

    // An appointment, then a prescription dispensed.
    const scheduler = await t.token('scheduler');
    const [schedule] = await t.sql<{ facility_id: string }>(
      'SELECT facility_id FROM scheduling.schedule WHERE practitioner_id = $1 ORDER BY id LIMIT 1',
      [t.demo.practitionerId],
    );
    const slots = await ok<{ availableSlots: { start: string; practitionerId: string }[] }>(
      scheduler,
      'query ($f: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { availableSlots(facilityId: $f, from: $from, to: $to, first: 1) { start practitionerId } }',
      {
        f: schedule!.facility_id,
        from: new Date().toISOString(),
        to: new Date(Date.now() + 31 * 86_400_000).toISOString(),
      },
    );
    const slot = slots.availableSlots[0]!;
    const booked = await ok<{ bookAppointment: { id: string } }>(
      scheduler,
      'mutation ($i: BookAppointmentInput!) { bookAppointment(input: $i) { id } }',
      {
        i: {
          patientId,
          practitionerId: slot.practitionerId,
          start: slot.start,
          reason: NOTE,
          idempotencyKey: `canary-${randomUUID()}`,
        },
      },
    );
    ids.push(booked.bookAppointment.id);

    const facility = (
      JSON.parse(
        fs
          .readFileSync(path.resolve('data', 'synthea', 'Location.000.ndjson'), 'utf8')
          .split('\n')[0]!,
      ) as { id: string }
    ).id;
    const rx = await ok<{ prescribe: { prescription: { id: string } } }>(
      clinician,
      'mutation ($i: PrescribeInput!) { prescribe(input: $i) { prescription { id } } }',
      {
        i: {
          patientId,
          drugRxcui: LISINOPRIL,
          dose: { value: 10, unit: 'mg' },
          route: 'oral',
          frequency: { times: 1, period: 1, unit: 'd' },
          quantity: 30,
          refills: 0,
          indication: { text: NOTE },
          notes: NOTE,
          idempotencyKey: `canary-rx-${randomUUID()}`,
        },
      },
    );
    ids.push(rx.prescribe.prescription.id);
    const pharmacist = await t.token('pharmacist');
    const dispensed = await ok<{ dispenseMedication: { dispense: { id: string } } }>(
      pharmacist,
      'mutation ($i: DispenseInput!) { dispenseMedication(input: $i) { dispense { id } } }',
      {
        i: {
          prescriptionId: rx.prescribe.prescription.id,
          facilityId: facility,
          quantity: 30,
          idempotencyKey: `canary-d-${randomUUID()}`,
        },
      },
    );
    ids.push(dispensed.dispenseMedication.dispense.id);

    // Open data hears of all of it.
    const got = await until('open data to hold the canary’s facts', async () => {
      const f = await facts();
      const types = new Set(f.map((x) => x.resource_type));
      return ['Appointment', 'Condition', 'Encounter', 'MedicationDispense', 'Observation'].every(
        (x) => types.has(x),
      )
        ? f
        : undefined;
    });

    // Safe Harbor: a year per fact, codes only from allowed systems, the facility's region.
    const admission = got.find((f) => f.resource_type === 'Encounter')!;
    expect(admission).toMatchObject({ year: 2024, region: '662', codes: ['snomed|32485007'] });
    expect(got.find((f) => f.resource_type === 'Condition')).toMatchObject({
      year: 2024,
      codes: ['icd10|E119'],
    });
    expect(got.find((f) => f.resource_type === 'MedicationDispense')!.codes).toEqual([
      `rxnorm|${LISINOPRIL}`,
    ]);
    // Born in 1931: over 89, so no year of birth is kept; the ZIP is three digits.
    const [subject] = await t.sql(
      'SELECT birth_year, aged_90_plus, sex, zip3 FROM opendata.subject WHERE pseudonym = $1',
      [pseudonym],
    );
    expect(subject).toEqual({ birth_year: null, aged_90_plus: true, sex: 'female', zip3: '662' });
    const [week] = await t.sql<{ week: string }>(
      "SELECT to_char(week, 'YYYY-MM-DD') AS week FROM opendata.series_count WHERE series = 'admissions' AND series_key = '662'",
    );
    expect(week!.week).toBe('2024-03-11');

    // Researchers' answers, releases and forecasts.
    await ok(researcher, 'mutation { acceptDataUseAgreement(version: 1) { version } }');
    await ok(
      researcher,
      'mutation ($q: CountQuestionInput!) { askCount(question: $q) { cells { values count } method } }',
      {
        q: {
          requestKey: 'canary-ages',
          groupBy: ['AGE_BAND', 'SEX'],
          yearFrom: 2024,
          yearTo: 2024,
          epsilon: 1,
        },
      },
    );
    await ok(
      admin,
      'mutation { tables: publishRelease(kind: TABLES) { id } records: publishRelease(kind: RECORDS) { id } }',
    );
    await ok(admin, 'mutation { refreshForecasts { key } }');
    await ok(researcher, '{ releases { id kind version title method notes rowCount csv ndjson } }');
    await ok(
      researcher,
      '{ a: forecasts(series: ADMISSIONS) { key method history { week count } points { week mean } } b: forecasts(series: DISPENSING) { key } c: forecasts(series: APPOINTMENTS) { key } }',
    );
    await ok(researcher, '{ privacyBudget { spent ledger { requestKey questionDigest } } }');

    expectNoCanary('the open-data tables', await storeText());
    expectNoCanary('the answers, releases and forecasts', JSON.stringify(answers.slice(-6)));
    expectNoCanary('the logs', t.logs());
  });

  it('a research opt-out removes the patient’s facts in one event round, and keeps them out', async () => {
    expect((await facts()).length).toBeGreaterThan(0);
    await ok(
      admin,
      'mutation ($p: ID!, $i: RecordConsentInput!) { recordConsent(patientId: $p, input: $i) { id } }',
      { p: patientId, i: { scope: 'research', provisions: [{ type: 'deny' }] } },
    );
    await until('the opt-out', async () => {
      const [r] = await t.sql<{ n: number }>(
        'SELECT count(*)::int AS n FROM opendata.research_opt_out WHERE pseudonym = $1',
        [pseudonym],
      );
      return r!.n === 1 ? true : undefined;
    });
    // Applied with the opt-out itself (one delivery): nothing of the patient is left.
    expect(await facts()).toEqual([]);
    expect(await t.sql('SELECT 1 FROM opendata.subject WHERE pseudonym = $1', [pseudonym])).toEqual(
      [],
    );

    // A later change of the record is not let in.
    const later = await postTransaction([
      {
        resource: {
          resourceType: 'Condition',
          clinicalStatus: ACTIVE,
          code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I10' }] },
          subject: { reference: `Patient/${patientId}` },
          onsetDateTime: '2025-01-02',
        },
      },
    ]);
    expect(later.status).toBe(200);
    const [out] = await t.sql<{ id: string }>(
      "SELECT id FROM fhir.outbox WHERE type = 'clinical.changed' ORDER BY occurred_at DESC LIMIT 1",
    );
    await until('open data to take the later event', async () => {
      const [r] = await t.sql<{ n: number }>(
        'SELECT count(*)::int AS n FROM opendata.inbox WHERE event_id = $1',
        [services().pseudonyms.event(out!.id)],
      );
      return r!.n === 1 ? true : undefined;
    });
    expect(await facts()).toEqual([]);
  });
});

describe('open data’s database role', () => {
  it('reads no other schema: no usage of any, and a read of another subgraph’s table is refused', async () => {
    const em = t.stack.subgraph('open-data').orm.em.fork();
    const others = ['patient', 'scheduling', 'billing', 'fhir', 'pharmacy', 'routing'];
    const usage = await em.execute<{ schema: string; usage: boolean }[]>(
      `SELECT s AS schema, has_schema_privilege(current_user, s, 'USAGE') AS usage
         FROM unnest(?::text[]) AS s`,
      [`{${others.join(',')}}`],
    );
    expect(usage).toEqual(others.map((schema) => ({ schema, usage: false })));
    for (const table of ['patient.patient', 'fhir.resource', 'scheduling.appointment'])
      await expect(em.execute(`SELECT 1 FROM ${table} LIMIT 1`)).rejects.toThrow(
        /permission denied/,
      );
    const [own] = await em.execute<{ usage: boolean }[]>(
      "SELECT has_schema_privilege(current_user, 'opendata', 'USAGE') AS usage",
    );
    expect(own!.usage).toBe(true);
  });
});
