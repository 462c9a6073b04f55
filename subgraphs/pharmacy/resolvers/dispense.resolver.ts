import { randomUUID } from 'node:crypto';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { requireFound } from '../../../platform/authz/index.js';
import { badInput } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { NO_ACCESS, pharmacyAccess, pharmacyWrite, type PharmacySubject } from '../access.js';
import { drugLabels } from '../domain/drug-labels.js';
import type { PharmacyContext } from '../context.js';
import { drugsByRxcui } from '../store/catalogue-reads.js';
import {
  dispense,
  dispenseOutcome,
  dispensesById,
  publishDispensedInBatch,
  type DispenseRow,
  type Dispensed,
} from '../store/dispenses.js';
import { decryptPrescription } from '../store/prescriptions.js';
import { changeable } from './prescription-changes.js';
import { toPrescription } from './prescription.mapper.js';
import { readablePrescription } from './prescription.resolver.js';
import { DispenseInput } from './dispense.inputs.js';
import { Dispense, DispenseResult } from './dispense.types.js';
import { Prescription } from './prescription.types.js';

/** A stored dispense as the graph shows it. */
export const toDispense = (d: DispenseRow): Dispense => ({
  id: d.id,
  prescriptionId: d.prescriptionId,
  drugRxcui: d.drugRxcui,
  facilityId: d.facilityId,
  facility: { id: d.facilityId, locationIds: [] },
  quantity: d.quantity,
  fillNumber: d.fillNumber,
  dispensedAt: d.dispensedAt,
  unitPriceMinor: d.unitPriceMinor.toString(),
  currency: d.currency,
  lots: d.allocations,
  patientId: d.patientId,
});

/** Dispensing, and reading what was dispensed. */
@Resolver(() => Dispense)
export class DispenseResolver {
  @Query(() => Dispense, {
    description:
      'One dispense (audited; FORBIDDEN when missing or not permitted). Billing sees what was dispensed, never why.',
  })
  async dispense(@Arg('id', () => ID) id: string, @Ctx() ctx: PharmacyContext): Promise<Dispense> {
    const [row] = await dispensesById(ctx.em, [requireUuid(id, 'id')]);
    const { record } = await requireFound<DispenseRow & PharmacySubject>(
      ctx,
      row && { ...row, labels: drugLabels(row.drugRxcui) },
      pharmacyAccess('MedicationDispense', 'r'),
      'read',
      NO_ACCESS,
      id,
    );
    return toDispense(record);
  }

  @FieldResolver(() => Prescription, {
    nullable: true,
    description:
      'The prescription (null with FORBIDDEN for a caller who may see only the dispense).',
  })
  async prescription(@Root() d: Dispense, @Ctx() ctx: PharmacyContext): Promise<Prescription> {
    const rec = await readablePrescription(ctx, d.prescriptionId);
    return toPrescription(await decryptPrescription(ctx.em, ctx.services.cipher, rec));
  }

  @Mutation(() => DispenseResult, {
    description:
      'Dispenses against an active prescription, first expiry first out (never an expired lot, never below zero), once per idempotency key; refills counted. Refusals: CONFLICT with reason PRESCRIPTION_NOT_ACTIVE, PRESCRIPTION_EXPIRED, NO_FILLS_LEFT or INSUFFICIENT_STOCK; BAD_USER_INPUT QUANTITY_EXCEEDS_PRESCRIPTION. Publishes pharmacy.dispensed, which billing charges once.',
  })
  async dispenseMedication(
    @Arg('input', () => DispenseInput) input: DispenseInput,
    @Ctx() ctx: PharmacyContext,
  ): Promise<DispenseResult> {
    const rec = await changeable(ctx, input.prescriptionId, 'prescriptionId');
    const id = randomUUID();
    const done = await auditedWrite<Dispensed>(
      ctx,
      {
        decision: pharmacyWrite(
          ctx,
          { patientId: rec.patientId, labels: rec.labels },
          'MedicationDispense',
          'c',
          'create',
        ),
        patientId: rec.patientId,
        dataClass: 'MedicationDispense',
        action: 'create',
      },
      {
        idempotency: {
          schema: 'pharmacy',
          key: input.idempotencyKey,
          operation: 'dispenseMedication',
          request: { ...input, idempotencyKey: undefined },
        },
        write: async (em) => {
          const drug = (await drugsByRxcui(em, [rec.drugRxcui])).get(rec.drugRxcui);
          if (!drug || drug.unitPriceMinor === null)
            throw badInput(
              'The drug has no catalogue price, so it cannot be dispensed and billed',
              'prescriptionId',
            );
          const result = await dispense(em, {
            dispenseId: id,
            prescriptionId: rec.id,
            facilityId: input.facilityId,
            quantity: input.quantity,
            by: ctx.principal.sub,
            at: ctx.now,
            unitPriceMinor: drug.unitPriceMinor,
            currency: drug.currency,
            nearExpiryDays: ctx.services.nearExpiryDays,
          });
          return { id, result };
        },
        replay: (em, resultId) => dispenseOutcome(em, resultId),
        publish: (_em, result, batch) => publishDispensedInBatch(batch, result.dispense),
      },
    );
    return { dispense: toDispense(done.dispense), fillsLeft: done.fillsLeft };
  }
}

/** A prescription's dispenses, batched for every prescription of a response. */
@Resolver(() => Prescription)
export class PrescriptionDispensesResolver {
  @FieldResolver(() => [Dispense], { description: 'Dispenses against it, in fill order.' })
  async dispenses(@Root() p: Prescription, @Ctx() ctx: PharmacyContext): Promise<Dispense[]> {
    return (
      await ctx.loaders.dispenses.load({
        prescriptionId: p.id,
        patientId: p.patientId,
        labels: p.securityLabels,
      })
    ).map(toDispense);
  }
}
