import type { Logger } from 'pino';
import { projectConsent } from '../../platform/authz/consent-projection/index.js';
import type { EventHandler } from '../../platform/events/consumer.js';
import type { JobHandler } from '../../platform/events/jobs.js';
import type { BillingPolicy } from './domain/charge-policy.js';
import { applyAppointmentEvent } from './store/appointment-events.js';

/** Task identifiers of billing's consumers (subgraphs/subscriptions.ts enqueues them). */
export const BILLING_TASKS = {
  consent: 'billing:consent-projection',
  appointments: 'billing:appointments',
} as const;

/** What billing's consumer tasks need from the running service. */
export interface BillingWorkerDeps {
  policy: BillingPolicy;
  log: Logger;
}

/**
 * What the billing subgraph consumes: consent changes (the shared consent
 * projection, platform/authz/consent-projection) and scheduling's appointment
 * events (booked, rescheduled, cancelled, arrived, completed, no-show), which
 * keep billing's appointment state and create or reverse charges
 * (store/appointment-events.ts). Billing runs no plain jobs yet.
 */
export function billingTasks(deps: BillingWorkerDeps): {
  handlers: Record<string, EventHandler>;
  jobs: Record<string, JobHandler>;
} {
  const log = deps.log.child({ component: 'billing-events' });
  return {
    handlers: {
      [BILLING_TASKS.consent]: projectConsent,
      [BILLING_TASKS.appointments]: async (event, em) => {
        const outcome = await applyAppointmentEvent(em, event, deps.policy);
        // Ids and counts only: the event's data stays out of the log.
        if (outcome.charged.length || outcome.reversed.length)
          log.info(
            {
              eventId: event.id,
              charged: outcome.charged.length,
              reversed: outcome.reversed.length,
            },
            'appointment charges updated',
          );
      },
    },
    jobs: {},
  };
}
