import fc from 'fast-check';

/**
 * Random billing operations for property tests (test support, not service
 * code); `ledger-model.ts` runs them through the store and predicts their
 * effect. Patients 0 and 1 keep USD accounts, patient 2 a EUR one.
 */
type FlowKind = 'payment' | 'writeoff' | 'correction';
export type ClaimOutcomeOp = 'paid' | 'partially-paid' | 'denied';
export type Op =
  | { t: 'charge'; p: number; appt: number; code: string; units: number; fee: number }
  | { [K in FlowKind]: { t: K; p: number; amount: number } }[FlowKind]
  /** A refund of `pct` % of the patient's latest payment (over 100: more than is left). */
  | { t: 'refund'; p: number; pct: number }
  | {
      t: 'claim';
      p: number;
      appt: number;
      outcome: ClaimOutcomeOp;
      allowedBp: number;
      paidBp: number;
    }
  | { t: 'reverse'; k: number }
  | { t: 'retry'; k: number };

const p = fc.integer({ min: 0, max: 2 });
const appt = fc.integer({ min: 0, max: 1 });
const amount = fc.integer({ min: 1, max: 100_000 });
const bp = fc.integer({ min: 0, max: 10_000 });
// Charges, claims, payments and refunds weigh more, so that many sequences claim a visit
// they charged and refund a payment they took.
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('charge' as const),
      p,
      appt,
      code: fc.constantFrom('G0463', 'G0438', 'J1100'),
      units: fc.integer({ min: 1, max: 3 }),
      fee: fc.integer({ min: 1, max: 50_000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('payment' as const), p, amount }) },
  fc.record({ t: fc.constant('writeoff' as const), p, amount }),
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('refund' as const),
      p,
      pct: fc.integer({ min: 1, max: 130 }),
    }),
  },
  fc.record({
    t: fc.constant('correction' as const),
    p,
    amount: fc.integer({ min: -50_000, max: 50_000 }).filter((n) => n !== 0),
  }),
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('claim' as const),
      p,
      appt,
      outcome: fc.constantFrom('paid', 'partially-paid', 'denied'),
      allowedBp: bp,
      paidBp: bp,
    }),
  },
  fc.record({ t: fc.constantFrom('reverse', 'retry'), k: fc.nat() }),
);
