import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { requireUuid } from '../../../platform/federation/ids.js';
import { readable } from '../access.js';
import type { BillingContext } from '../context.js';
import { toCharge } from './billing.mapper.js';
import { Appointment, Charge } from './billing.types.js';

/** The billing subgraph's field on the appointment entity. */
@Resolver(() => Appointment)
export class AppointmentChargesResolver {
  @FieldResolver(() => [Charge], {
    description:
      'What the visit was billed, oldest first (audited; empty when nothing was billed or the caller may not see it).',
  })
  async charges(@Root() a: Appointment, @Ctx() ctx: BillingContext): Promise<Charge[]> {
    const rows = await ctx.loaders.chargesOfAppointment.load(requireUuid(a.id));
    return (await readable(ctx, rows, 'ChargeItem', 'search')).map(toCharge);
  }
}
