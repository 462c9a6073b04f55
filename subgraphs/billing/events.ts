import type { Logger } from 'pino';
import {
  accessFactJobs,
  accessFactLane,
  accessFactTasks,
} from '../../platform/authz/access-facts/index.js';
import { recordEventEffects } from '../../platform/audit/event-audit.js';
import type { EventHandler } from '../../platform/events/consumer.js';
import type { JobHandler } from '../../platform/events/jobs.js';
import type { BillingPolicy } from './domain/charge-policy.js';
import { expireIntentJob } from './payments/expire.js';
import { EXPIRE_INTENT_JOB } from './store/payment-intents.js';
import { applyAppointmentEvent, type AppointmentEventOutcome } from './store/appointment-events.js';
import { applyDispenseEvent } from './store/dispense-charges.js';

/** Task identifiers of billing's consumers (subgraphs/subscriptions.ts enqueues them). */
export const BILLING_TASKS = {
  accessFacts: 'billing:access-facts',
  appointments: 'billing:appointments',
  dispenses: 'billing:dispenses',
} as const;

/** What billing's consumer tasks need from the running service. */
export interface BillingWorkerDeps {
  policy: BillingPolicy;
  log: Logger;
}

/** The audit entries of what one appointment or dispense event did to a patient's account. */
function chargeEffects(
  outcome: Pick<AppointmentEventOutcome, 'patientId' | 'charged'> & { reversed?: string[] },
) {
  const effect = (resourceId: string, action: 'create' | 'update') => ({
    patientId: outcome.patientId,
    resourceType: 'ChargeItem',
    resourceId,
    action,
    purpose: 'HPAYMT',
    outcome: 'permit' as const,
  });
  return [
    ...outcome.charged.map((id) => effect(id, 'create')),
    ...(outcome.reversed ?? []).map((id) => effect(id, 'update')),
  ];
}

/**
 * What the billing subgraph consumes: the access facts (consents, care-team
 * links, break-the-glass grants: the platform's projections,
 * platform/authz/access-facts) and scheduling's appointment events, which
 * keep billing's appointment state and create or reverse charges
 * (store/appointment-events.ts), and pharmacy's dispenses, each charged once
 * (store/dispense-charges.ts). Each charge created or reversed is audited
 * as billing's system access naming the event that caused it, in the same
 * transaction. Its plain jobs are the access facts' heartbeat and the expiry of payment intents no provider confirmed in time.
 */
export function billingTasks(deps: BillingWorkerDeps): {
  handlers: Record<string, EventHandler>;
  jobs: Record<string, JobHandler>;
  lane: string[];
} {
  const log = deps.log.child({ component: 'billing-events' });
  return {
    handlers: {
      ...accessFactTasks('billing'),
      [BILLING_TASKS.appointments]: async (event, em) => {
        const outcome = await applyAppointmentEvent(em, event, deps.policy);
        await recordEventEffects(em, 'billing', event, chargeEffects(outcome));
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
      [BILLING_TASKS.dispenses]: async (event, em) => {
        const outcome = await applyDispenseEvent(em, event, deps.policy);
        await recordEventEffects(em, 'billing', event, chargeEffects(outcome));
        if (outcome.charged.length) log.info({ eventId: event.id }, 'dispense charged');
      },
    },
    jobs: { ...accessFactJobs('billing'), [EXPIRE_INTENT_JOB]: expireIntentJob(log) },
    lane: accessFactLane('billing'),
  };
}
