import {
  buildFederatedSchema,
  type FederatedSchema,
} from '../../platform/federation/build-schema.js';
import { AgreementResolver } from './resolvers/agreement.resolver.js';
import { ForecastResolver } from './resolvers/forecast.resolver.js';
import { ReleaseResolver } from './resolvers/release.resolver.js';
import { ResearchResolver } from './resolvers/research.resolver.js';

/** Open data's schema (no database needed: `npm run compose` uses it too). */
export function buildOpenDataSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema(
    {
      resolvers: [AgreementResolver, ResearchResolver, ReleaseResolver, ForecastResolver],
      validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    },
    {},
  );
}
