import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { decidePharmacy, pharmacyWrite, type PharmacyData } from '../access.js';
import type { PharmacyContext } from '../context.js';
import { drugLabels } from '../domain/drug-labels.js';
import { RXNORM } from '../domain/medication-request.js';
import type {
  AlertOverride,
  AlertRecord,
  PrescriptionDetail,
} from '../domain/prescription-detail.js';
import type { AllergyEntry, MedicationEntry, SafetyAlert } from '../domain/safety-checks.js';
import { checkPrescription } from '../store/catalogue-checks.js';
import { factsInForce, type ClinicalFact } from '../store/clinical-facts.js';
import { nextStatus } from '../domain/prescription-status.js';
import {
  decryptPrescription,
  insertPrescription,
  prescriptionForUpdate,
  updatePrescription,
  prescriptionsByIds,
  prescriptionsInForce,
  type NewPrescription,
  type Prescription,
} from '../store/prescriptions.js';

/** What a prescriber asks for (validated by the inputs). */
export interface PrescriptionDraft {
  patientId: string;
  drugRxcui: string;
  quantity: number;
  refills: number;
  validDays: number;
  /** A renewal: the prescription it replaces (completed in the same write) at its expected version. */
  renewalOf: string | null;
  expectedVersion?: number;
  detail: Omit<PrescriptionDetail, 'alerts' | 'overrides' | 'statusReason'>;
  overrides: readonly AlertOverride[];
  idempotencyKey: string;
}

/** The outcome of prescribing: the prescription, or blocked with the alerts. */
export interface Prescribed {
  prescription: Prescription | null;
  blocked: boolean;
  alerts: SafetyAlert[];
}

/** Thrown inside the write to roll it back when a blocking alert was not overridden. */
class Blocked extends Error {
  constructor(readonly alerts: SafetyAlert[]) {
    super('blocked');
  }
}

const DAY_MS = 86_400_000;

/**
 * A record of the patient's that their consent withholds from the prescriber
 * still counts for safety, but its alert does not say what it is.
 */
function redacted(alert: SafetyAlert): SafetyAlert {
  return {
    ...alert,
    against: null,
    sources: [],
    message: `${alert.kind === 'ALLERGY' ? 'Matches an allergy' : 'Interacts with a medication'} in a part of the record the patient’s consent withholds from you (${alert.severity}); ask the patient or the pharmacist.`,
  };
}

/** The facts of a check: the patient's medications in force and allergies, and which are withheld. */
async function checkInputs(
  ctx: PharmacyContext,
  em: EntityManager,
  patientId: string,
  excluding: string | null,
): Promise<{ medications: MedicationEntry[]; allergies: AllergyEntry[]; withheld: Set<string> }> {
  const ours = (await prescriptionsInForce(em, patientId)).filter((p) => p.id !== excluding);
  const facts = await factsInForce(em, ctx.services.cipher, [patientId]);
  const withheld = new Set<string>();
  const labelled = facts.filter((f) => f.labels.length > 0);
  for (const type of ['AllergyIntolerance', 'MedicationStatement'] as PharmacyData[]) {
    const ofType = labelled.filter((f) => dataOf(f) === type);
    const decisions = await decidePharmacy(ctx, ofType, type, 'r');
    ofType.forEach((f, i) => {
      if (!decisions[i]!.allowed) withheld.add(f.resourceId);
    });
  }
  return {
    medications: [
      ...ours.map((p) => ({
        ref: p.id,
        source: 'prescription' as const,
        codes: [{ system: RXNORM, code: p.drugRxcui }],
      })),
      ...facts
        .filter((f) => f.kind === 'medication')
        .map((f) => ({ ref: f.resourceId, source: 'outside' as const, codes: f.codes })),
    ],
    allergies: facts
      .filter((f) => f.kind === 'allergy')
      .map((f) => ({ ref: f.resourceId, codes: f.codes })),
    withheld,
  };
}

const dataOf = (f: ClinicalFact): PharmacyData =>
  f.kind === 'allergy' ? 'AllergyIntolerance' : 'MedicationStatement';

/** Runs the safety checks for a drug against a patient's record, inside `em`'s transaction. */
export async function safetyAlerts(
  ctx: PharmacyContext,
  em: EntityManager,
  patientId: string,
  drugRxcui: string,
  excluding: string | null = null,
): Promise<SafetyAlert[]> {
  const { medications, allergies, withheld } = await checkInputs(ctx, em, patientId, excluding);
  const { alerts } = await checkPrescription(em, { drugRxcui, medications, allergies });
  return alerts.map((a) => (a.against && withheld.has(a.against.ref) ? redacted(a) : a));
}

/** Completes the prescription a renewal replaces (locked; CONFLICT unless at the expected version). */
async function completeRenewed(
  ctx: PharmacyContext,
  em: EntityManager,
  id: string,
  expectedVersion: number,
): Promise<void> {
  const old = await prescriptionForUpdate(em, id);
  if (!old) throw new Error('renewed prescription vanished inside its write');
  const status = nextStatus(old.status, 'complete', false);
  const { decrypted } = await decryptPrescription(em, ctx.services.cipher, old);
  await updatePrescription(
    em,
    ctx.services.cipher,
    old,
    expectedVersion,
    { status, detail: { ...decrypted, statusReason: 'Renewed' } },
    ctx.principal.sub,
    ctx.now,
  );
}

const record = (a: SafetyAlert): AlertRecord => ({
  code: a.code,
  kind: a.kind,
  severity: a.severity,
  blocking: a.blocking,
  message: a.message,
});

/**
 * Writes a prescription as one audited write: the kernel decides (care team
 * or break-the-glass, consent, scope) inside the transaction, then the
 * safety checks run there against the patient's medications and allergies
 * in one batched pass. A blocking alert not overridden rolls everything back
 * and answers `blocked` with the alerts (audited as a refused create naming
 * the alert codes); an override is recorded with the version and named in
 * the audit entry (`override:<codes>`).
 */
export async function prescribe(
  ctx: PharmacyContext,
  draft: PrescriptionDraft,
): Promise<Prescribed> {
  const id = randomUUID();
  const labels = drugLabels(draft.drugRxcui);
  const subject = { patientId: draft.patientId, labels };
  const audit: Parameters<typeof auditedWrite>[1] = {
    decision: pharmacyWrite(ctx, subject, 'MedicationRequest', 'c', 'create'),
    patientId: draft.patientId,
    dataClass: 'MedicationRequest',
    action: 'create',
  };
  let alerts: SafetyAlert[] = [];
  try {
    const prescription = await auditedWrite<Prescription>(ctx, audit, {
      idempotency: {
        schema: 'pharmacy',
        key: draft.idempotencyKey,
        operation: draft.renewalOf ? 'renewPrescription' : 'prescribe',
        request: { ...draft, idempotencyKey: undefined },
      },
      write: async (em) => {
        if (draft.renewalOf)
          await completeRenewed(ctx, em, draft.renewalOf, draft.expectedVersion ?? 0);
        alerts = await safetyAlerts(ctx, em, draft.patientId, draft.drugRxcui, draft.renewalOf);
        const asked = new Map(draft.overrides.map((o) => [o.alertCode, o.reason]));
        const open = alerts.filter((a) => a.blocking && !asked.has(a.code));
        if (open.length) throw new Blocked(alerts);
        const overrides = alerts
          .filter((a) => a.blocking && asked.has(a.code))
          .map((a) => ({ alertCode: a.code, reason: asked.get(a.code)! }));
        // The audit entry is built after the rows: it names what was overridden.
        if (overrides.length)
          audit.reason = `override:${overrides.map((o) => o.alertCode).join(',')}`.slice(0, 500);
        const row: NewPrescription = {
          id,
          patientId: draft.patientId,
          drugRxcui: draft.drugRxcui,
          prescriberId: ctx.principal.practitionerId ?? null,
          status: 'active',
          quantity: draft.quantity,
          refills: draft.refills,
          validUntil: new Date(ctx.now.getTime() + draft.validDays * DAY_MS),
          authoredAt: ctx.now,
          renewalOf: draft.renewalOf,
          labels,
          updatedAt: ctx.now,
        };
        const detail: PrescriptionDetail = {
          ...draft.detail,
          statusReason: null,
          alerts: alerts.map(record),
          overrides,
        };
        const stored = await insertPrescription(
          em,
          ctx.services.cipher,
          row,
          detail,
          ctx.principal.sub,
        );
        return { id, result: { ...stored, decrypted: detail } };
      },
      replay: async (em, resultId) => {
        const [rec] = await prescriptionsByIds(em, [resultId]);
        return decryptPrescription(em, ctx.services.cipher, rec!);
      },
    });
    return { prescription, blocked: false, alerts };
  } catch (err) {
    if (!(err instanceof Blocked)) throw err;
    await recordAccess(ctx, [
      {
        patientId: draft.patientId,
        resourceType: 'MedicationRequest',
        action: 'create',
        purpose: ctx.principal.purposeOfUse,
        outcome: 'deny',
        reason: `blocked:${err.alerts
          .filter((a: SafetyAlert) => a.blocking)
          .map((a: SafetyAlert) => a.code)
          .join(',')}`.slice(0, 500),
      },
    ]);
    return { prescription: null, blocked: true, alerts: err.alerts };
  }
}
