import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import type { SchedulingContext } from '../context.js';
import { toConnection } from '../../../platform/federation/keyset.js';
import { toAppointment } from './appointment.mapper.js';
import { AppointmentConnection, AppointmentStatusCode, Patient } from './scheduling.types.js';

/** The scheduling subgraph's field on the patient entity. */
@Resolver(() => Patient)
export class PatientAppointmentsResolver {
  @FieldResolver(() => AppointmentConnection, {
    description:
      'The patient’s appointments, newest first (audited; empty when the caller may not see them).',
  })
  async appointments(
    @Root() patient: Patient,
    @Ctx() ctx: SchedulingContext,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Arg('status', () => [AppointmentStatusCode], {
      nullable: true,
      description: 'Only these statuses.',
    })
    status?: AppointmentStatusCode[],
    @Arg('from', () => Date, { nullable: true, description: 'Starting at or after.' }) from?: Date,
    @Arg('to', () => Date, { nullable: true, description: 'Starting before.' }) to?: Date,
  ): Promise<AppointmentConnection> {
    const page = await ctx.patientAppointments.load({
      patientId: requireUuid(patient.id),
      args: {
        first: pageSize(first),
        after: after ?? null,
        status: status ?? null,
        from: from ?? null,
        to: to ?? null,
      },
    });
    return toConnection(page, toAppointment);
  }
}
