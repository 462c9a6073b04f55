import { Directive, Field, ID, ObjectType } from 'type-graphql';

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A practitioner (resolved by the scheduling subgraph).' })
export class Practitioner {
  @Field(() => ID, { description: 'Practitioner id.' })
  id!: string;
}

@ObjectType({
  description:
    'A free slot at a facility, from care routing’s projection of scheduling’s events (it may lag a booking by moments: book through scheduling).',
})
export class FreeSlot {
  @Field(() => Date, { description: 'Start (UTC instant).' })
  start!: Date;

  @Field(() => Date, { description: 'End (UTC instant).' })
  end!: Date;

  @Field(() => Practitioner, { description: 'Whose slot it is.' })
  practitioner!: Practitioner;

  @Field(() => String, {
    nullable: true,
    description: 'The specialty asked for, else the practitioner’s first; null if none is listed.',
  })
  specialty!: string | null;
}
