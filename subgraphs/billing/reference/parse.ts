import { z } from 'zod';
import { parseMoney, type Money } from '../domain/money.js';
import type { CsvRecord } from './csv.js';

/** Synthea's plans and the CMS OPPS rates are in US dollars. */
export const REFERENCE_CURRENCY = 'USD';

/** An insurance company (Synthea `insurance_companies.csv`). */
export interface PayerRef {
  id: string;
  name: string;
  ownership: string;
}

/** An insurance plan (Synthea `insurance_plans.csv`), amounts exact in minor units. */
export interface PlanRef {
  id: string;
  payerId: string;
  name: string;
  deductible: Money;
  /** Default coinsurance as basis points: "0.8" → 8000. */
  coinsuranceBp: number;
  copay: Money;
}

/** One HCPCS Level II code of the CMS OPPS fee schedule. */
export interface FeeRef {
  code: string;
  description: string;
  statusIndicator: string;
  /** Payment rate per unit; null when CMS gives none (or not in whole cents, see `parseFee`). */
  rate: Money | null;
  /** Release of the schedule, e.g. "2026-04". */
  source: string;
}

/** A row that was rejected or imported with a caveat, named by file and line. */
export interface RowProblem {
  file: string;
  line: number;
  message: string;
}

/** A file's valid rows, the rows rejected, and notes on rows imported with a caveat. */
export interface ParsedFile<T> {
  rows: T[];
  rejected: RowProblem[];
  notes: RowProblem[];
}

const DECIMAL = /^\d{1,18}(?:\.(\d+))?$/;

/** A non-negative decimal string in dollars → Money, exactly (never through a float). */
const amount = (field: string) =>
  z.string().transform((s, ctx) => {
    const text = s.trim();
    if (!DECIMAL.test(text)) {
      ctx.addIssue({ code: 'custom', message: `${field} is not a non-negative decimal amount` });
      return z.NEVER;
    }
    try {
      return parseMoney(text, REFERENCE_CURRENCY);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `${field}: ${err instanceof Error ? err.message : 'not an amount'}`,
      });
      return z.NEVER;
    }
  });

/**
 * A fraction from 0 to 1 as a decimal string → basis points, exactly:
 * "0.8" → 8000, "0.085" → 850. More than four decimals is an error, not a rounding.
 */
export function basisPoints(decimal: string): number {
  const m = /^(\d{1,5})(?:\.(\d{1,4}))?$/.exec(decimal.trim());
  if (!m) throw new RangeError('not a fraction with at most 4 decimals');
  const [, whole = '0', frac = ''] = m;
  const bp = Number(whole) * 10_000 + Number(frac.padEnd(4, '0'));
  if (bp > 10_000) throw new RangeError('more than 1');
  return bp;
}

const id = (field: string) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]{1,12}$/, `${field} is not 1 to 12 digits`);
const text = (field: string) => z.string().trim().min(1, `${field} is empty`);

const payerSchema = z.object({
  Id: id('Id'),
  Name: text('Name'),
  Ownership: z.string().trim(),
});

const planSchema = z.object({
  'Payer Id': id('Payer Id'),
  'Plan Id': id('Plan Id'),
  Name: text('Name'),
  Deductible: amount('Deductible'),
  'Default Coinsurance': z.string().transform((s, ctx) => {
    try {
      return basisPoints(s);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `Default Coinsurance is ${err instanceof Error ? err.message : 'invalid'}`,
      });
      return z.NEVER;
    }
  }),
  'Default Copay': amount('Default Copay'),
});

const feeSchema = z.object({
  HCPCSCode: z
    .string()
    .trim()
    .regex(/^[A-Z][0-9]{4}$/, 'HCPCSCode is not a HCPCS Level II code'),
  ShortDescriptor: text('ShortDescriptor'),
  StatusIndicator: z
    .string()
    .trim()
    .regex(/^[A-Z][0-9]?$/, 'StatusIndicator is not an OPPS status indicator'),
  PaymentRate: z
    .string()
    .trim()
    .regex(/^$|^\d{1,18}(?:\.\d+)?$/, 'PaymentRate is not a non-negative decimal amount'),
  Source: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}$/, 'Source is not a release month (YYYY-MM)'),
});

/** The first problem of a failed parse, as "field: message" without the value. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid row';
  const field = issue.path.join('.');
  return !field || issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
}

/** A row's problem: what is wrong with it, never a crash. */
class RowError extends Error {}

/** Validates and converts one payer row. */
export function parsePayer(values: Readonly<Record<string, string>>): PayerRef {
  const r = payerSchema.safeParse(values);
  if (!r.success) throw new RowError(firstIssue(r.error));
  return { id: r.data.Id, name: r.data.Name, ownership: r.data.Ownership };
}

/** Validates and converts one plan row. */
export function parsePlan(values: Readonly<Record<string, string>>): PlanRef {
  const r = planSchema.safeParse(values);
  if (!r.success) throw new RowError(firstIssue(r.error));
  const d = r.data;
  return {
    id: d['Plan Id'],
    payerId: d['Payer Id'],
    name: d.Name,
    deductible: d.Deductible,
    coinsuranceBp: d['Default Coinsurance'],
    copay: d['Default Copay'],
  };
}

/**
 * Validates and converts one fee schedule row. An empty rate is null (CMS
 * pays none, e.g. packaged services). A rate of zero is rejected (the table
 * holds positive rates). A rate finer than a cent (CMS gives some drugs a
 * per-unit rate such as "0.092") cannot be held in USD minor units and is
 * never rounded: the code is kept, without a rate, and `note` says why.
 */
export function parseFee(values: Readonly<Record<string, string>>): {
  row: FeeRef;
  note?: string;
} {
  const r = feeSchema.safeParse(values);
  if (!r.success) throw new RowError(firstIssue(r.error));
  const d = r.data;
  const row: FeeRef = {
    code: d.HCPCSCode,
    description: d.ShortDescriptor,
    statusIndicator: d.StatusIndicator,
    rate: null,
    source: d.Source,
  };
  if (d.PaymentRate === '') return { row };
  const decimals = d.PaymentRate.split('.')[1]?.length ?? 0;
  if (decimals > 2)
    return {
      row,
      note: `${d.HCPCSCode}: PaymentRate has ${decimals} decimals, finer than a USD cent; imported without a rate`,
    };
  const rate = parseMoney(d.PaymentRate, REFERENCE_CURRENCY);
  if (rate.amountMinor <= 0n) throw new RowError('PaymentRate is zero; leave it empty for no rate');
  return { row: { ...row, rate } };
}

/**
 * Parses every record of a file with `parse`: rows that fail (or fail
 * `check`, a rule across files) are rejected with their file and line, and
 * the rest still parse; a key seen twice rejects the later row.
 */
export function parseRecords<T>(
  records: readonly CsvRecord[],
  parse: (values: Readonly<Record<string, string>>) => { row: T; note?: string },
  key: (row: T) => string,
  check: (row: T) => string | undefined = () => undefined,
): ParsedFile<T> {
  const out: ParsedFile<T> = { rows: [], rejected: [], notes: [] };
  const seen = new Map<string, number>();
  for (const rec of records) {
    const at = { file: rec.file, line: rec.line };
    if (rec.problem) {
      out.rejected.push({ ...at, message: rec.problem });
      continue;
    }
    try {
      const { row, note } = parse(rec.values);
      const problem = check(row);
      if (problem) throw new RowError(problem);
      const k = key(row);
      const first = seen.get(k);
      if (first !== undefined) {
        out.rejected.push({ ...at, message: `${k} repeats line ${first}` });
        continue;
      }
      seen.set(k, rec.line);
      out.rows.push(row);
      if (note) out.notes.push({ ...at, message: note });
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      out.rejected.push({ ...at, message: err.message });
    }
  }
  return out;
}

/** "file line N: message", for logs and errors. */
export function describeProblem(p: RowProblem): string {
  return `${p.file} line ${p.line}: ${p.message}`;
}
