import {
  buildFederatedSchema,
  type FederatedSchema,
} from '../../platform/federation/build-schema.js';
import { forbidden } from '../../platform/errors/index.js';
import { NO_ACCESS } from './access.js';
import type { SchedulingContext } from './context.js';
import { readableAppointments } from './store/appointment-reads.js';
import { toAppointment, toPractitioner } from './resolvers/appointment.mapper.js';
import { AppointmentResolver, PractitionerResolver } from './resolvers/appointment.resolver.js';
import { PatientAppointmentsResolver } from './resolvers/patient.resolver.js';
import { PractitionerImportResolver } from './resolvers/practitioner-import.resolver.js';
import { SlotResolver } from './resolvers/slot.resolver.js';
import { WebhookResolver } from './webhooks/webhook.resolver.js';

/** Appointments referenced by other subgraphs pass the same checks and audit as `appointment(id)`. */
async function resolveAppointment(ref: { id: string }, ctx: SchedulingContext) {
  const record = await ctx.loaders.appointment.load(ref.id);
  const [readable] = record ? await readableAppointments(ctx, [record], 'read') : [];
  if (!readable) throw forbidden(NO_ACCESS);
  return toAppointment(readable);
}

async function resolvePractitioner(ref: { id: string }, ctx: SchedulingContext) {
  const p = await ctx.loaders.practitioner.load(ref.id);
  return p ? toPractitioner(p) : { id: ref.id };
}

/** The scheduling subgraph's schema (no database needed: `npm run compose` uses it too). */
export function buildSchedulingSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema(
    {
      resolvers: [
        AppointmentResolver,
        PractitionerResolver,
        PractitionerImportResolver,
        SlotResolver,
        PatientAppointmentsResolver,
        WebhookResolver,
      ],
      // Date arguments are objects that are not input classes: GraphQL's own typing already refuses unknown fields.
      validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    },
    {
      Appointment: { __resolveReference: resolveAppointment },
      Practitioner: { __resolveReference: resolvePractitioner },
      Patient: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
    },
  );
}
