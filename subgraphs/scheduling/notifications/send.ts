import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { JobHandler, JobInfo } from '../../../platform/events/jobs.js';
import type { NotificationChannel, NotificationKind } from './channel.js';
import { REMINDER_LEAD_MS } from './plan.js';

interface Row {
  id: string;
  kind: NotificationKind;
  status: string;
  patient_id: string;
  appointment_id: string;
  due_at: Date | string;
  appointment_status: string;
  starts_at: Date | string;
}

const ms = (d: Date | string): number => new Date(d).getTime();

/** Whether the appointment this notification is about is still on, as it was meant. */
function stillDue(n: Row): boolean {
  if (n.appointment_status !== 'booked') return false;
  // A reminder is for one start time; a moved appointment has its own reminder.
  return n.kind !== 'reminder' || ms(n.starts_at) - REMINDER_LEAD_MS === ms(n.due_at);
}

async function settle(em: EntityManager, id: string, status: string, channel: string) {
  await em.execute(
    `UPDATE notification SET status = ?, channel = ?, attempts = attempts + 1,
       sent_at = CASE WHEN ? = 'sent' THEN now() ELSE sent_at END
     WHERE id = ?`,
    [status, channel, status, id],
  );
}

/**
 * Sends one notification when its job runs: skipped if the appointment is no
 * longer booked (or a reminder's appointment has moved), otherwise handed to
 * the channel and marked sent. The row is locked meanwhile, so two runs never
 * both send. A channel failure is counted and retried with backoff; on the
 * last attempt the notification is marked failed.
 */
export function sendNotification(channel: NotificationChannel, log: Logger): JobHandler {
  return async (payload: unknown, job: JobInfo, em: EntityManager) => {
    const id = (payload as { notificationId?: unknown } | null)?.notificationId;
    if (typeof id !== 'string') throw new TypeError('notificationId is missing');
    const retry = await em.transactional(async (tem): Promise<boolean> => {
      const [n] = await tem.execute<Row[]>(
        `SELECT n.id, n.kind, n.status, n.patient_id, n.appointment_id, n.due_at,
                a.status AS appointment_status, a.starts_at
         FROM notification n JOIN appointment a ON a.id = n.appointment_id
         WHERE n.id = ? FOR UPDATE OF n`,
        [id],
      );
      if (!n || n.status !== 'pending') return false;
      if (!stillDue(n)) {
        await tem.execute(`UPDATE notification SET status = 'skipped' WHERE id = ?`, [id]);
        return false;
      }
      try {
        await channel.send({
          id,
          kind: n.kind,
          appointmentId: n.appointment_id,
          patientId: n.patient_id,
          start: new Date(n.starts_at),
        });
        await settle(tem, id, 'sent', channel.name);
        return false;
      } catch {
        // The channel's message may name the recipient: it stays out of logs and the job row.
        const last = job.attempts >= job.maxAttempts;
        await settle(tem, id, last ? 'failed' : 'pending', channel.name);
        log.warn({ notificationId: id, attempt: job.attempts, last }, 'notification send failed');
        return !last;
      }
    });
    if (retry) throw new Error(`Notification ${id} not sent; will retry`);
  };
}
