import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireFound, requireRecord } from '../../../platform/authz/index.js';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { badInput } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { NO_ACCESS, pharmacyAccess, pharmacyEvent } from '../access.js';
import type { PharmacyContext } from '../context.js';
import {
  decryptPrescription,
  prescriptionsByIds,
  prescriptionVersions,
  type PrescriptionRecord,
} from '../store/prescriptions.js';
import { changeable, changeStatus } from './prescription-changes.js';
import { prescribe, safetyAlerts, type PrescriptionDraft } from './prescribing.js';
import { toPrescription } from './prescription.mapper.js';
import { PrescribeInput, RenewInput } from './prescription.inputs.js';
import { StatusActionCode } from './pharmacy.enums.js';
import { PrescribeResult, Prescription, SafetyAlert } from './prescription.types.js';

/** The prescription `id` the caller may read (audited), or FORBIDDEN for missing and refused alike. */
export async function readablePrescription(
  ctx: PharmacyContext,
  id: string,
): Promise<PrescriptionRecord> {
  const [rec] = await prescriptionsByIds(ctx.em, [requireUuid(id, 'id')]);
  const { record } = await requireFound(
    ctx,
    rec,
    pharmacyAccess('MedicationRequest', 'r'),
    'read',
    NO_ACCESS,
    id,
  );
  return record;
}

const asResult = (r: Awaited<ReturnType<typeof prescribe>>): PrescribeResult => ({
  prescription: r.prescription ? toPrescription(r.prescription) : null,
  blocked: r.blocked,
  alerts: r.alerts as SafetyAlert[],
});

/** Prescribing, renewing and changing prescriptions, and reading them. */
@Resolver()
export class PrescriptionResolver {
  @Query(() => Prescription, {
    description: 'One prescription (audited; FORBIDDEN when missing or not permitted).',
  })
  async prescription(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: PharmacyContext,
  ): Promise<Prescription> {
    const rec = await readablePrescription(ctx, id);
    return toPrescription(await decryptPrescription(ctx.em, ctx.services.cipher, rec));
  }

  @Query(() => [Prescription], {
    description: 'Every version of a prescription, newest first (audited).',
  })
  async prescriptionHistory(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: PharmacyContext,
  ): Promise<Prescription[]> {
    const rec = await readablePrescription(ctx, id);
    return (await prescriptionVersions(ctx.em, ctx.services.cipher, rec)).map(toPrescription);
  }

  @Query(() => [SafetyAlert], {
    description:
      'The safety checks of a drug for a patient on your care team, without prescribing: interactions, allergies and duplicate therapy against the whole medication list (audited).',
  })
  async checkPrescription(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('drugRxcui', () => ID) drugRxcui: string,
    @Ctx() ctx: PharmacyContext,
  ): Promise<SafetyAlert[]> {
    const pid = requireUuid(patientId, 'patientId');
    if (!/^[0-9]{1,12}$/.test(drugRxcui)) throw badInput('drugRxcui must be an RxCUI', 'drugRxcui');
    const decision = await requireRecord(
      ctx,
      { patientId: pid },
      pharmacyAccess('MedicationRequest', 's'),
      'search',
      NO_ACCESS,
    );
    await recordAccess(ctx, [
      pharmacyEvent({ patientId: pid }, decision, 'MedicationRequest', 'search'),
    ]);
    return (await safetyAlerts(ctx, ctx.em, pid, drugRxcui)) as SafetyAlert[];
  }

  @Mutation(() => PrescribeResult, {
    description:
      'Prescribes a drug for a patient on your care team (or under break-the-glass). The safety checks run first: a CONTRAINDICATED or HIGH alert, or an allergy match, blocks (nothing written, `blocked` true) unless `overrides` names it with a reason; lesser alerts come back with the prescription. Idempotent by key.',
  })
  async prescribe(
    @Arg('input', () => PrescribeInput) input: PrescribeInput,
    @Ctx() ctx: PharmacyContext,
  ): Promise<PrescribeResult> {
    const draft: PrescriptionDraft = {
      patientId: requireUuid(input.patientId, 'patientId'),
      drugRxcui: input.drugRxcui,
      quantity: input.quantity,
      refills: input.refills,
      validDays: input.validDays,
      renewalOf: null,
      detail: {
        dose: { value: input.dose.value, unit: input.dose.unit },
        route: input.route,
        frequency: { ...input.frequency },
        asNeeded: input.asNeeded,
        durationDays: input.durationDays ?? null,
        indication: input.indication
          ? {
              system: input.indication.system ?? null,
              code: input.indication.code ?? null,
              text: input.indication.text ?? null,
            }
          : null,
        notes: input.notes ?? null,
      },
      overrides: input.overrides.map((o) => ({ alertCode: o.alertCode, reason: o.reason })),
      idempotencyKey: input.idempotencyKey,
    };
    return asResult(await prescribe(ctx, draft));
  }

  @Mutation(() => PrescribeResult, {
    description:
      'Renews a prescription: a new prescription of the same drug and instructions (checked again), and the old one completed, in one write. CONFLICT unless expectedVersion is current.',
  })
  async renewPrescription(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('input', () => RenewInput) input: RenewInput,
    @Ctx() ctx: PharmacyContext,
  ): Promise<PrescribeResult> {
    const rec = await changeable(ctx, id);
    // The old prescription's content is read only inside the decided write; these are its columns.
    await requireRecord(
      ctx,
      rec,
      pharmacyAccess('MedicationRequest', 'u'),
      'update',
      NO_ACCESS,
      rec.id,
    );
    const { decrypted } = await decryptPrescription(ctx.em, ctx.services.cipher, rec);
    const draft: PrescriptionDraft = {
      patientId: rec.patientId,
      drugRxcui: rec.drugRxcui,
      quantity: input.quantity ?? rec.quantity,
      refills: input.refills ?? rec.refills,
      validDays: input.validDays,
      renewalOf: rec.id,
      expectedVersion,
      detail: {
        dose: decrypted.dose,
        route: decrypted.route,
        frequency: decrypted.frequency,
        asNeeded: decrypted.asNeeded,
        durationDays: decrypted.durationDays,
        indication: decrypted.indication,
        notes: decrypted.notes,
      },
      overrides: input.overrides.map((o) => ({ alertCode: o.alertCode, reason: o.reason })),
      idempotencyKey: input.idempotencyKey,
    };
    return asResult(await prescribe(ctx, draft));
  }

  @Mutation(() => Prescription, {
    description:
      'Holds, resumes, discontinues, cancels or marks a prescription entered in error, as a new version; a reason is required but to resume. CONFLICT unless expectedVersion is current; INVALID_TRANSITION when its status does not allow the action.',
  })
  async changePrescriptionStatus(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('action', () => StatusActionCode) action: StatusActionCode,
    @Arg('reason', () => String, { nullable: true }) reason: string | null | undefined,
    @Ctx() ctx: PharmacyContext,
  ): Promise<Prescription> {
    const why = reason ?? null;
    if (why !== null && (why.length < 3 || why.length > 500))
      throw badInput('reason must be 3 to 500 characters', 'reason');
    return toPrescription(await changeStatus(ctx, id, expectedVersion, action, why));
  }
}
