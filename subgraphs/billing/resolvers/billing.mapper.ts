import type { PaymentMethodCode } from './payment-intent.types.js';
import type { AdjustmentRow } from '../store/adjustments.js';
import type { ChargeRow } from '../store/charges.js';
import type { ClaimRow } from '../store/claims.js';
import type { CoverageRow } from '../store/coverage.js';
import type { PaymentView } from '../store/payment-views.js';
import type { PayerRow, PlanRow } from '../store/reference-reads.js';
import type { RefundRow } from '../store/refunds.js';
import { moneyOrNull, moneyOut } from './money.type.js';
import {
  AdjustmentKindCode,
  type Adjustment,
  type Charge,
  type ChargeKindCode,
  type Claim,
  type ClaimStatusCode,
  type Coverage,
  type CoverageRelationship,
  type CoverageStatus,
  type Payer,
  type Payment,
  type Plan,
  type Refund,
} from './billing.types.js';

/** GraphQL shapes of billing rows; reference fields (payer, plan, …) resolve lazily. */
export function toCoverage(c: CoverageRow): Coverage {
  return {
    id: c.id,
    patient: { id: c.patientId },
    payer: { id: c.payerId } as Payer,
    plan: { id: c.planId } as Plan,
    memberId: '',
    relationship: c.relationship as CoverageRelationship,
    periodStart: c.periodStart,
    periodEnd: c.periodEnd,
    priority: c.priority,
    status: c.status as CoverageStatus,
    version: c.version,
    patientId: c.patientId,
    payerId: c.payerId,
    planId: c.planId,
    memberIdCipher: c.memberIdCipher,
  };
}

export function toCharge(c: ChargeRow): Charge {
  return {
    id: c.id,
    appointment: { id: c.appointmentId },
    kind: c.kind as ChargeKindCode,
    code: c.code,
    description: c.description,
    units: c.units,
    unitFee: moneyOut(c.unitFee),
    amount: moneyOut(c.amount),
    reversed: c.reversed,
    postedAt: c.createdAt,
    patientId: c.patientId,
  };
}

export function toClaim(c: ClaimRow): Claim {
  const responsibility =
    c.outcome === 'denied'
      ? c.total
      : c.allowed && c.paid
        ? { ...c.allowed, amountMinor: c.allowed.amountMinor - c.paid.amountMinor }
        : null;
  return {
    id: c.id,
    patient: { id: c.patientId },
    appointment: { id: c.appointmentId },
    payer: { id: c.payerId } as Payer,
    status: c.status as ClaimStatusCode,
    total: moneyOut(c.total),
    allowed: moneyOrNull(c.allowed),
    paid: moneyOrNull(c.paid),
    patientResponsibility: moneyOrNull(responsibility),
    denialReason: c.denialReason,
    payerReference: c.payerReference,
    submittedAt: c.submittedAt,
    adjudicatedAt: c.adjudicatedAt,
    closedAt: c.closedAt,
    version: c.version,
    patientId: c.patientId,
    coverageId: c.coverageId,
    payerId: c.payerId,
  };
}

export const toPayer = (p: PayerRow): Payer => ({ ...p });

export function toPlan(p: PlanRow, payer: PayerRow): Plan {
  return {
    id: p.id,
    name: p.name,
    payer: toPayer(payer),
    deductible: moneyOut(p.deductible),
    coinsurancePercent: `${Math.floor(p.coinsuranceBp / 100)}.${String(p.coinsuranceBp % 100).padStart(2, '0')}`,
    copay: moneyOut(p.copay),
  };
}

export function toPayment(p: PaymentView, replayed = false): Payment {
  return {
    id: p.id,
    amount: moneyOut(p.amount),
    refunded: moneyOut(p.refunded),
    createdAt: p.createdAt,
    method: p.method as PaymentMethodCode,
    intentId: p.intentId,
    replayed,
    patientId: p.patientId,
  };
}

export function toRefund(r: RefundRow, replayed: boolean): Refund {
  return {
    id: r.id,
    paymentId: r.paymentId,
    amount: moneyOut(r.amount),
    reason: r.reason,
    createdAt: r.createdAt,
    replayed,
  };
}

export function toAdjustment(a: AdjustmentRow, replayed: boolean): Adjustment {
  return {
    id: a.id,
    kind: a.kind === 'write-off' ? AdjustmentKindCode.writeOff : AdjustmentKindCode.correction,
    amount: moneyOut(a.amount),
    reason: a.reason,
    claimId: a.claimId,
    createdAt: a.createdAt,
    replayed,
  };
}
