import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../../platform/federation/connection.js';
import { MoneyAmount } from './money.type.js';
import { PaymentMethodCode } from './payment-intent.types.js';

export enum CoverageRelationship {
  self = 'self',
  spouse = 'spouse',
  child = 'child',
  other = 'other',
}
registerEnumType(CoverageRelationship, {
  name: 'CoverageRelationship',
  description: 'The patient’s relationship to the subscriber (FHIR subscriber-relationship).',
});

export enum CoverageStatus {
  active = 'active',
  cancelled = 'cancelled',
}
registerEnumType(CoverageStatus, { name: 'CoverageStatus', description: 'Coverage status.' });

export enum ClaimStatusCode {
  draft = 'draft',
  submitted = 'submitted',
  paid = 'paid',
  partiallyPaid = 'partially-paid',
  denied = 'denied',
  closed = 'closed',
}
registerEnumType(ClaimStatusCode, {
  name: 'ClaimStatus',
  description:
    'draft → submitted → paid, partially-paid or denied (adjudication) → closed. (partiallyPaid in GraphQL.)',
});

export enum ClaimOutcomeCode {
  paid = 'paid',
  partiallyPaid = 'partially-paid',
  denied = 'denied',
}
registerEnumType(ClaimOutcomeCode, {
  name: 'ClaimOutcome',
  description: 'What the payer decided.',
});

export enum ChargeKindCode {
  service = 'service',
  noShowFee = 'no-show-fee',
}
registerEnumType(ChargeKindCode, {
  name: 'ChargeKind',
  description: 'A billed service (HCPCS code) or a no-show fee.',
});

export enum AdjustmentKindCode {
  writeOff = 'write-off',
  correction = 'correction',
}
registerEnumType(AdjustmentKindCode, {
  name: 'AdjustmentKind',
  description: 'A write-off lowers the balance; a correction moves it either way.',
});

export enum LedgerEntryKindCode {
  charge = 'charge',
  payment = 'payment',
  refund = 'refund',
  writeOff = 'adjustment-writeoff',
  correction = 'adjustment-correction',
  insurancePayment = 'insurance-payment',
  reversal = 'reversal',
}
registerEnumType(LedgerEntryKindCode, {
  name: 'LedgerEntryKind',
  description: 'What a ledger entry records.',
});

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A patient, with the billing data this subgraph holds for them.' })
export class Patient {
  @Field(() => ID, { description: 'Patient id.' })
  id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An appointment, with what it was billed.' })
export class Appointment {
  @Field(() => ID, { description: 'Appointment id.' })
  id!: string;
}

@ObjectType({ description: 'An insurance company (reference data, not PHI).' })
export class Payer {
  @Field(() => ID, { description: 'Payer id.' })
  id!: string;

  @Field(() => String, { description: 'Name.' })
  name!: string;

  @Field(() => String, { description: 'Government or Private.' })
  ownership!: string;
}

@ObjectType({ description: 'An insurance plan of a payer (reference data, not PHI).' })
export class Plan {
  @Field(() => ID, { description: 'Plan id.' })
  id!: string;

  @Field(() => String, { description: 'Name.' })
  name!: string;

  @Field(() => Payer, { description: 'The payer.' })
  payer!: Payer;

  @Field(() => MoneyAmount, { description: 'Yearly deductible.' })
  deductible!: MoneyAmount;

  @Field(() => String, {
    description: 'Share the plan pays after the deductible, as an exact percentage, e.g. "80.00".',
  })
  coinsurancePercent!: string;

  @Field(() => MoneyAmount, { description: 'Copay per visit.' })
  copay!: MoneyAmount;
}

@ObjectType({ description: 'A HCPCS Level II code with its fee (CMS OPPS, 2026-04).' })
export class FeeScheduleItem {
  @Field(() => ID, { description: 'HCPCS Level II code, e.g. G0463.' })
  code!: string;

  @Field(() => String, { description: 'CMS short descriptor.' })
  description!: string;

  @Field(() => String, { description: 'OPPS status indicator.' })
  statusIndicator!: string;

  @Field(() => MoneyAmount, {
    nullable: true,
    description: 'Payment rate; null when CMS publishes none.',
  })
  rate?: MoneyAmount | null;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'Insurance coverage of a patient (FHIR Coverage): PHI, read under role, scope, consent and audit.',
})
export class Coverage {
  @Field(() => ID, { description: 'Coverage id.' })
  id!: string;

  @Field(() => Patient, { description: 'The covered patient.' })
  patient!: Patient;

  @Field(() => Payer, { description: 'The payer.' })
  payer!: Payer;

  @Field(() => Plan, { description: 'The plan.' })
  plan!: Plan;

  @Field(() => String, { description: 'Member id on the insurance card (stored encrypted).' })
  memberId!: string;

  @Field(() => CoverageRelationship, { description: 'Relationship to the subscriber.' })
  relationship!: CoverageRelationship;

  @Field(() => String, { description: 'First covered day, YYYY-MM-DD.' })
  periodStart!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Last covered day, YYYY-MM-DD; open if null.',
  })
  periodEnd?: string | null;

  @Field(() => Int, { description: 'Order of benefits: 1 primary, 2 secondary, …' })
  priority!: number;

  @Field(() => CoverageStatus, { description: 'Status.' })
  status!: CoverageStatus;

  @Field(() => Int, { description: 'Version; pass it as expectedVersion to change the coverage.' })
  version!: number;

  /** Internal. */
  patientId!: string;
  payerId!: string;
  planId!: string;
  memberIdCipher!: string;
}

@ObjectType({ description: 'A billed line (FHIR ChargeItem): a code, its fee and units.' })
export class Charge {
  @Field(() => ID, { description: 'Charge id.' })
  id!: string;

  @Field(() => Appointment, { description: 'The appointment billed.' })
  appointment!: Appointment;

  @Field(() => ChargeKindCode, { description: 'Service or no-show fee.' })
  kind!: ChargeKindCode;

  @Field(() => String, { description: 'HCPCS Level II code, or NO-SHOW.' })
  code!: string;

  @Field(() => String, { nullable: true, description: 'The fee schedule’s descriptor.' })
  description?: string | null;

  @Field(() => Int, { description: 'Units.' })
  units!: number;

  @Field(() => MoneyAmount, { description: 'Fee per unit.' })
  unitFee!: MoneyAmount;

  @Field(() => MoneyAmount, { description: 'Fee × units.' })
  amount!: MoneyAmount;

  @Field(() => Boolean, { description: 'Whether the charge has been reversed.' })
  reversed!: boolean;

  @Field(() => Date, { description: 'When it was posted.' })
  postedAt!: Date;

  /** Internal. */
  patientId!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A claim to a payer for one visit under one coverage (FHIR Claim).' })
export class Claim {
  @Field(() => ID, { description: 'Claim id.' })
  id!: string;

  @Field(() => Patient, { description: 'The patient.' })
  patient!: Patient;

  @Field(() => Appointment, { description: 'The visit claimed.' })
  appointment!: Appointment;

  @Field(() => Payer, { description: 'The payer.' })
  payer!: Payer;

  @Field(() => ClaimStatusCode, { description: 'Status.' })
  status!: ClaimStatusCode;

  @Field(() => MoneyAmount, { description: 'Sum of the claimed charges.' })
  total!: MoneyAmount;

  @Field(() => MoneyAmount, { nullable: true, description: 'Allowed by the payer.' })
  allowed?: MoneyAmount | null;

  @Field(() => MoneyAmount, { nullable: true, description: 'Paid by the payer.' })
  paid?: MoneyAmount | null;

  @Field(() => MoneyAmount, {
    nullable: true,
    description:
      'What the patient owes for the claimed services: allowed − paid (total when denied).',
  })
  patientResponsibility?: MoneyAmount | null;

  @Field(() => String, { nullable: true, description: 'Why the payer denied it (a reason code).' })
  denialReason?: string | null;

  @Field(() => String, { nullable: true, description: 'The payer’s own reference.' })
  payerReference?: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was submitted.' })
  submittedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was adjudicated.' })
  adjudicatedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was closed.' })
  closedAt?: Date | null;

  @Field(() => Int, { description: 'Version; changes with every status change.' })
  version!: number;

  /** Internal. */
  patientId!: string;
  coverageId!: string;
  payerId!: string;
}

@ObjectType({ description: 'A page of claims, newest first.' })
export class ClaimConnection extends Connection(Claim, 'Claim', 'claim') {}

@ObjectType({ description: 'Money received from the patient.' })
export class Payment {
  @Field(() => ID, { description: 'Payment id.' })
  id!: string;

  @Field(() => MoneyAmount, { description: 'Amount received.' })
  amount!: MoneyAmount;

  @Field(() => MoneyAmount, { description: 'Refunded so far.' })
  refunded!: MoneyAmount;

  @Field(() => Date, { description: 'When it was taken.' })
  createdAt!: Date;

  @Field(() => PaymentMethodCode, {
    description: 'How it came: staff-entered (cash, cheque, card terminal) or a provider’s.',
  })
  method!: PaymentMethodCode;

  @Field(() => ID, {
    nullable: true,
    description: 'The payment intent the provider confirmed (provider payments).',
  })
  intentId!: string | null;

  @Field(() => Boolean, {
    description: 'True when this answer replays an earlier request with the same key.',
  })
  replayed!: boolean;

  /** Internal. */
  patientId!: string;
}

@ObjectType({ description: 'A page of payments, newest first.' })
export class PaymentConnection extends Connection(Payment, 'Payment', 'payment') {}

@ObjectType({ description: 'Money handed back from a payment.' })
export class Refund {
  @Field(() => ID, { description: 'Refund id.' })
  id!: string;

  @Field(() => ID, { description: 'The payment refunded.' })
  paymentId!: string;

  @Field(() => MoneyAmount, { description: 'Amount.' })
  amount!: MoneyAmount;

  @Field(() => String, { description: 'Why.' })
  reason!: string;

  @Field(() => Date, { description: 'When.' })
  createdAt!: Date;

  @Field(() => Boolean, { description: 'True when this answer replays an earlier request.' })
  replayed!: boolean;
}

@ObjectType({ description: 'A write-off or correction of a patient’s balance.' })
export class Adjustment {
  @Field(() => ID, { description: 'Adjustment id.' })
  id!: string;

  @Field(() => AdjustmentKindCode, { description: 'Kind.' })
  kind!: AdjustmentKindCode;

  @Field(() => MoneyAmount, { description: 'Amount as posted (negative lowers the balance).' })
  amount!: MoneyAmount;

  @Field(() => String, { description: 'Why.' })
  reason!: string;

  @Field(() => ID, { nullable: true, description: 'The claim it belongs to, if any.' })
  claimId?: string | null;

  @Field(() => Date, { description: 'When.' })
  createdAt!: Date;

  @Field(() => Boolean, { description: 'True when this answer replays an earlier request.' })
  replayed!: boolean;
}

@ObjectType({ description: 'One ledger entry on a statement.' })
export class StatementLine {
  @Field(() => ID, { description: 'The ledger entry.' })
  entryId!: string;

  @Field(() => Date, { description: 'When it was posted.' })
  postedAt!: Date;

  @Field(() => LedgerEntryKindCode, { description: 'What it records.' })
  kind!: LedgerEntryKindCode;

  @Field(() => MoneyAmount, { description: 'Amount (positive: owed more).' })
  amount!: MoneyAmount;

  @Field(() => String, { description: 'What it is, e.g. a code and its descriptor.' })
  description!: string;
}

@ObjectType({ description: 'A page of a statement’s lines, in posting order.' })
export class StatementLineConnection extends Connection(
  StatementLine,
  'StatementLine',
  'statement line',
) {}

@ObjectType({ description: 'A patient statement: the account’s entries since the previous one.' })
export class Statement {
  @Field(() => ID, { description: 'Statement id.' })
  id!: string;

  @Field(() => Int, { description: '1 for the account’s first statement, then 2, 3, …' })
  sequence!: number;

  @Field(() => Date, { description: 'When it was issued.' })
  issuedAt!: Date;

  @Field(() => String, { description: 'Due date, YYYY-MM-DD.' })
  dueOn!: string;

  @Field(() => MoneyAmount, { description: 'Balance carried from the previous statement.' })
  openingBalance!: MoneyAmount;

  @Field(() => MoneyAmount, { description: 'Balance after this statement’s lines.' })
  closingBalance!: MoneyAmount;

  @Field(() => MoneyAmount, {
    description: 'What the patient owes (the closing balance, never below 0).',
  })
  amountDue!: MoneyAmount;

  @Field(() => Int, { description: 'Number of lines (all of them, whatever page `lines` shows).' })
  lineCount!: number;

  @Field(() => Boolean, { description: 'True when this answer replays an earlier request.' })
  replayed!: boolean;

  /** Internal. */
  patientId!: string;
}

@ObjectType({ description: 'A page of statements, newest first.' })
export class StatementConnection extends Connection(Statement, 'Statement', 'statement') {}
