import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from './csv.js';
import { REFERENCE_DATA_DIR, REFERENCE_FILES, readReferenceData } from './import.js';
import { basisPoints, parseFee, parsePlan } from './parse.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-csv-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const write = (name: string, text: string | Buffer): string => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
};

describe('readCsv', () => {
  it('strips the BOM, reads CRLF and quoted fields, and tolerates a trailing empty field', () => {
    const file = write(
      'bom.csv',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('Id,Name\r\n1,"Acme, ""Inc"""\r\n\r\n2,Beta,\r\n'),
      ]),
    );
    expect(readCsv(file)).toEqual([
      { file: 'bom.csv', line: 2, values: { Id: '1', Name: 'Acme, "Inc"' } },
      { file: 'bom.csv', line: 4, values: { Id: '2', Name: 'Beta' } },
    ]);
  });

  it('flags rows of the wrong shape and names the file of a broken one', () => {
    const rows = readCsv(write('shape.csv', 'a,b\n1\n1,2,3\n'));
    expect(rows.map((r) => [r.line, r.problem])).toEqual([
      [2, '2 fields expected, 1 found'],
      [3, 'text past the last column (2 fields expected)'],
    ]);
    expect(() => readCsv(write('broken.csv', 'a,b\n1,"open\n'))).toThrow(/^broken\.csv: /);
  });

  it('reads the shipped payer file with its BOM into named columns', () => {
    const [medicare] = readCsv(path.join(REFERENCE_DATA_DIR, REFERENCE_FILES.payers));
    expect(medicare?.values).toMatchObject({ Id: '10000', Name: 'Medicare' });
    expect(medicare?.problem).toBeUndefined();
  });
});

describe('exact conversions', () => {
  it('turns coinsurance fractions into basis points without floats', () => {
    expect(basisPoints('0.8')).toBe(8000);
    expect(basisPoints('0.085')).toBe(850);
    expect(basisPoints('0')).toBe(0);
    expect(basisPoints('1')).toBe(10_000);
    expect(basisPoints('0.0001')).toBe(1);
    expect(() => basisPoints('0.00001')).toThrow(RangeError);
    expect(() => basisPoints('1.5')).toThrow(RangeError);
    expect(() => basisPoints('8e-1')).toThrow(RangeError);
  });

  it('parses plan amounts in minor units', () => {
    const plan = parsePlan({
      'Payer Id': '10000',
      'Plan Id': '10001',
      Name: 'Medicare Plan',
      Deductible: '233',
      'Default Coinsurance': '0.8',
      'Default Copay': '12.5',
    });
    expect(plan.deductible).toEqual({ amountMinor: 23300n, currency: 'USD' });
    expect(plan.copay).toEqual({ amountMinor: 1250n, currency: 'USD' });
    expect(plan.coinsuranceBp).toBe(8000);
  });

  it('parses rates exactly; keeps a sub-cent rate out, never rounded', () => {
    const fee = (PaymentRate: string) =>
      parseFee({
        HCPCSCode: 'G0463',
        ShortDescriptor: 'Hospital outpt clinic visit',
        StatusIndicator: 'J2',
        PaymentRate,
        Source: '2026-04',
      });
    expect(fee('136.02').row.rate).toEqual({ amountMinor: 13602n, currency: 'USD' });
    expect(fee('328.6').row.rate?.amountMinor).toBe(32860n);
    expect(fee('0.29').row.rate?.amountMinor).toBe(29n);
    expect(fee('').row.rate).toBeNull();
    const subCent = fee('12.345');
    expect(subCent.row.rate).toBeNull();
    expect(subCent.note).toMatch(/G0463: PaymentRate has 3 decimals/);
    expect(() => fee('0.00')).toThrow(/zero/);
    expect(() => fee('-1.00')).toThrow(/PaymentRate/);
  });
});

describe('the shipped reference files', () => {
  it('all validate: 9 payers, 19 plans, 6664 codes, sub-cent drug rates noted', () => {
    const { payers, plans, fees } = readReferenceData();
    expect(payers.rows).toHaveLength(9);
    expect(plans.rows).toHaveLength(19);
    expect(fees.rows).toHaveLength(6664);
    expect([...payers.rejected, ...plans.rejected, ...fees.rejected]).toEqual([]);
    expect(plans.rows.find((p) => p.id === '90004')).toMatchObject({ coinsuranceBp: 8000 });
    // CMS per-unit drug rates with three decimals: kept as codes, without a rate.
    expect(fees.notes).toHaveLength(519);
    expect(fees.notes[0]).toMatchObject({ file: 'hcpcs-level2-opps-2026-04.csv', line: 759 });
    expect(fees.rows.filter((f) => f.rate).length).toBe(6664 - 5447 - 519);
  });
});
