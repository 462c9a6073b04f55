import { Directive, Field, ObjectType } from 'type-graphql';

/** Relay page information, shared by every subgraph's connections. */
@Directive('@shareable')
@ObjectType({ description: 'Relay-style page information.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last item; pass it as `after`.',
  })
  endCursor?: string | null;
}
