import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventHandler } from '../../../platform/events/consumer.js';
import type { EventEnvelope } from '../../../platform/events/envelope.js';
import { recordEventEffects } from '../../../platform/audit/event-audit.js';
import { enqueueJob } from '../../../platform/events/jobs.js';
import type { NotificationKind } from './channel.js';

/** The job that sends one notification record. */
export const NOTIFICATION_SEND_TASK = 'scheduling:notification-send';
/** How long before the start a reminder goes out. */
export const REMINDER_LEAD_MS = 24 * 3_600_000;
/** Sends per notification before it is marked failed. */
export const NOTIFICATION_MAX_ATTEMPTS = 8;

interface AppointmentRow {
  patient_id: string;
  starts_at: Date | string;
  status: string;
  version: number;
}

/** One reminder job per appointment: a reschedule replaces the waiting one. */
export const reminderJobKey = (appointmentId: string): string =>
  `scheduling:reminder:${appointmentId}`;

async function addNotification(
  em: EntityManager,
  n: { kind: NotificationKind; patientId: string; appointmentId: string; channel: string },
  dueAt: Date,
  jobKey?: string,
): Promise<string> {
  const id = randomUUID();
  await em.execute(
    `INSERT INTO notification (id, patient_id, appointment_id, kind, channel, due_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [id, n.patientId, n.appointmentId, n.kind, n.channel, dueAt.toISOString()],
  );
  await enqueueJob(em, {
    task: NOTIFICATION_SEND_TASK,
    payload: { notificationId: id },
    runAt: dueAt,
    jobKey: jobKey ?? `scheduling:notification:${id}`,
    maxAttempts: NOTIFICATION_MAX_ATTEMPTS,
  });
  return id;
}

/**
 * `appointment.booked` and `appointment.rescheduled` → a confirmation now and
 * a reminder 24 hours before the start (when that is still ahead), as
 * notification records with a send job each, in the delivery's transaction.
 * The appointment as it stands decides, not the event: a stale event (the
 * appointment has changed since) does nothing, since the later change's own
 * event (or the reminder's check when it runs) covers it.
 */
export function planNotifications(channelName: string): EventHandler {
  return async (event: EventEnvelope, em: EntityManager) => {
    const appointmentId = event.aggregateId;
    const data = event.data as { version?: unknown };
    const [a] = await em.execute<AppointmentRow[]>(
      'SELECT patient_id, starts_at, status, version FROM appointment WHERE id = ?',
      [appointmentId],
    );
    if (!a || a.status !== 'booked' || a.version !== data.version) return;
    const n = { patientId: a.patient_id, appointmentId, channel: channelName };
    const planned = [await addNotification(em, { ...n, kind: 'confirmation' }, new Date())];
    // The previous reminder (before a reschedule) will not go out; its job is replaced below.
    await em.execute(
      `UPDATE notification SET status = 'skipped'
       WHERE appointment_id = ? AND kind = 'reminder' AND status = 'pending'`,
      [appointmentId],
    );
    const dueAt = new Date(new Date(a.starts_at).getTime() - REMINDER_LEAD_MS);
    if (dueAt.getTime() > Date.now())
      planned.push(
        await addNotification(em, { ...n, kind: 'reminder' }, dueAt, reminderJobKey(appointmentId)),
      );
    // Messages to the patient about their appointment: audited as scheduling's own doing.
    await recordEventEffects(
      em,
      'scheduling',
      event,
      planned.map((id) => ({
        patientId: a.patient_id,
        resourceType: 'CommunicationRequest',
        resourceId: id,
        action: 'create' as const,
        purpose: 'HOPERAT',
        outcome: 'permit' as const,
      })),
    );
  };
}
