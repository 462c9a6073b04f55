import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { selectedFieldNames } from '../../platform/federation/selection.js';
import { phiFieldsIn } from './store/patient-codec.js';
import {
  buildFederatedSchema,
  type FederatedSchema,
} from '../../platform/federation/build-schema.js';
import type { PatientContext } from './context.js';
import { toPatient } from './resolvers/patient.mapper.js';
import { AccessLogResolver } from './resolvers/access-log.resolver.js';
import { AccessLogProofResolver } from './resolvers/access-log-proof.resolver.js';
import { CareTeamResolver } from './resolvers/care-team.resolver.js';
import { CareTeamLinkResolver } from './resolvers/care-team-link.resolver.js';
import { ConsentResolver } from './resolvers/consent.resolver.js';
import { PatientFieldsResolver } from './resolvers/patient-fields.resolver.js';
import { PatientResolver } from './resolvers/patient.resolver.js';
import { PatientImportResolver } from './resolvers/patient-import.resolver.js';

/**
 * Entity references from other subgraphs go through the same per-record
 * checks and audit as `patient(id)`; a denied reference resolves to an error.
 */
async function resolvePatientReference(ref: { id: string }, ctx: PatientContext, info: unknown) {
  // @apollo/subgraph calls `__resolveReference(reference, context, info)`; its map type does not say so.
  const fields = phiFieldsIn(selectedFieldNames(info as GraphQLResolveInfo));
  const result = await ctx.references.load({ id: ref.id, fields });
  if (result instanceof GraphQLError) throw result;
  return toPatient(result);
}

/** The patient subgraph's schema (no database needed: `npm run compose` uses it too). */
export function buildPatientSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema(
    {
      resolvers: [
        PatientResolver,
        PatientImportResolver,
        PatientFieldsResolver,
        ConsentResolver,
        CareTeamLinkResolver,
        CareTeamResolver,
        AccessLogResolver,
        AccessLogProofResolver,
      ],
      validate: { forbidUnknownValues: true, validationError: { target: false, value: false } },
    },
    { Patient: { __resolveReference: resolvePatientReference } },
  );
}
