import type { Logger } from 'pino';

/** Which message a notification is. */
export type NotificationKind = 'confirmation' | 'reminder';

/** What a channel is asked to send: ids and the time, never names or reasons. */
export interface OutgoingNotification {
  /** The notification record's id: a channel may use it to drop a repeated send. */
  id: string;
  kind: NotificationKind;
  appointmentId: string;
  patientId: string;
  start: Date;
}

/**
 * Where patient notifications go (e-mail, SMS, push…). A channel looks up
 * the patient's contact details itself, through an authorised path; Carefed
 * hands it ids only. Throw to have the send retried with backoff. A send may
 * be repeated after a crash (at least once): deduplicate on `id`.
 */
export interface NotificationChannel {
  /** Recorded on each notification row. */
  readonly name: string;
  send(n: OutgoingNotification): Promise<void>;
}

/** The default channel: one structured log line per notification, with no PHI (ids only). */
export function logChannel(log: Logger): NotificationChannel {
  const out = log.child({ component: 'notifications' });
  return {
    name: 'log',
    send: (n) => {
      out.info(
        { channel: 'log', notificationId: n.id, kind: n.kind, appointmentId: n.appointmentId },
        'notification sent',
      );
      return Promise.resolve();
    },
  };
}
