import {
  buildFederatedSchema,
  type FederatedSchema,
} from '../../platform/federation/build-schema.js';
import type { BillingContext } from './context.js';
import { readableClaims, readableCoverages, readOne } from './readable.js';
import { AccountResolver } from './resolvers/account.resolver.js';
import { AppointmentChargesResolver } from './resolvers/appointment.resolver.js';
import { toClaim, toCoverage } from './resolvers/billing.mapper.js';
import { ClaimResolver } from './resolvers/claim.resolver.js';
import { CoverageResolver } from './resolvers/coverage.resolver.js';
import { PaymentIntentResolver } from './resolvers/payment-intent.resolver.js';
import { PatientBillingResolver } from './resolvers/patient.resolver.js';
import { ReferenceResolver } from './resolvers/reference.resolver.js';

/** Claims and coverages referenced by other subgraphs pass the same checks and audit as `claim(id)`. */
const resolveClaim = async (ref: { id: string }, ctx: BillingContext) =>
  toClaim(await readOne(ctx, readableClaims, ref.id));

const resolveCoverage = async (ref: { id: string }, ctx: BillingContext) =>
  toCoverage(await readOne(ctx, readableCoverages, ref.id));

/** The billing subgraph's schema (no database needed: `npm run compose` uses it too). */
export function buildBillingSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema(
    {
      resolvers: [
        AccountResolver,
        AppointmentChargesResolver,
        ClaimResolver,
        CoverageResolver,
        PatientBillingResolver,
        PaymentIntentResolver,
        ReferenceResolver,
      ],
      validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    },
    {
      Claim: { __resolveReference: resolveClaim },
      Coverage: { __resolveReference: resolveCoverage },
      Patient: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
      Appointment: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
    },
  );
}
