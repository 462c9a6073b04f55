import { Arg, Ctx, Directive, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { PharmacyContext } from '../context.js';
import { stockAt } from './stock.resolver.js';
import { Facility } from './facility.types.js';
import { DrugStock } from './stock.types.js';

/** At most this many facility keys are read for one facility's stock. */
const MAX_KEYS = 20;

/** Pharmacy's field on care routing's facility: stock is kept per facility key (a Location id). */
@Resolver(() => Facility)
export class FacilityStockResolver {
  @Directive('@requires(fields: "locationIds")')
  @FieldResolver(() => [DrugStock], {
    description:
      'Stock per drug (or the drugs named) at every key that names this facility, lots in the order they are drawn (pharmacists and admins).',
  })
  async stock(
    @Root() facility: Facility,
    @Arg('drugRxcuis', () => [ID], { nullable: true }) drugRxcuis: string[] | null,
    @Ctx() ctx: PharmacyContext,
  ): Promise<DrugStock[]> {
    const keys = [...new Set([facility.id, ...(facility.locationIds ?? [])])].slice(0, MAX_KEYS);
    return (await Promise.all(keys.map((k) => stockAt(ctx, k, drugRxcuis)))).flat();
  }
}
