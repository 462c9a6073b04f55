import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { toConnection } from '../../../platform/federation/keyset.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import type { PharmacyContext } from '../context.js';
import { RXNORM } from '../domain/medication-request.js';
import { PrescriptionStatusCode } from './pharmacy.enums.js';
import { toPrescription } from './prescription.mapper.js';
import { MedicationListEntry, Patient, PrescriptionConnection } from './prescription.types.js';

/** Pharmacy's fields on the patient entity, batched for every patient of a response. */
@Resolver(() => Patient)
export class PatientPharmacyResolver {
  @FieldResolver(() => PrescriptionConnection, {
    description:
      'Prescriptions, newest first (audited; empty when the caller may not see them; those a consent withholds by their labels are left out). By default every status but entered-in-error.',
  })
  async prescriptions(
    @Root() patient: Patient,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Arg('status', () => [PrescriptionStatusCode], { nullable: true })
    status: PrescriptionStatusCode[] | null,
    @Ctx() ctx: PharmacyContext,
  ): Promise<PrescriptionConnection> {
    const page = await ctx.loaders.prescriptionPages.load({
      patientId: requireUuid(patient.id),
      statuses: status?.length ? [...new Set(status)].sort() : null,
      first: pageSize(first),
      after: after ?? null,
    });
    return toConnection(page, toPrescription);
  }

  @FieldResolver(() => [MedicationListEntry], {
    description:
      'The active medication list: Carefed prescriptions active or on hold, and outside medications from the clinical record (audited; what the caller may not see is left out).',
  })
  async medications(
    @Root() patient: Patient,
    @Ctx() ctx: PharmacyContext,
  ): Promise<MedicationListEntry[]> {
    const list = await ctx.loaders.medicationLists.load(requireUuid(patient.id));
    return [
      ...list.prescriptions.map((p) => ({
        source: 'prescription',
        prescription: toPrescription(p),
        outside: null,
      })),
      ...list.outside.map((f) => ({
        source: 'outside',
        prescription: null,
        outside: {
          resourceId: f.resourceId,
          resourceType: f.resourceType,
          status: f.status,
          codes: f.codes.map((c) => `${c.system ?? ''}|${c.code}`),
          start: f.start,
          rxcui: f.codes.find((c) => c.system === RXNORM)?.code ?? null,
        },
      })),
    ];
  }
}
