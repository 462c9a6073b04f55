import {
  buildFederatedSchema,
  type FederatedSchema,
} from '../../platform/federation/build-schema.js';
import {
  DrugResolver,
  OutsideMedicationResolver,
  PrescriptionLinksResolver,
} from './resolvers/drug.resolver.js';
import { DispenseResolver, PrescriptionDispensesResolver } from './resolvers/dispense.resolver.js';
import { PatientPharmacyResolver } from './resolvers/patient-pharmacy.resolver.js';
import { PrescriptionResolver } from './resolvers/prescription.resolver.js';
import { StockResolver } from './resolvers/stock.resolver.js';
import { Patient } from './resolvers/prescription.types.js';

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
      ],
      orphanedTypes: [Patient],
      validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    },
    {
      Patient: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
    },
  );
}
