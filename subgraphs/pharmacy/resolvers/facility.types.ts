import { Directive, Field, ID, ObjectType } from 'type-graphql';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A facility of care routing’s directory, with its pharmacy stock.' })
export class Facility {
  @Field(() => ID, { description: 'Facility id.' })
  id!: string;

  @Directive('@external')
  @Field(() => [ID], { description: 'FHIR Location ids that name the facility (care routing’s).' })
  locationIds!: string[];
}
