import { Directive, Field, ID, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'A practitioner on the patient’s care team; members may read the record for treatment.',
})
export class CareTeamLink {
  @Field(() => ID, { description: 'Link id.' })
  id!: string;

  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => ID, {
    description: 'Practitioner id (resolved to a Practitioner by the scheduling subgraph).',
  })
  practitionerId!: string;

  @Field(() => String, { description: 'Role on the team, e.g. primary-care, specialist.' })
  role!: string;

  @Field(() => Date, { description: 'When the link started.' })
  since!: Date;
}

@ObjectType({ description: 'Emergency access opened by a clinician outside the care team.' })
export class BreakGlassGrant {
  @Field(() => ID, { description: 'Grant id.' })
  id!: string;

  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => Date, { description: 'When access was opened.' })
  grantedAt!: Date;

  @Field(() => Date, { description: 'When access ends.' })
  expiresAt!: Date;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A practitioner (resolved by the scheduling subgraph).' })
export class Practitioner {
  @Field(() => ID, { description: 'Practitioner id.' })
  id!: string;
}
