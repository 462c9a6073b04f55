import {
  buildFederatedSchema,
  type FederatedSchema,
} from '../../platform/federation/build-schema.js';
import { ClinicalResolver } from './resolvers/clinical.resolver.js';
import { CLINICAL_OBJECT_TYPES } from './resolvers/clinical.types.js';
import { EncounterLinksResolver } from './resolvers/encounter-links.resolver.js';
import { PatientClinicalResolver } from './resolvers/patient-clinical.resolver.js';
import { Patient } from './resolvers/patient-clinical.types.js';

/** The FHIR adapter's schema (no database needed: `npm run compose` uses it too). */
export function buildFhirSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema(
    {
      resolvers: [ClinicalResolver, EncounterLinksResolver, PatientClinicalResolver],
      // Patient is an entity no field returns: the gateway reaches it by its key.
      orphanedTypes: [...CLINICAL_OBJECT_TYPES, Patient],
      validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    },
    {
      Patient: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
    },
  );
}
