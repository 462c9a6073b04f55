import {
  buildFederatedSchema,
  type FederatedSchema,
} from '../../platform/federation/build-schema.js';
import type { PharmacyContext } from './context.js';
import { decryptPrescription } from './store/prescriptions.js';
import { readablePrescription } from './resolvers/prescription.resolver.js';
import { toPrescription } from './resolvers/prescription.mapper.js';
import {
  toDrug,
  DrugResolver,
  OutsideMedicationResolver,
  PrescriptionLinksResolver,
} from './resolvers/drug.resolver.js';
import { DispenseResolver, PrescriptionDispensesResolver } from './resolvers/dispense.resolver.js';
import { FacilityStockResolver } from './resolvers/facility-stock.resolver.js';
import { Facility } from './resolvers/facility.types.js';
import { PatientPharmacyResolver } from './resolvers/patient-pharmacy.resolver.js';
import { PrescriptionResolver } from './resolvers/prescription.resolver.js';
import { StockResolver } from './resolvers/stock.resolver.js';
import { Patient } from './resolvers/prescription.types.js';

/** Entities other subgraphs reference pass the same checks and audit as the root fields. */
const resolvePrescription = async (ref: { id: string }, ctx: PharmacyContext) =>
  toPrescription(
    await decryptPrescription(ctx.em, ctx.services.cipher, await readablePrescription(ctx, ref.id)),
  );

const resolveDrug = async (ref: { rxcui: string }, ctx: PharmacyContext) => {
  const d = /^[0-9]{1,12}$/.test(ref.rxcui) ? await ctx.loaders.drugs.load(ref.rxcui) : null;
  return d ? toDrug(d) : null;
};

/** Pharmacy's schema (no database needed: `npm run compose` uses it too). */
export function buildPharmacySchema(): Promise<FederatedSchema> {
  return buildFederatedSchema(
    {
      resolvers: [
        PrescriptionResolver,
        PatientPharmacyResolver,
        DrugResolver,
        PrescriptionLinksResolver,
        OutsideMedicationResolver,
        DispenseResolver,
        PrescriptionDispensesResolver,
        StockResolver,
        FacilityStockResolver,
      ],
      orphanedTypes: [Patient, Facility],
      validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    },
    {
      Patient: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
      Prescription: { __resolveReference: resolvePrescription },
      Drug: { __resolveReference: resolveDrug },
      Facility: { __resolveReference: (ref: { id: string; locationIds?: string[] }) => ref },
      Dispense: {
        __resolveReference: (ref: { id: string }, ctx: PharmacyContext) =>
          new DispenseResolver().dispense(ref.id, ctx),
      },
    },
  );
}
