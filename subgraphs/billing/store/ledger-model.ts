import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldCipher } from '../../../platform/crypto/index.js';
import type { Principal } from '../../../platform/identity/principal.js';
import { claimEntryIds } from '../domain/adjudication.js';
import { stableId } from '../domain/ids.js';
import { money, type Currency } from '../domain/money.js';
import { adjustBalance } from './adjustments.js';
import { recordCharge } from './charges.js';
import { adjudicateClaim, createClaim, submitClaim } from './claims.js';
import { recordCoverage } from './coverage.js';
import { runOnce } from '../../../platform/db/idempotency.js';
import { reverseEntry, SCHEMA } from './ledger.js';
import type { Op } from './ledger-ops.js';
import { takePayment } from './payments.js';
import { refundPayment } from './refunds.js';

type Charge = Extract<Op, { t: 'charge' }>;
type Flow = Extract<Op, { amount: number }>;
type Refund = Extract<Op, { t: 'refund' }>;
type Claim = Extract<Op, { t: 'claim' }>;

/** The extension code of a GraphQL error, if `err` is one. */
const codeOf = (err: unknown): unknown =>
  (err as { extensions?: { code?: unknown } } | null)?.extensions?.code;

/** Runs `op`, which the model expects the store to refuse with `code`. */
async function refused(code: string, op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (err) {
    if (codeOf(err) === code) return;
    throw err;
  }
  throw new Error(`Expected ${code}, but the store accepted the operation`);
}

/**
 * One sequence's world: its patients, and what the model expects of the
 * ledger. Every operation goes through the store functions the API uses
 * (charges, payments, refunds, adjustments, claims, reversals), each with its
 * idempotency key or stable id, so running the sequence twice must change
 * nothing the second time.
 */
export class LedgerModel {
  readonly seq = randomUUID();
  readonly patients = [0, 1, 2].map(() => randomUUID());
  readonly currencies: Currency[] = ['USD', 'USD', 'EUR'];
  /** Expected entries by id: patient index and signed amount. */
  readonly entries = new Map<string, { p: number; amount: bigint; reversal: boolean }>();
  private readonly reversed = new Set<string>();
  /** Charges by appointment key: their ledger entry ids and amounts. */
  private readonly charges = new Map<string, { entryId: string; amount: bigint }[]>();
  private readonly claimed = new Set<string>();
  private readonly coverages = new Map<number, string>();
  /** Payments by patient, newest last, and each payment's refund entries. */
  private readonly payments = new Map<number, { id: string; entryId: string; amount: bigint }[]>();
  private readonly refunds = new Map<string, { entryId: string; amount: bigint }[]>();
  /** What an op resolved to the first time (a target, or null: skipped or refused). */
  private readonly memo = new Map<number, string | null>();

  constructor(
    readonly ops: Op[],
    private readonly principal: Principal,
    private readonly cipher: FieldCipher,
  ) {}

  expected(p: number): bigint {
    let total = 0n;
    for (const e of this.entries.values()) if (e.p === p) total += e.amount;
    return total;
  }

  private post(id: string, p: number, amount: bigint, reversal = false): void {
    if (!this.entries.has(id)) this.entries.set(id, { p, amount, reversal });
  }

  private live(entryId: string): boolean {
    return this.entries.has(entryId) && !this.reversed.has(entryId);
  }

  /** Runs op `i` through the store and applies its expected effect to the model. */
  async run(em: EntityManager, i: number): Promise<void> {
    const op = this.ops[i];
    if (!op) return;
    if (op.t === 'retry') return i > 0 ? this.run(em, op.k % i) : undefined;
    if (op.t === 'reverse') return this.reverse(em, i, op.k);
    if (op.t === 'charge') return this.charge(em, op);
    if (op.t === 'claim') return this.claim(em, i, op);
    if (op.t === 'payment') return this.payment(em, i, op);
    if (op.t === 'refund') return this.refund(em, i, op);
    return this.adjust(em, i, op);
  }

  private async reverse(em: EntityManager, i: number, k: number): Promise<void> {
    if (!this.memo.has(i)) {
      const targets = [...this.entries].filter(([, e]) => !e.reversal).map(([eid]) => eid);
      this.memo.set(i, targets.length ? (targets[k % targets.length] ?? null) : null);
    }
    const target = this.memo.get(i);
    if (!target) return;
    const r = await reverseEntry(em, target, 'clerk');
    const original = this.entries.get(target);
    if (original && !this.reversed.has(target)) {
      this.reversed.add(target);
      this.post(r.id, original.p, -original.amount, true);
    }
  }

  private apptKey(p: number, appt: number): string {
    return stableId(this.seq, 'appt', String(p), String(appt));
  }

  private async charge(em: EntityManager, op: Charge): Promise<void> {
    const appointmentId = this.apptKey(op.p, op.appt);
    const unitFee = money(op.fee, this.currencies[op.p] ?? 'USD');
    const charge = await recordCharge(em, {
      appointmentId,
      patientId: this.patientOf(op.p),
      code: op.code,
      units: op.units,
      unitFee,
      createdBy: 'evt',
    });
    const list = this.charges.get(appointmentId) ?? [];
    const known = list.some((c) => c.entryId === charge.ledgerEntryId);
    if (charge.created === known) throw new Error('Charge not created exactly once');
    // The first delivery's fee wins; later ones (any fee) change nothing.
    if (!known) {
      const amount = BigInt(op.fee * op.units);
      list.push({ entryId: charge.ledgerEntryId, amount });
      this.charges.set(appointmentId, list);
      this.post(charge.ledgerEntryId, op.p, amount);
    }
  }

  /** Drafts, submits and adjudicates a claim for one visit, as one idempotent request. */
  private async claim(em: EntityManager, i: number, op: Claim): Promise<void> {
    if (this.memo.has(i)) {
      const claimId = this.memo.get(i);
      if (!claimId) return;
      const replay = await runOnce(
        em,
        SCHEMA,
        { by: 'clerk', key: `claim:${this.seq}:${i}`, operation: 'claimOutcome', request: op },
        () => Promise.reject(new Error('A replayed claim ran again')),
      );
      if (!replay.replayed || replay.id !== claimId) throw new Error('Claim not replayed');
      return;
    }
    this.memo.set(i, null);
    // Coverage is in USD: the EUR account is never claimed.
    if (this.currencies[op.p] !== 'USD') return;
    const appointmentId = this.apptKey(op.p, op.appt);
    const billable = (this.charges.get(appointmentId) ?? []).filter((c) => this.live(c.entryId));
    const coverageId = await this.coverageOf(em, op.p);
    const run = () =>
      runOnce(
        em,
        SCHEMA,
        { by: 'clerk', key: `claim:${this.seq}:${i}`, operation: 'claimOutcome', request: op },
        async (tem) => {
          const claim = await createClaim(tem, { appointmentId, coverageId, by: 'clerk' });
          await submitClaim(tem, claim.id, undefined, 'clerk');
          const decided = await adjudicateClaim(tem, claim.id, { ...decision, by: 'clerk' });
          return decided.id;
        },
      );
    if (this.claimed.has(appointmentId)) return refused('CONFLICT', run);
    if (!billable.length) return refused('BAD_USER_INPUT', run);
    const total = billable.reduce((s, c) => s + c.amount, 0n);
    const allowed = (total * BigInt(op.allowedBp)) / 10_000n;
    let outcome = op.outcome;
    if (outcome === 'partially-paid' && allowed < 2n) outcome = allowed === 1n ? 'paid' : 'denied';
    if (outcome === 'paid' && allowed === 0n) outcome = 'denied';
    const partial = (allowed * BigInt(op.paidBp)) / 10_000n;
    const paid =
      outcome === 'paid'
        ? allowed
        : outcome === 'denied'
          ? 0n
          : partial < 1n
            ? 1n
            : partial >= allowed
              ? allowed - 1n
              : partial;
    const decision = {
      outcome,
      allowed: money(allowed, 'USD'),
      paid: money(paid, 'USD'),
      ...(outcome === 'denied' ? { denialReason: 'CO-50' } : {}),
    };
    const { id } = await run();
    this.memo.set(i, id);
    this.claimed.add(appointmentId);
    // A denial posts nothing; a payment posts the payer's share and the contractual write-off.
    if (outcome === 'denied') return;
    const ids = claimEntryIds(id);
    if (paid > 0n) this.post(ids.paid, op.p, -paid);
    if (total > allowed) this.post(ids.contractual, op.p, -(total - allowed));
  }

  private async coverageOf(em: EntityManager, p: number): Promise<string> {
    const known = this.coverages.get(p);
    if (known) return known;
    const c = await recordCoverage(em, this.cipher, {
      patientId: this.patientOf(p),
      planId: '60001',
      memberId: `M${p}${this.seq.slice(0, 8)}`,
      relationship: 'self',
      periodStart: '2020-01-01',
      priority: 1,
      by: 'clerk',
    });
    this.coverages.set(p, c.id);
    return c.id;
  }

  private async payment(em: EntityManager, i: number, op: Flow): Promise<void> {
    const res = await takePayment(em, {
      patientId: this.patientOf(op.p),
      amountMinor: BigInt(op.amount),
      currency: this.currencies[op.p] ?? 'USD',
      idempotencyKey: `pay:${this.seq}:${i}`,
      principal: this.principal,
    });
    if (res.replayed !== this.entries.has(res.payment.ledgerEntryId))
      throw new Error('Payment not taken exactly once');
    if (!res.replayed) {
      const list = this.payments.get(op.p) ?? [];
      list.push({
        id: res.payment.id,
        entryId: res.payment.ledgerEntryId,
        amount: BigInt(op.amount),
      });
      this.payments.set(op.p, list);
    }
    this.post(res.payment.ledgerEntryId, op.p, -BigInt(op.amount));
  }

  /** Refunds part of the patient's latest payment: never more than is left of it. */
  private async refund(em: EntityManager, i: number, op: Refund): Promise<void> {
    const first = !this.memo.has(i);
    if (first) this.memo.set(i, this.payments.get(op.p)?.at(-1)?.id ?? null);
    const paymentId = this.memo.get(i);
    if (!paymentId) return;
    const payment = (this.payments.get(op.p) ?? []).find((x) => x.id === paymentId)!;
    const share = (payment.amount * BigInt(op.pct)) / 100n;
    const amount = share > 0n ? share : 1n;
    const run = () =>
      refundPayment(em, {
        paymentId,
        amount: money(amount, this.currencies[op.p] ?? 'USD'),
        reason: 'Overpaid',
        idempotencyKey: `refund:${this.seq}:${i}`,
        by: 'clerk',
      });
    if (first) {
      const left =
        (this.live(payment.entryId) ? payment.amount : 0n) -
        (this.refunds.get(paymentId) ?? [])
          .filter((r) => this.live(r.entryId))
          .reduce((s, r) => s + r.amount, 0n);
      if (amount > left) {
        this.memo.set(i, null);
        return refused('BAD_USER_INPUT', run);
      }
    }
    const { refund, replayed } = await run();
    if (replayed !== !first) throw new Error('Refund not taken exactly once');
    if (first) {
      const list = this.refunds.get(paymentId) ?? [];
      list.push({ entryId: refund.ledgerEntryId, amount });
      this.refunds.set(paymentId, list);
    }
    this.post(refund.ledgerEntryId, op.p, amount);
  }

  /** Write-offs (a positive magnitude, posted as a credit) and signed corrections. */
  private async adjust(em: EntityManager, i: number, op: Flow): Promise<void> {
    const writeOff = op.t === 'writeoff';
    const { adjustment, replayed } = await adjustBalance(em, {
      patientId: this.patientOf(op.p),
      kind: writeOff ? 'write-off' : 'correction',
      amount: money(op.amount, this.currencies[op.p] ?? 'USD'),
      reason: writeOff ? 'Hardship' : 'Keying error',
      idempotencyKey: `adj:${this.seq}:${i}`,
      by: 'clerk',
    });
    if (replayed !== this.memo.has(i)) throw new Error('Adjustment not made exactly once');
    this.memo.set(i, adjustment.id);
    this.post(adjustment.ledgerEntryId, op.p, writeOff ? -BigInt(op.amount) : BigInt(op.amount));
  }

  private patientOf(p: number): string {
    return this.patients[p] ?? '';
  }
}
