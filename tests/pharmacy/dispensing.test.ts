import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientOnCareTeam } from '../support/patients.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Dispensing through the gateway, at the demo pharmacy (the seeded stock at
 * the demo data's first facility): lots drawn first expiry first, refills
 * counted, a retried dispense given out and charged once (billing consumes
 * `pharmacy.dispensed`), the event saying what was dispensed and never why,
 * billing reading the dispense but not the prescription, the stock alerts,
 * and the ledger guarded even from pharmacy's own login.
 */
let t: TestStack;
let P: string;
let clinician: string;
let pharmacist: string;
let FACILITY: string;

const LISINOPRIL = '314076';
const CANARY = 'DISPENSE-CANARY-NOTE';

interface Dispensed {
  dispense: {
    id: string;
    quantity: number;
    fillNumber: number;
    unitPriceMinor: string;
    lots: { lotNumber: string; expiresOn: string; quantity: number }[];
  };
  fillsLeft: number;
}

async function ok<T>(token: string, query: string, variables?: object): Promise<T> {
  const res: GqlResponse<T> = await t.gql<T>(token, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

const DISPENSE = /* GraphQL */ `
  mutation ($i: DispenseInput!) {
    dispenseMedication(input: $i) {
      fillsLeft
      dispense {
        id
        quantity
        fillNumber
        unitPriceMinor
        lots {
          lotNumber
          expiresOn
          quantity
        }
      }
    }
  }
`;

const dispense = (prescriptionId: string, quantity: number, key = `d-${randomUUID()}`) =>
  t.gql<{ dispenseMedication: Dispensed }>(pharmacist, DISPENSE, {
    i: { prescriptionId, facilityId: FACILITY, quantity, idempotencyKey: key },
  });

async function prescribe(quantity: number, refills: number): Promise<string> {
  const { prescribe: r } = await ok<{
    prescribe: { blocked: boolean; prescription: { id: string } | null };
  }>(
    clinician,
    /* GraphQL */ `
      mutation ($i: PrescribeInput!) {
        prescribe(input: $i) {
          blocked
          prescription {
            id
          }
        }
      }
    `,
    {
      i: {
        patientId: P,
        drugRxcui: LISINOPRIL,
        dose: { value: 10, unit: 'mg' },
        route: 'oral',
        frequency: { times: 1, period: 1, unit: 'd' },
        quantity,
        refills,
        indication: { text: 'Hypertension' },
        notes: CANARY,
        idempotencyKey: `rx-${randomUUID()}`,
      },
    },
  );
  expect(r.blocked).toBe(false);
  return r.prescription!.id;
}

async function waitFor<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  t = await startTestStack('pharmacy_dispensing');
  const location = fs
    .readFileSync(path.resolve('data', 'synthea', 'Location.000.ndjson'), 'utf8')
    .split('\n')[0]!;
  FACILITY = (JSON.parse(location) as { id: string }).id;
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  pharmacist = await t.token('pharmacist');
  P = await patientOnCareTeam(
    t,
    {
      mrn: 'PHARMACY-DISPENSE-1',
      family: 'Dispense',
      given: 'Dee',
      birthDate: '1955-06-07',
      gender: 'male',
    },
    { schemas: ['pharmacy'] },
  );
}, 180_000);
afterAll(() => t?.stop());

describe('dispensing at the demo pharmacy', () => {
  it('draws the earliest-expiring lot first, then the next; refills counted, then NO_FILLS_LEFT', async () => {
    const id = await prescribe(30, 1);
    const first = await dispense(id, 30);
    expect(first.errors).toBeUndefined();
    const d1 = first.data!.dispenseMedication;
    // The demo lots: B expires in 20 days (30 units), A in 540 days (200 units).
    expect(d1.dispense.lots).toEqual([
      { lotNumber: `DEMO-${LISINOPRIL}-B`, expiresOn: expect.any(String), quantity: 30 },
    ]);
    expect(d1).toMatchObject({ fillsLeft: 1, dispense: { fillNumber: 1, quantity: 30 } });
    const second = (await dispense(id, 30)).data!.dispenseMedication;
    expect(second.dispense.lots).toEqual([
      { lotNumber: `DEMO-${LISINOPRIL}-A`, expiresOn: expect.any(String), quantity: 30 },
    ]);
    expect(second.fillsLeft).toBe(0);
    const third = await dispense(id, 30);
    expect(third.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'NO_FILLS_LEFT',
    });
    // Stock equals its ledger, lot by lot.
    const lots = await t.sql<{ on_hand: number; ledger: string }>(
      `SELECT l.on_hand, (SELECT sum(delta) FROM pharmacy.stock_ledger s WHERE s.lot_id = l.id)::text AS ledger
         FROM pharmacy.stock_lot l WHERE l.facility_id = $1 AND l.drug_rxcui = $2 ORDER BY l.lot_number`,
      [FACILITY, LISINOPRIL],
    );
    expect(lots).toEqual([
      { on_hand: 170, ledger: '170' },
      { on_hand: 0, ledger: '0' },
    ]);
  });

  it('a dispense retried with the same key (at once) gives out once and is charged once', async () => {
    const id = await prescribe(10, 0);
    const key = `same-${randomUUID()}`;
    const [a, b] = await Promise.all([dispense(id, 10, key), dispense(id, 10, key)]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const dispenseId = a.data!.dispenseMedication.dispense.id;
    expect(b.data!.dispenseMedication.dispense.id).toBe(dispenseId);
    const again = await dispense(id, 10, key);
    expect(again.data!.dispenseMedication.dispense.id).toBe(dispenseId);
    const rows = await t.sql<{ n: string }>(
      'SELECT count(*) AS n FROM pharmacy.dispense WHERE prescription_id = $1',
      [id],
    );
    expect(rows[0]!.n).toBe('1');
    // Billing charges it once: quantity × the catalogue's unit price (lisinopril: 2 cents).
    const charge = await waitFor('the charge', async () => {
      const found = await t.sql<{ amount_minor: string; n: string }>(
        `SELECT max(amount_minor)::text AS amount_minor, count(*)::text AS n
           FROM billing.dispense_charge WHERE dispense_id = $1 HAVING count(*) > 0`,
        [dispenseId],
      );
      return found[0];
    });
    expect(charge).toEqual({ amount_minor: '20', n: '1' });
    const ledger = await t.sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM billing.ledger_entry
        WHERE account_patient_id = $1 AND cause_type = 'dispense' AND cause_id = $2`,
      [P, dispenseId],
    );
    expect(ledger[0]!.n).toBe('1');
  });

  it('the event says what was dispensed, never why; billing reads the dispense, not the prescription', async () => {
    const id = await prescribe(5, 0);
    const d = (await dispense(id, 5)).data!.dispenseMedication.dispense;
    const [event] = await t.sql<{ payload: Record<string, unknown> }>(
      "SELECT payload FROM pharmacy.outbox WHERE type = 'pharmacy.dispensed' AND aggregate_id = $1",
      [d.id],
    );
    const text = JSON.stringify(event!.payload);
    expect(text).toContain(LISINOPRIL);
    expect(text).not.toContain(CANARY);
    expect(text).not.toMatch(/Hypertension|indication|dose|notes/i);
    const billing = await t.token('billing');
    const read = await t.gql<{
      dispense: { id: string; quantity: number; prescription: { notes: string } | null };
    }>(
      billing,
      '{ dispense(id: "' + d.id + '") { id quantity drugRxcui prescription { notes } } }',
    );
    expect(read.data?.dispense).toMatchObject({ id: d.id, quantity: 5, prescription: null });
    expect(read.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(read)).not.toContain(CANARY);
    expect(t.logs()).not.toContain(CANARY);
  });

  it('lots near expiry are raised as alerts; a reorder level above the stock raises low stock once', async () => {
    const ALERTS = /* GraphQL */ `
      query ($f: ID!) {
        stockAlerts(facilityId: $f) {
          kind
          drugRxcui
          lotId
        }
      }
    `;
    const before = await ok<{ stockAlerts: { kind: string; drugRxcui: string }[] }>(
      pharmacist,
      ALERTS,
      { f: FACILITY },
    );
    expect(before.stockAlerts.filter((a) => a.kind === 'expiring').length).toBeGreaterThan(0);
    const SET = /* GraphQL */ `
      mutation ($f: ID!, $d: ID!, $l: Int!) {
        setReorderLevel(facilityId: $f, drugRxcui: $d, reorderLevel: $l) {
          kind
        }
      }
    `;
    const raised = await ok<{ setReorderLevel: { kind: string }[] }>(pharmacist, SET, {
      f: FACILITY,
      d: LISINOPRIL,
      l: 1000,
    });
    expect(raised.setReorderLevel.map((a) => a.kind)).toEqual(['low-stock']);
    const twice = await ok<{ setReorderLevel: { kind: string }[] }>(pharmacist, SET, {
      f: FACILITY,
      d: LISINOPRIL,
      l: 1001,
    });
    expect(twice.setReorderLevel).toEqual([]);
    const events = await t.sql<{ n: string }>(
      "SELECT count(*)::text AS n FROM pharmacy.outbox WHERE type = 'pharmacy.stock-low'",
    );
    expect(events[0]!.n).toBe('1');
  });

  it('a receipt retried with its key is counted once; the same key for another receipt is CONFLICT', async () => {
    const RECEIVE = /* GraphQL */ `
      mutation ($i: ReceiveStockInput!) {
        receiveStock(input: $i) {
          lot {
            id
            onHand
          }
        }
      }
    `;
    const i = {
      facilityId: FACILITY,
      drugRxcui: LISINOPRIL,
      lotNumber: 'RETRY-1',
      expiresOn: '2030-01-31',
      quantity: 40,
      idempotencyKey: `recv-${randomUUID()}`,
    };
    const [a, b] = await Promise.all([
      ok<{ receiveStock: { lot: { id: string; onHand: number } } }>(pharmacist, RECEIVE, { i }),
      ok<{ receiveStock: { lot: { id: string; onHand: number } } }>(pharmacist, RECEIVE, { i }),
    ]);
    expect(a.receiveStock.lot).toEqual(b.receiveStock.lot);
    expect(a.receiveStock.lot.onHand).toBe(40);
    const rows = await t.sql<{ n: string }>(
      "SELECT count(*)::text AS n FROM pharmacy.stock_ledger WHERE lot_id = $1 AND kind = 'receipt'",
      [a.receiveStock.lot.id],
    );
    expect(rows[0]!.n).toBe('1');
    const other = await t.gql(pharmacist, RECEIVE, { i: { ...i, quantity: 41 } });
    expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('the stock ledger and the dispenses are append-only even for pharmacy’s own login', async () => {
    const asPharmacy = (sql: string) => t.stack.subgraph('pharmacy').orm.em.fork().execute(sql);
    await expect(asPharmacy('UPDATE pharmacy.stock_ledger SET delta = delta + 1')).rejects.toThrow(
      /permission denied/,
    );
    await expect(asPharmacy('DELETE FROM pharmacy.dispense')).rejects.toThrow(/permission denied/);
    await expect(
      asPharmacy('ALTER TABLE pharmacy.stock_ledger DISABLE TRIGGER ALL'),
    ).rejects.toThrow(/must be owner/);
  });
});
