import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../../../platform/identity/principal.js';
import { stableId } from '../domain/ids.js';
import type { EntryKind } from '../domain/ledger.js';
import { money, type Currency } from '../domain/money.js';
import { recordCharge } from './charges.js';
import { postEntries, reverseEntry } from './ledger.js';
import type { Op } from './ledger-ops.js';
import { takePayment } from './payments.js';

type Charge = Extract<Op, { t: 'charge' }>;
type Flow = Extract<Op, { amount: number }>;

const KINDS: Record<Flow['t'], [EntryKind, 'payment' | 'claim' | 'user', bigint]> = {
  payment: ['payment', 'payment', -1n],
  refund: ['refund', 'payment', 1n],
  writeoff: ['adjustment-writeoff', 'claim', -1n],
  insurance: ['insurance-payment', 'claim', -1n],
  correction: ['adjustment-correction', 'user', 1n],
};

/** One sequence's world: its patients, and what the model expects of the ledger. */
export class LedgerModel {
  readonly seq = randomUUID();
  readonly patients = [0, 1, 2].map(() => randomUUID());
  readonly currencies: Currency[] = ['USD', 'USD', 'EUR'];
  /** Expected entries by id: patient index and signed amount. */
  readonly entries = new Map<string, { p: number; amount: bigint; reversal: boolean }>();
  private readonly reversed = new Set<string>();
  private readonly charged = new Set<string>();
  private readonly paymentsOf = new Map<number, string>();
  /** What an op resolved to the first time (cause or target), so a replay does the same. */
  private readonly memo = new Map<number, string | null>();

  constructor(
    readonly ops: Op[],
    private readonly principal: Principal,
  ) {}

  expected(p: number): bigint {
    let total = 0n;
    for (const e of this.entries.values()) if (e.p === p) total += e.amount;
    return total;
  }

  private post(id: string, p: number, amount: bigint, reversal = false): void {
    if (!this.entries.has(id)) this.entries.set(id, { p, amount, reversal });
  }

  /** Runs op `i` through the store and applies its expected effect to the model. */
  async run(em: EntityManager, i: number): Promise<void> {
    const op = this.ops[i];
    if (!op) return;
    if (op.t === 'retry') return i > 0 ? this.run(em, op.k % i) : undefined;
    if (op.t === 'reverse') return this.reverse(em, i, op.k);
    if (op.t === 'charge') return this.charge(em, op);
    if (op.t === 'payment') return this.payment(em, i, op);
    return this.flow(em, i, op);
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

  private async charge(em: EntityManager, op: Charge): Promise<void> {
    const appointmentId = stableId(this.seq, 'appt', String(op.p), String(op.appt));
    const unitFee = money(op.fee, this.currencies[op.p] ?? 'USD');
    const { patientId } = this.account(op.p);
    const charge = await recordCharge(em, {
      appointmentId,
      patientId,
      code: op.code,
      units: op.units,
      unitFee,
      createdBy: 'evt',
    });
    const key = `${appointmentId}:${op.code}`;
    if (charge.created === this.charged.has(key))
      throw new Error('Charge not created exactly once');
    // The first delivery's fee wins; later ones (any fee) change nothing.
    if (!this.charged.has(key)) this.post(charge.ledgerEntryId, op.p, BigInt(op.fee * op.units));
    this.charged.add(key);
  }

  private async payment(em: EntityManager, i: number, op: Flow): Promise<void> {
    const { patientId, currency } = this.account(op.p);
    const res = await takePayment(em, {
      patientId,
      amountMinor: BigInt(op.amount),
      currency,
      idempotencyKey: `pay:${this.seq}:${i}`,
      principal: this.principal,
    });
    if (res.replayed !== this.entries.has(res.payment.ledgerEntryId))
      throw new Error('Payment not taken exactly once');
    this.post(res.payment.ledgerEntryId, op.p, -BigInt(op.amount));
    this.paymentsOf.set(op.p, res.payment.id);
  }

  /** Refunds (of the patient's latest payment), write-offs, insurance payments, corrections. */
  private async flow(em: EntityManager, i: number, op: Flow): Promise<void> {
    if (!this.memo.has(i))
      this.memo.set(
        i,
        op.t === 'refund'
          ? (this.paymentsOf.get(op.p) ?? null)
          : stableId(this.seq, 'cause', String(op.p)),
      );
    const causeId = this.memo.get(i);
    if (!causeId) return;
    const [kind, type, sign] = KINDS[op.t];
    const amount = sign * BigInt(op.amount);
    const { patientId, currency } = this.account(op.p);
    const id = stableId(this.seq, 'op', String(i));
    await postEntries(em, [
      {
        id,
        patientId,
        amount: money(amount, currency),
        kind,
        cause: { type, id: causeId },
        createdBy: 'clerk',
      },
    ]);
    this.post(id, op.p, amount);
  }

  private account(p: number): { patientId: string; currency: Currency } {
    return { patientId: this.patients[p] ?? '', currency: this.currencies[p] ?? 'USD' };
  }
}
