import { recordAccess } from '../../../platform/audit/request-audit.js';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { NO_PATIENT } from '../../../platform/authz/index.js';
import { badInput, forbidden } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { NO_ACCESS, pharmacyWrite } from '../access.js';
import type { PharmacyContext } from '../context.js';
import { NEEDS_REASON, nextStatus, type StatusAction } from '../domain/prescription-status.js';
import {
  decryptPrescription,
  hasDispenses,
  prescriptionForUpdate,
  prescriptionsByIds,
  updatePrescription,
  type Prescription,
  type PrescriptionRecord,
} from '../store/prescriptions.js';

/**
 * The prescription a change names, by its readable metadata only (the write
 * decides access); FORBIDDEN, audited, with one answer for missing and refused.
 */
export async function changeable(
  ctx: PharmacyContext,
  id: string,
  field = 'id',
): Promise<PrescriptionRecord> {
  const [rec] = await prescriptionsByIds(ctx.em, [requireUuid(id, field)]);
  if (rec) return rec;
  await recordAccess(ctx, [
    {
      patientId: NO_PATIENT,
      resourceType: 'MedicationRequest',
      resourceId: id,
      action: 'update',
      purpose: ctx.principal.purposeOfUse,
      outcome: 'deny',
      reason: 'denied:not-found',
    },
  ]);
  throw forbidden(NO_ACCESS);
}

/**
 * Changes a prescription's status as a new version (hold, resume,
 * discontinue, cancel, entered in error), with the reason kept encrypted:
 * decided by the kernel inside the transaction, the row locked, CONFLICT
 * unless `expectedVersion` is current, INVALID_TRANSITION when the status
 * does not allow the action.
 */
export async function changeStatus(
  ctx: PharmacyContext,
  id: string,
  expectedVersion: number,
  action: StatusAction,
  reason: string | null,
): Promise<Prescription> {
  if (NEEDS_REASON.has(action) && !reason)
    throw badInput(`A reason is required to ${action} a prescription`, 'reason');
  const rec = await changeable(ctx, id);
  return auditedWrite(
    ctx,
    {
      decision: pharmacyWrite(
        ctx,
        { patientId: rec.patientId, labels: rec.labels },
        'MedicationRequest',
        'u',
        'update',
        rec.id,
      ),
      patientId: rec.patientId,
      dataClass: 'MedicationRequest',
      action: 'update',
    },
    async (em) => {
      const current = (await prescriptionForUpdate(em, rec.id))!;
      const status = nextStatus(
        current.status,
        action,
        action === 'cancel' && (await hasDispenses(em, rec.id)),
      );
      const { decrypted } = await decryptPrescription(em, ctx.services.cipher, current);
      const detail = { ...decrypted, statusReason: reason };
      const next = await updatePrescription(
        em,
        ctx.services.cipher,
        current,
        expectedVersion,
        { status, detail },
        ctx.principal.sub,
        ctx.now,
      );
      return { id: rec.id, result: { ...next, decrypted: detail } };
    },
  );
}
