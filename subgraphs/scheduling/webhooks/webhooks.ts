import type { WebhookSpec } from '../../../platform/webhooks/index.js';
import { APPOINTMENT_EVENT_TYPES } from '../../contracts/appointment-events.js';

/** Scheduling offers partner apps webhooks for its appointment events (platform/webhooks). */
export const SCHEDULING_WEBHOOKS: WebhookSpec = {
  subgraph: 'scheduling',
  schema: 'scheduling',
  eventTypes: APPOINTMENT_EVENT_TYPES,
  dataClass: 'Appointment',
};
