import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientOnCareTeam } from '../support/patients.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Bad input to pharmacy's mutations through the gateway: a typed error
 * (BAD_USER_INPUT naming the field where the platform names one, or the
 * documented FORBIDDEN, CONFLICT with its reason), never a 500 or
 * INTERNAL_SERVER_ERROR, and not one row written in any pharmacy table. A
 * canary put into the free-text fields (notes, reasons, a stock note) never
 * comes back in an error, nor reaches the logs.
 */
let t: TestStack;
let clinician: string;
let pharmacist: string;
/** A fresh patient on the demo clinician's care team. */
let P: string;
/** P's lisinopril prescription: 30 units a fill, active. */
let RX: string;
/** P's metformin prescription, put on hold. */
let HELD: string;
/** A demo lot of lisinopril at the demo pharmacy. */
let LOT: string;

const LISINOPRIL = '314076';
const METFORMIN = '860975';
const FACILITY = (
  JSON.parse(
    fs.readFileSync(path.resolve('data/synthea/Location.000.ndjson'), 'utf8').split('\n')[0]!,
  ) as { id: string }
).id;
const CANARY = `Rx${randomBytes(6).toString('hex')}`;
const key = () => `bad-${randomUUID()}`;
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const TABLES = [
  'prescription',
  'prescription_version',
  'dispense',
  'stock_alert',
  'stock_lot',
  'stock_ledger',
  'stock_level',
  'idempotency_key',
] as const;

async function counts(): Promise<Record<string, number>> {
  const [row] = await t.sql<Record<string, string>>(
    `SELECT ${TABLES.map((x) => `(SELECT count(*) FROM pharmacy.${x}) AS ${x}`).join(', ')}`,
  );
  return Object.fromEntries(TABLES.map((x) => [x, Number(row![x])]));
}

const PRESCRIBE = /* GraphQL */ `
  mutation ($i: PrescribeInput!) {
    prescribe(input: $i) {
      blocked
      prescription {
        id
        version
      }
    }
  }
`;
const CHANGE = /* GraphQL */ `
  mutation ($id: ID!, $v: Int!, $a: PrescriptionStatusAction!, $r: String) {
    changePrescriptionStatus(id: $id, expectedVersion: $v, action: $a, reason: $r) {
      id
      version
    }
  }
`;
const DISPENSE = /* GraphQL */ `
  mutation ($i: DispenseInput!) {
    dispenseMedication(input: $i) {
      dispense {
        id
      }
    }
  }
`;
const RECEIVE = /* GraphQL */ `
  mutation ($i: ReceiveStockInput!) {
    receiveStock(input: $i) {
      lot {
        id
      }
    }
  }
`;
const ADJUST = /* GraphQL */ `
  mutation ($i: AdjustStockInput!) {
    adjustStock(input: $i) {
      lot {
        id
      }
    }
  }
`;

const valid = (extra: Record<string, unknown> = {}) => ({
  patientId: P,
  drugRxcui: LISINOPRIL,
  dose: { value: 1, unit: 'tablet' },
  route: 'oral',
  frequency: { times: 1, period: 1, unit: 'd' },
  quantity: 30,
  refills: 2,
  notes: `Take in the morning ${CANARY}`,
  idempotencyKey: key(),
  ...extra,
});

async function ok<T>(token: string, query: string, variables: object): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

/** Every error answer of this file, checked for the canary at the end. */
const answers: string[] = [];

interface Expectation {
  code?: string;
  /** extensions.field, when the product names the field. */
  field?: string;
  /** extensions.reason, for pharmacy's refusals. */
  reason?: string;
  /** A class-validator refusal: the property and the rule. */
  validation?: [string, string];
}

/** Sends a request and expects it refused as expected, with nothing written; returns the answer. */
async function refused(
  token: string,
  query: string,
  variables: object,
  { code = 'BAD_USER_INPUT', field, reason, validation }: Expectation,
): Promise<GqlResponse<Record<string, unknown>>> {
  const before = await counts();
  const r = await t.gql<Record<string, unknown>>(token, query, variables);
  answers.push(JSON.stringify(r));
  expect(r.status).toBeLessThan(500);
  expect(r.errors?.length, JSON.stringify(r)).toBeGreaterThan(0);
  expect(r.errors!.map((e) => e.extensions?.code)).not.toContain('INTERNAL_SERVER_ERROR');
  const [e] = r.errors!;
  expect(e!.extensions?.code, JSON.stringify(e)).toBe(code);
  expect(e!.message.length).toBeGreaterThan(5);
  if (field) expect(e!.extensions?.field, JSON.stringify(e)).toBe(field);
  if (reason) expect(e!.extensions?.reason, JSON.stringify(e)).toBe(reason);
  if (validation)
    expect(e!.extensions?.validationErrors).toEqual(
      expect.arrayContaining([
        { property: validation[0], constraints: expect.arrayContaining([validation[1]]) },
      ]),
    );
  expect(JSON.stringify(r)).not.toContain(CANARY);
  for (const value of Object.values(r.data ?? {})) expect(value).toBeNull();
  expect(await counts()).toEqual(before);
  return r;
}

beforeAll(async () => {
  t = await startTestStack('pharmacy-bad-input');
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  pharmacist = await t.token('pharmacist');
  P = await patientOnCareTeam(
    t,
    { mrn: 'PHARMACY-BAD-1', family: 'Badinput', given: 'Rx', birthDate: '1970-01-02' },
    { schemas: ['pharmacy'] },
  );
  RX = (
    await ok<{ prescribe: { prescription: { id: string } } }>(clinician, PRESCRIBE, {
      i: valid(),
    })
  ).prescribe.prescription.id;
  HELD = (
    await ok<{ prescribe: { prescription: { id: string } } }>(clinician, PRESCRIBE, {
      i: valid({ drugRxcui: METFORMIN }),
    })
  ).prescribe.prescription.id;
  await ok(clinician, CHANGE, { id: HELD, v: 1, a: 'hold', r: 'Awaiting kidney function tests' });
  const [lot] = await t.sql<{ id: string }>(
    `SELECT id FROM pharmacy.stock_lot WHERE facility_id = $1 AND drug_rxcui = $2
      ORDER BY expires_on DESC LIMIT 1`,
    [FACILITY, LISINOPRIL],
  );
  LOT = lot!.id;
}, 180_000);
afterAll(() => t?.stop());

type Case = [string, Record<string, unknown>, Expectation];

describe('prescribe', () => {
  const CASES: Case[] = [
    ['a patient id that is not a UUID', { patientId: "p-1' OR '1'='1" }, { field: 'patientId' }],
    // The same answer as a refused patient: it tells no one who exists.
    ['a patient no one knows', { patientId: randomUUID() }, { code: 'FORBIDDEN' }],
    [
      'a drugRxcui that is not digits',
      { drugRxcui: 'lisinopril' },
      { validation: ['drugRxcui', 'matches'] },
    ],
    ['a drug not in the catalogue', { drugRxcui: '999999999' }, { field: 'drugRxcui' }],
    ['quantity 0', { quantity: 0 }, { validation: ['quantity', 'min'] }],
    ['quantity 100001', { quantity: 100_001 }, { validation: ['quantity', 'max'] }],
    ['refills 100', { refills: 100 }, { validation: ['refills', 'max'] }],
    ['a dose of 0', { dose: { value: 0, unit: 'tablet' } }, { validation: ['dose.value', 'min'] }],
    ['a negative dose', { dose: { value: -2, unit: 'mg' } }, { validation: ['dose.value', 'min'] }],
    [
      'frequency 0 times a day',
      { frequency: { times: 0, period: 1, unit: 'd' } },
      { validation: ['frequency.times', 'min'] },
    ],
    [
      'frequency 25 times a day',
      { frequency: { times: 25, period: 1, unit: 'd' } },
      { validation: ['frequency.times', 'max'] },
    ],
    ['durationDays 0', { durationDays: 0 }, { validation: ['durationDays', 'min'] }],
    [
      'notes of 2,001 characters',
      { notes: CANARY.padEnd(2001, 'x') },
      { validation: ['notes', 'isLength'] },
    ],
    [
      'an override with a 2-character reason',
      { overrides: [{ alertCode: 'DUP-1', reason: 'ok' }] },
      { validation: ['overrides.0.reason', 'isLength'] },
    ],
    [
      '21 overrides',
      {
        overrides: Array.from({ length: 21 }, (_, i) => ({
          alertCode: `A${i}`,
          reason: `Reviewed ${CANARY}`,
        })),
      },
      { validation: ['overrides', 'arrayMaxSize'] },
    ],
    ['an idempotency key too short', { idempotencyKey: 'short' }, { field: 'idempotencyKey' }],
    ['an unknown route', { route: 'telepathic' }, {}],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, change, expectation) => {
    await refused(clinician, PRESCRIBE, { i: valid(change) }, expectation);
  });

  it('the valid request is accepted', async () => {
    const d = await ok<{ prescribe: { blocked: boolean; prescription: { id: string } } }>(
      clinician,
      PRESCRIBE,
      { i: valid() },
    );
    expect(d.prescribe.prescription.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('changePrescriptionStatus', () => {
  const version = async (id: string) =>
    (
      await t.sql<{ version: number }>('SELECT version FROM pharmacy.prescription WHERE id = $1', [
        id,
      ])
    )[0]!.version;

  it('a reason of 2 characters: BAD_USER_INPUT naming reason', async () => {
    await refused(
      clinician,
      CHANGE,
      { id: RX, v: await version(RX), a: 'hold', r: 'no' },
      { field: 'reason' },
    );
  });

  it('a reason of 501 characters carrying the canary: BAD_USER_INPUT, the canary not echoed', async () => {
    await refused(
      clinician,
      CHANGE,
      { id: RX, v: await version(RX), a: 'hold', r: CANARY.padEnd(501, 'y') },
      { field: 'reason' },
    );
  });

  it('an action that does not exist: refused by GraphQL validation', async () => {
    const before = await counts();
    const r = await t.gql(
      clinician,
      `mutation ($id: ID!) { changePrescriptionStatus(id: $id, expectedVersion: 1, action: pause, reason: "Going away") { id } }`,
      { id: RX },
    );
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.data ?? null).toBeNull();
    expect(await counts()).toEqual(before);
  });

  it('an id that is not a UUID: BAD_USER_INPUT naming id', async () => {
    await refused(
      clinician,
      CHANGE,
      { id: 'rx-1', v: 1, a: 'hold', r: 'Some reason' },
      {
        field: 'id',
      },
    );
  });

  it('a stale expectedVersion: CONFLICT with the current version', async () => {
    const current = await version(HELD);
    expect(current).toBe(2);
    const r = await refused(
      clinician,
      CHANGE,
      { id: HELD, v: 1, a: 'resume' },
      { code: 'CONFLICT' },
    );
    expect(r.errors![0]!.extensions?.currentVersion).toBe(current);
  });
});

describe('dispenseMedication', () => {
  const dispense = (extra: Record<string, unknown> = {}) => ({
    prescriptionId: RX,
    facilityId: FACILITY,
    quantity: 10,
    idempotencyKey: key(),
    ...extra,
  });

  const CASES: Case[] = [
    [
      'a facility id `bad facility!`',
      { facilityId: 'bad facility!' },
      { validation: ['facilityId', 'matches'] },
    ],
    [
      'more than the prescription’s quantity per fill',
      { quantity: 31 },
      { field: 'quantity', reason: 'QUANTITY_EXCEEDS_PRESCRIPTION' },
    ],
    ['quantity 0', { quantity: 0 }, { validation: ['quantity', 'min'] }],
    [
      'a prescription on hold',
      { prescriptionId: '' },
      { code: 'CONFLICT', reason: 'PRESCRIPTION_NOT_ACTIVE' },
    ],
    [
      'a facility with no stock',
      { facilityId: 'no-such-pharmacy-1' },
      { code: 'CONFLICT', reason: 'INSUFFICIENT_STOCK' },
    ],
    ['a prescription that exists nowhere', { prescriptionId: randomUUID() }, { code: 'FORBIDDEN' }],
    // The input's field is prescriptionId: the error should name it.
    [
      'a prescription id that is not a UUID',
      { prescriptionId: 'rx-1' },
      { field: 'prescriptionId' },
    ],
    ['an idempotency key too short', { idempotencyKey: 'abc' }, { field: 'idempotencyKey' }],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, change, expectation) => {
    // The held prescription is named late: the table is built before the setup runs.
    const i = dispense(change.prescriptionId === '' ? { ...change, prescriptionId: HELD } : change);
    await refused(pharmacist, DISPENSE, { i }, expectation);
  });

  it('the valid request is accepted', async () => {
    await ok(pharmacist, DISPENSE, { i: dispense() });
  });
});

describe('receiveStock and adjustStock', () => {
  const receipt = (extra: Record<string, unknown> = {}) => ({
    facilityId: FACILITY,
    drugRxcui: LISINOPRIL,
    lotNumber: 'BAD-INPUT-1',
    expiresOn: day(400),
    quantity: 10,
    idempotencyKey: key(),
    ...extra,
  });
  const adjustment = (extra: Record<string, unknown> = {}) => ({
    lotId: LOT,
    delta: -1,
    reason: 'damaged',
    note: 'Box crushed in transit',
    idempotencyKey: key(),
    ...extra,
  });

  const RECEIPTS: Case[] = [
    [
      'a lot expired yesterday',
      { expiresOn: day(-1) },
      { field: 'expiresOn', reason: 'LOT_EXPIRED' },
    ],
    ['a lot expiring today', { expiresOn: day(0) }, { field: 'expiresOn', reason: 'LOT_EXPIRED' }],
    [
      'an expiry as 2030/01/01',
      { expiresOn: '2030/01/01' },
      { validation: ['expiresOn', 'matches'] },
    ],
    ['an impossible expiry 2030-02-30', { expiresOn: '2030-02-30' }, { field: 'expiresOn' }],
    ['a lot number with spaces', { lotNumber: 'LOT 1' }, { field: 'lotNumber' }],
    ['quantity 0', { quantity: 0 }, { validation: ['quantity', 'min'] }],
    ['a drug that is not digits', { drugRxcui: 'abc' }, { validation: ['drugRxcui', 'matches'] }],
  ];
  it.each(RECEIPTS)('receiveStock with %s: refused, nothing written', async (_w, change, exp) => {
    await refused(pharmacist, RECEIVE, { i: receipt(change) }, exp);
  });

  const ADJUSTMENTS: Case[] = [
    [
      'more out than the lot holds',
      { delta: -1_000_000 },
      { code: 'CONFLICT', reason: 'STOCK_BELOW_ZERO' },
    ],
    ['a reason not in the list', { reason: 'lost' }, { field: 'reason' }],
    ['a delta of 0', { delta: 0 }, { field: 'delta' }],
    ['a lot id that is not a UUID', { lotId: 'lot-1' }, { field: 'lotId' }],
    ['a note on two lines carrying the canary', { note: `${CANARY}\nsecond` }, { field: 'note' }],
    ['a note of 201 characters', { note: CANARY.padEnd(201, 'z') }, { field: 'note' }],
  ];
  it.each(ADJUSTMENTS)('adjustStock with %s: refused, nothing written', async (_w, change, exp) => {
    await refused(pharmacist, ADJUST, { i: adjustment(change) }, exp);
  });

  it('the valid requests are accepted', async () => {
    await ok(pharmacist, RECEIVE, { i: receipt() });
    await ok(pharmacist, ADJUST, { i: adjustment() });
  });
});

describe('catalogue queries', () => {
  it.each([
    [
      'drugs with a search of 1 character',
      'query { drugs(search: "a") { edges { node { rxcui } } } }',
      'search',
    ],
    ['drug with an rxcui that is not digits', 'query { drug(rxcui: "abc") { rxcui } }', 'rxcui'],
  ])('%s: BAD_USER_INPUT naming the argument', async (_what, query, field) => {
    await refused(clinician, query, {}, { field });
  });
});

describe('a huge input', () => {
  it('notes of 1 MB: refused without a 500 (the gateway’s body limit), nothing written', async () => {
    const before = await counts();
    const res = await fetch(t.stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clinician}` },
      body: JSON.stringify({
        query: PRESCRIBE,
        variables: { i: valid({ notes: CANARY.repeat(Math.ceil(1_048_576 / CANARY.length)) }) },
      }),
    });
    const text = await res.text();
    answers.push(text);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toMatch(/^(PAYLOAD_TOO_LARGE|BAD_USER_INPUT)$/);
    expect(text).not.toContain(CANARY);
    expect(await counts()).toEqual(before);
  });
});

describe('no PHI in errors or logs', () => {
  it('the canary never appears in an error answer nor in the services’ logs', () => {
    expect(answers.length).toBeGreaterThan(30);
    for (const a of answers) expect(a).not.toContain(CANARY);
    expect(t.logs()).not.toContain(CANARY);
  });
});
