import type { FieldCipher } from '../../platform/crypto/index.js';
import { projectedAccess, type AccessContext, type WithFacts } from '../../platform/authz/index.js';
import type { RequestContext } from '../../platform/federation/context.js';
import { createLoaders, type SchedulingLoaders } from './loaders.js';
import type { BookingCaps } from './store/booking-caps.js';
import { createPatientAppointmentsLoader } from './store/appointment-reads.js';

/** Long-lived services the scheduling subgraph's resolvers share. */
export interface SchedulingServices {
  cipher: FieldCipher;
  /** Consumer task identifiers per event type this subgraph publishes. */
  consumersOf: (eventType: string) => string[];
  /** Tries per webhook delivery before it is marked failed. */
  webhookMaxAttempts: number;
  /** Production: webhook URLs must be https. */
  production: boolean;
  /** `ACCESS_FACTS_MAX_LAG_MS`: PHI is refused when the access facts may lag more. */
  accessFactsMaxLagMs: number;

  /** Open future bookings a patient, or a partner app, may hold when booking for themselves. */
  bookingCaps: BookingCaps;
}

/** The scheduling subgraph's request context. */
export interface SchedulingContext extends AccessContext {
  /** Reads rows with their patients' access facts in one statement (facts primed for the kernel). */
  withFacts: WithFacts;
  loaders: SchedulingLoaders;
  /** `Patient.appointments` for every patient in a response, in one batch. */
  patientAppointments: ReturnType<typeof createPatientAppointmentsLoader>;
  services: SchedulingServices;
}

/** A fresh context per request. */
export function createSchedulingContext(
  base: RequestContext,
  services: SchedulingServices,
): SchedulingContext {
  // The batch loader closes over the context itself, so it is attached once the context exists.
  const ctx = {
    ...base,
    services,
    loaders: createLoaders(base.em),
    ...projectedAccess(base, services.accessFactsMaxLagMs),
  } as SchedulingContext;
  ctx.patientAppointments = createPatientAppointmentsLoader(ctx);
  return ctx;
}
