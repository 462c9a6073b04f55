import { FieldResolver, Resolver, Root } from 'type-graphql';
import { CareTeamLink, Practitioner } from './care-team.types.js';

/** The practitioner behind a care-team link, resolved by the scheduling subgraph. */
@Resolver(() => CareTeamLink)
export class CareTeamLinkResolver {
  @FieldResolver(() => Practitioner, {
    description: 'The practitioner (name, NPI, specialties from scheduling).',
  })
  practitioner(@Root() link: CareTeamLink): Practitioner {
    return Object.assign(new Practitioner(), { id: link.practitionerId });
  }
}
