import { IsOptional } from 'class-validator';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { PageInfo } from './page-info.js';

/** A Relay edge's runtime shape. */
export interface EdgeOf<N> {
  cursor: string;
  node: N;
}

/** A Relay connection's runtime shape. */
export interface ConnectionOf<N> {
  edges: EdgeOf<N>[];
  pageInfo: PageInfo;
}

/**
 * The one connection type every list uses: `<Name>Edge { cursor node }` and
 * a base for `<Name>Connection { edges pageInfo }`. Extend the returned class
 * under `@ObjectType` to name the connection:
 *
 *     @ObjectType({ description: 'A page of claims, newest first.' })
 *     export class ClaimConnection extends Connection(Claim, 'Claim', 'claim') {}
 *
 * `item` names one node in the descriptions, lower case.
 */
export function Connection<N extends object>(node: ClassType<N>, name: string, item: string) {
  @ObjectType(`${name}Edge`, { description: `One ${item} of a list, with its cursor.` })
  class Edge implements EdgeOf<N> {
    @Field(() => String, { description: `Cursor of this ${item}; pass it as \`after\`.` })
    cursor!: string;

    @Field(() => node, { description: `The ${item}.` })
    node!: N;
  }

  @ObjectType()
  abstract class ConnectionBase implements ConnectionOf<N> {
    @Field(() => [Edge], { description: 'The edges of this page, in list order.' })
    edges!: Edge[];

    @Field(() => PageInfo, { description: 'Paging.' })
    pageInfo!: PageInfo;
  }
  return ConnectionBase;
}

/** The page arguments every list takes: `first` (1–100, default 20 unless the field says otherwise) and `after`. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: 'Page size, 1–100 (default 20 unless the field says otherwise).',
  })
  // Ranges are checked by pageSize() and the list's cursor decoder, with their own messages;
  // the decorator gives class-validator (forbidUnknownValues) the metadata it asks of every argument class.
  @IsOptional()
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Continue after this cursor (a `pageInfo.endCursor` of the same list).',
  })
  @IsOptional()
  after?: string | null;
}
