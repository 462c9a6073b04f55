import DataLoader from 'dataloader';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { groupBy } from '../../../platform/data/group-by.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { perRequest } from '../../../platform/federation/per-request.js';
import { readable } from '../access.js';
import type { BillingContext } from '../context.js';
import { chargesByAppointment, type ChargeRow } from '../store/charges.js';
import { toCharge } from './billing.mapper.js';
import { Appointment, Charge } from './billing.types.js';

/**
 * The charges of every appointment in a response, in one batch: one SQL
 * statement, one decision round and one audit INSERT however many
 * appointments (refused charges are left out, their refusal audited).
 */
const chargesLoader = (ctx: BillingContext) =>
  new DataLoader<string, ChargeRow[]>(async (ids) => {
    const rows = await chargesByAppointment(ctx.em, ids);
    return groupBy(ids, await readable(ctx, rows, 'ChargeItem', 'search'), (r) => r.appointmentId);
  });

/** The billing subgraph's field on the appointment entity. */
@Resolver(() => Appointment)
export class AppointmentChargesResolver {
  @FieldResolver(() => [Charge], {
    description:
      'What the visit was billed, oldest first (audited; empty when nothing was billed or the caller may not see it).',
  })
  async charges(@Root() a: Appointment, @Ctx() ctx: BillingContext): Promise<Charge[]> {
    return (await perRequest(ctx, chargesLoader).load(requireUuid(a.id))).map(toCharge);
  }
}
