/** A subscription as its app sees it (never its secret). */
export interface WebhookSubscriptionView {
  id: string;
  url: string;
  eventTypes: string[];
  patientId: string | null;
  active: boolean;
  createdAt: Date;
}

/** Where a delivery stands. */
export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed' | 'dropped';

/** One delivery as its app sees it. */
export interface WebhookDeliveryView {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A `webhook_subscription` row as selected (never its secret). */
export interface SubscriptionRow {
  id: string;
  url: string;
  event_types: string[];
  patient_id: string | null;
  active: boolean;
  created_at: Date | string;
}

/** A `webhook_delivery` row with its cursor key (microsecond text of `created_at`). */
export interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Date | string;
  delivered_at: Date | string | null;
  created_key: string;
}

export const toSubscription = (r: SubscriptionRow): WebhookSubscriptionView => ({
  id: r.id,
  url: r.url,
  eventTypes: r.event_types,
  patientId: r.patient_id,
  active: r.active,
  createdAt: new Date(r.created_at),
});

export const toDelivery = (r: DeliveryRow): WebhookDeliveryView => ({
  id: r.id,
  subscriptionId: r.subscription_id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status as WebhookDeliveryState,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: new Date(r.created_at),
  deliveredAt: r.delivered_at ? new Date(r.delivered_at) : null,
});
