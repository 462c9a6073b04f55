import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Provision } from '../../platform/authz/consent.js';
import type { FieldCipher } from '../../platform/crypto/index.js';
import type { EventHandler } from '../../platform/events/consumer.js';
import type { EventEnvelope } from '../../platform/events/envelope.js';
import type { JobHandler } from '../../platform/events/jobs.js';
import { ConsentProjection } from './entities/index.js';
import type { NotificationChannel } from './notifications/channel.js';
import { NOTIFICATION_SEND_TASK, planNotifications } from './notifications/plan.js';
import { sendNotification } from './notifications/send.js';
import { deliverWebhook } from './webhooks/deliver.js';
import { fanOutWebhooks } from './webhooks/fan-out.js';
import { WEBHOOK_DELIVER_TASK } from './webhooks/queue.js';

/**
 * What the scheduling subgraph publishes (domain/events.ts: appointment
 * booked, rescheduled, cancelled, arrived, completed, no-show) and consumes:
 * consent changes, and its own appointment events for patient notifications
 * and partner webhooks (subgraphs/subscriptions.ts names the tasks).
 */
export interface ConsentChangedData {
  consentId: string;
  patientId: string;
  status: 'active' | 'inactive';
  scope: 'patient-privacy' | 'research' | 'treatment';
  provisions: Provision[];
  periodStart: string | null;
  periodEnd: string | null;
}

/**
 * `consent.changed` → the local consent projection. Events may arrive out of
 * order: an older change never overwrites a newer one.
 */
async function projectConsent(event: EventEnvelope, em: EntityManager): Promise<void> {
  const d = event.data as unknown as ConsentChangedData;
  const changedAt = new Date(event.occurredAt);
  const existing = await em.findOne(ConsentProjection, { id: d.consentId });
  if (existing && existing.changedAt >= changedAt) return;
  const values = {
    patientId: d.patientId,
    status: d.status,
    scope: d.scope,
    provisions: d.provisions,
    periodStart: d.periodStart ? new Date(d.periodStart) : null,
    periodEnd: d.periodEnd ? new Date(d.periodEnd) : null,
    changedAt,
  };
  if (existing) em.assign(existing, values);
  else em.persist(em.create(ConsentProjection, { id: d.consentId, ...values }));
  await em.flush();
}

/** What the consumer tasks and jobs need from the running service. */
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
} {
  return {
    handlers: {
      'scheduling:consent-projection': projectConsent,
      'scheduling:notifications': planNotifications(deps.channel.name),
      'scheduling:webhooks': fanOutWebhooks(deps.webhookMaxAttempts),
    },
    jobs: {
      [NOTIFICATION_SEND_TASK]: sendNotification(deps.channel, deps.log),
      [WEBHOOK_DELIVER_TASK]: deliverWebhook(deps),
    },
  };
}
