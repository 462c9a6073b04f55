import { describe, expect, it } from 'vitest';
import { adjudicationEntries, adjudicationProblem, claimEntryIds } from './adjudication.js';
import { canTransition, invalidTransition } from './claim-status.js';
import { stableId } from './ids.js';
import { money } from './money.js';

const total = money(20000n, 'USD');
const usd = (n: bigint) => money(n, 'USD');
const claim = { id: '00000000-0000-4000-8000-000000000001', patientId: 'p-1', total };

describe('adjudication rules', () => {
  it('accepts the three outcomes within 0 ≤ paid ≤ allowed ≤ total', () => {
    expect(
      adjudicationProblem(total, { outcome: 'paid', allowed: usd(15000n), paid: usd(15000n) }),
    ).toBeUndefined();
    expect(
      adjudicationProblem(total, { outcome: 'paid', allowed: total, paid: total }),
    ).toBeUndefined();
    expect(
      adjudicationProblem(total, {
        outcome: 'partially-paid',
        allowed: usd(15000n),
        paid: usd(9000n),
      }),
    ).toBeUndefined();
    expect(
      adjudicationProblem(total, {
        outcome: 'denied',
        allowed: usd(0n),
        paid: usd(0n),
        denialReason: 'CO-50 not medically necessary',
        payerReference: 'ICN-2026-000123',
      }),
    ).toBeUndefined();
  });

  it('names the field of each refused amount', () => {
    const field = (a: Parameters<typeof adjudicationProblem>[1]) =>
      adjudicationProblem(total, a)?.field;
    expect(field({ outcome: 'paid', allowed: usd(20001n), paid: usd(20001n) })).toBe('allowed');
    expect(field({ outcome: 'partially-paid', allowed: usd(100n), paid: usd(101n) })).toBe('paid');
    expect(field({ outcome: 'paid', allowed: usd(100n), paid: usd(99n) })).toBe('paid');
    expect(field({ outcome: 'paid', allowed: usd(0n), paid: usd(0n) })).toBe('paid');
    expect(field({ outcome: 'partially-paid', allowed: usd(100n), paid: usd(100n) })).toBe('paid');
    expect(field({ outcome: 'partially-paid', allowed: usd(100n), paid: usd(0n) })).toBe('paid');
    expect(field({ outcome: 'paid', allowed: usd(-1n), paid: usd(-1n) })).toBe('allowed');
    expect(field({ outcome: 'paid', allowed: money(100n, 'EUR'), paid: money(100n, 'EUR') })).toBe(
      'allowed',
    );
    expect(field({ outcome: 'paid', allowed: usd(100n), paid: money(100n, 'EUR') })).toBe('paid');
    expect(field({ outcome: 'denied', allowed: usd(0n), paid: usd(0n) })).toBe('denialReason');
    expect(field({ outcome: 'denied', allowed: usd(0n), paid: usd(0n), denialReason: '  ' })).toBe(
      'denialReason',
    );
    expect(
      field({ outcome: 'denied', allowed: usd(10n), paid: usd(10n), denialReason: 'CO-97' }),
    ).toBe('paid');
    expect(
      field({ outcome: 'denied', allowed: usd(0n), paid: usd(0n), denialReason: 'x'.repeat(201) }),
    ).toBe('denialReason');
    expect(
      field({ outcome: 'denied', allowed: usd(0n), paid: usd(0n), denialReason: 'CO-97\nforged' }),
    ).toBe('denialReason');
    expect(field({ outcome: 'paid', allowed: total, paid: total, denialReason: 'CO-97' })).toBe(
      'denialReason',
    );
    expect(field({ outcome: 'paid', allowed: total, paid: total, payerReference: 'a b' })).toBe(
      'payerReference',
    );
    expect(field({ outcome: 'approved' as 'paid', allowed: total, paid: total })).toBe('outcome');
  });
});

describe('adjudication entries', () => {
  it('posts −paid as an insurance payment and −(total − allowed) as a contractual write-off', () => {
    const entries = adjudicationEntries(
      claim,
      { outcome: 'partially-paid', allowed: usd(15000n), paid: usd(9000n) },
      'clerk',
    );
    expect(entries).toEqual([
      {
        id: stableId('claim-paid', claim.id),
        patientId: 'p-1',
        amount: usd(-9000n),
        kind: 'insurance-payment',
        cause: { type: 'claim', id: claim.id },
        createdBy: 'clerk',
      },
      {
        id: stableId('claim-contractual', claim.id),
        patientId: 'p-1',
        amount: usd(-5000n),
        kind: 'adjustment-writeoff',
        cause: { type: 'claim', id: claim.id },
        createdBy: 'clerk',
      },
    ]);
    // The patient is left owing allowed − paid.
    const left = entries.reduce((s, e) => s + e.amount.amountMinor, total.amountMinor);
    expect(left).toBe(6000n);
  });

  it('leaves out zero amounts and uses the same ids every time', () => {
    expect(
      adjudicationEntries(claim, { outcome: 'paid', allowed: total, paid: total }, 'c').map(
        (e) => e.kind,
      ),
    ).toEqual(['insurance-payment']);
    expect(
      adjudicationEntries(claim, { outcome: 'paid', allowed: usd(100n), paid: usd(100n) }, 'c').map(
        (e) => e.kind,
      ),
    ).toEqual(['insurance-payment', 'adjustment-writeoff']);
  });

  it('posts nothing for a denial, whatever it allows', () => {
    for (const allowed of [usd(0n), usd(5000n), total])
      expect(
        adjudicationEntries(claim, { outcome: 'denied', allowed, paid: usd(0n) }, 'c'),
      ).toEqual([]);
    expect(claimEntryIds(claim.id)).toEqual(claimEntryIds(claim.id));
    expect(claimEntryIds(claim.id).paid).not.toBe(claimEntryIds(claim.id).contractual);
  });
});

describe('claim status', () => {
  it('allows only the claim life cycle', () => {
    expect(canTransition('draft', 'submitted')).toBe(true);
    expect(canTransition('submitted', 'partially-paid')).toBe(true);
    expect(canTransition('denied', 'closed')).toBe(true);
    expect(canTransition('draft', 'paid')).toBe(false);
    expect(canTransition('paid', 'denied')).toBe(false);
    expect(canTransition('submitted', 'closed')).toBe(false);
    expect(canTransition('closed', 'draft')).toBe(false);
    expect(invalidTransition('paid', 'denied').extensions).toEqual({
      code: 'INVALID_TRANSITION',
      from: 'paid',
      to: 'denied',
    });
  });
});
