import type { Logger } from 'pino';
import {
  accessFactJobs,
  accessFactLane,
  accessFactTasks,
} from '../../platform/authz/access-facts/index.js';
import type { FieldCipher } from '../../platform/crypto/index.js';
import type { EventHandler } from '../../platform/events/consumer.js';
import type { JobHandler } from '../../platform/events/jobs.js';
import type { NotificationChannel } from './notifications/channel.js';
import { NOTIFICATION_SEND_TASK, planNotifications } from './notifications/plan.js';
import { sendNotification } from './notifications/send.js';
import {
  consentTaskOf,
  deliverTaskOf,
  deliverWebhook,
  dropOnConsentChange,
  fanOutWebhooks,
} from '../../platform/webhooks/index.js';
import { SCHEDULING_WEBHOOKS } from './webhooks/webhooks.js';

/**
 * What the scheduling subgraph publishes (subgraphs/contracts/appointment-events.ts: appointment
 * booked, rescheduled, cancelled, arrived, completed, no-show; subgraphs/contracts/schedule-events.ts:
 * schedule.changed, with every schedule write, store/schedules.ts) and consumes:
 * the patient subgraph's access facts (consents, care-team links and
 * break-the-glass grants, kept by the platform's projections in
 * platform/authz/access-facts), and its own appointment events for patient
 * notifications and partner webhooks (subgraphs/subscriptions.ts names the
 * tasks).
 *
 * What the consumer tasks and jobs need from the running service:
 */
export interface SchedulingWorkerDeps {
  cipher: FieldCipher;
  channel: NotificationChannel;
  webhookMaxAttempts: number;
  production: boolean;
  log: Logger;
}

/** The scheduling subgraph's consumer tasks (events) and plain jobs, by task identifier. */
export function schedulingTasks(deps: SchedulingWorkerDeps): {
  handlers: Record<string, EventHandler>;
  jobs: Record<string, JobHandler>;
  lane: string[];
} {
  return {
    handlers: {
      ...accessFactTasks('scheduling'),
      'scheduling:notifications': planNotifications(deps.channel.name),
      'scheduling:webhooks': fanOutWebhooks(SCHEDULING_WEBHOOKS, deps.webhookMaxAttempts),
      [consentTaskOf(SCHEDULING_WEBHOOKS)]: dropOnConsentChange(SCHEDULING_WEBHOOKS),
    },
    lane: accessFactLane('scheduling'),
    jobs: {
      ...accessFactJobs('scheduling'),
      [NOTIFICATION_SEND_TASK]: sendNotification(deps.channel, deps.log),
      [deliverTaskOf(SCHEDULING_WEBHOOKS)]: deliverWebhook({
        ...deps,
        webhooks: SCHEDULING_WEBHOOKS,
      }),
    },
  };
}
