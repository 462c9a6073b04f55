import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBillingTestStore, type BillingTestStore } from '../testing.js';
import { importReferenceData, REFERENCE_DATA_DIR, REFERENCE_FILES } from './import.js';

let store: BillingTestStore;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-ref-'));
beforeAll(async () => {
  store = await openBillingTestStore('billing_reference');
});
afterAll(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  await store.close();
});

const em = () => store.orm.em.fork();
const rows = async <T>(sql: string, params: unknown[] = []) =>
  em().getConnection().execute<T[]>(sql, params);
const rate = async (code: string) =>
  (
    await rows<{ rate: string | null }>(
      'SELECT rate_minor::text AS rate FROM billing.fee_schedule WHERE code = ?',
      [code],
    )
  )[0]?.rate;

/** A copy of the shipped files with edits applied to the plans and the fee schedule. */
function fixture(
  name: string,
  edit: { plans?: (csv: string) => string; fees?: (csv: string) => string },
): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'payers'), { recursive: true });
  const copy = (file: string, change: (csv: string) => string = (csv) => csv) =>
    fs.writeFileSync(
      path.join(dir, file),
      change(fs.readFileSync(path.join(REFERENCE_DATA_DIR, file), 'utf8')),
    );
  copy(REFERENCE_FILES.payers);
  copy(REFERENCE_FILES.plans, edit.plans);
  copy(REFERENCE_FILES.fees, edit.fees);
  return dir;
}

describe('importReferenceData', () => {
  it('loads 9 payers, 19 plans and 6664 codes with exact amounts', async () => {
    const first = await importReferenceData(em());
    expect(first).toMatchObject({
      payers: 9,
      plans: 19,
      codes: 6664,
      changed: { payers: 9, plans: 19, codes: 6664 },
      rejected: [],
    });
    const [counts] = await rows<{ payers: number; plans: number; codes: number }>(
      `SELECT (SELECT count(*)::int FROM billing.payer) AS payers,
         (SELECT count(*)::int FROM billing.plan) AS plans,
         (SELECT count(*)::int FROM billing.fee_schedule) AS codes`,
    );
    expect(counts).toEqual({ payers: 9, plans: 19, codes: 6664 });
    expect(await rate('G0463')).toBe('13602');
    expect(await rate('A2001')).toBe('12714'); // quoted descriptor "Innovamatrix ac, per sq cm"
    expect(await rate('A9506')).toBe('32860'); // "328.6"
    expect(await rate('A0021')).toBeNull(); // no CMS rate
    expect(await rate('A9513')).toBeNull(); // "319.944": finer than a cent, never rounded
    const [g0463] = await rows(
      `SELECT description, status_indicator, currency, source FROM billing.fee_schedule WHERE code = 'G0463'`,
    );
    expect(g0463).toEqual({
      description: 'Hospital outpt clinic visit',
      status_indicator: 'J2',
      currency: 'USD',
      source: '2026-04',
    });
    const [a2001] = await rows<{ description: string }>(
      `SELECT description FROM billing.fee_schedule WHERE code = 'A2001'`,
    );
    expect(a2001?.description).toBe('Innovamatrix ac, per sq cm');
    const [medicare] = await rows(
      `SELECT p.name, p.payer_id, y.name AS payer, y.ownership, p.deductible_minor::text AS deductible,
         p.coinsurance_bp, p.copay_minor::text AS copay, p.currency
       FROM billing.plan p JOIN billing.payer y ON y.id = p.payer_id WHERE p.id = '10001'`,
    );
    expect(medicare).toEqual({
      name: 'Medicare Plan',
      payer_id: '10000',
      payer: 'Medicare',
      ownership: 'Government',
      deductible: '23300',
      coinsurance_bp: 8000,
      copay: '0',
      currency: 'USD',
    });
    const [medicaid] = await rows<{ copay: string; coinsurance_bp: number }>(
      `SELECT copay_minor::text AS copay, coinsurance_bp FROM billing.plan WHERE id = '20001'`,
    );
    expect(medicaid).toEqual({ copay: '5000', coinsurance_bp: 0 });
  });

  it('changes nothing when run again', async () => {
    const again = await importReferenceData(em());
    expect(again).toMatchObject({ payers: 9, plans: 19, codes: 6664 });
    expect(again.changed).toEqual({ payers: 0, plans: 0, codes: 0 });
    expect(await rate('G0463')).toBe('13602');
  });

  it('updates a changed rate in place', async () => {
    const dir = fixture('changed', {
      fees: (csv) =>
        csv.replace(
          'G0463,Hospital outpt clinic visit,J2,136.02',
          'G0463,Hospital outpt clinic visit,J2,140.00',
        ),
    });
    const r = await importReferenceData(em(), dir);
    expect(r.changed).toEqual({ payers: 0, plans: 0, codes: 1 });
    expect(await rate('G0463')).toBe('14000');
    await importReferenceData(em());
    expect(await rate('G0463')).toBe('13602');
  });

  it('rejects bad rows by file and line, without a crash, and loads the rest', async () => {
    const dir = fixture('bad', {
      fees: (csv) =>
        csv
          .replace(
            'A0080,Noninterest escort in non er,E1,,',
            'A0080,Noninterest escort in non er,E1,12.3.4,',
          )
          .replace('A0090,Interest escort', 'a0090,Interest escort')
          .replace(
            'G0463,Hospital outpt clinic visit,J2,136.02',
            'G0463,Hospital outpt clinic visit,J2,12.345',
          ),
      plans: (csv) =>
        csv
          .replace('20000,20001,Medicaid Plan,*,100,', '20000,20001,Medicaid Plan,*,1.005,')
          .replace('30000,30001,', '99999,30001,'),
    });
    const r = await importReferenceData(em(), dir);
    expect(r.rejected).toEqual([
      { file: 'insurance_plans.csv', line: 3, message: 'Deductible: USD has 2 decimal places' },
      {
        file: 'insurance_plans.csv',
        line: 4,
        message: 'Payer Id 99999 is not a payer of insurance_companies.csv',
      },
      {
        file: 'hcpcs-level2-opps-2026-04.csv',
        line: 3,
        message: 'PaymentRate is not a non-negative decimal amount',
      },
      {
        file: 'hcpcs-level2-opps-2026-04.csv',
        line: 4,
        message: 'HCPCSCode is not a HCPCS Level II code',
      },
    ]);
    expect(r).toMatchObject({ payers: 9, plans: 17, codes: 6662 });
    // A sub-cent rate is not rounded: the code stays, without a rate, and the note says where.
    expect(r.notes).toContainEqual({
      file: 'hcpcs-level2-opps-2026-04.csv',
      line: 2189,
      message: 'G0463: PaymentRate has 3 decimals, finer than a USD cent; imported without a rate',
    });
    expect(await rate('G0463')).toBeNull();
    // Rejected rows leave what was loaded before as it was.
    const [medicaid] = await rows(
      'SELECT deductible_minor::text AS d FROM billing.plan WHERE id = ?',
      ['20001'],
    );
    expect(medicaid).toEqual({ d: '10000' });
    await importReferenceData(em());
    expect(await rate('G0463')).toBe('13602');
  });
});
