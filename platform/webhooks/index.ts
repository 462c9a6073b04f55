export { consentTaskOf, dropOnConsentChange } from './consent.js';
export { deliverWebhook, type DeliverDeps } from './deliver.js';
export { fanOutWebhooks } from './fan-out.js';
export { DEFAULT_WEBHOOK_MAX_ATTEMPTS } from './queue.js';
export type { WebhookDeliveryState, WebhookDeliveryView, WebhookSubscriptionView } from './rows.js';
export { deliverTaskOf, type WebhookContext, type WebhookSpec } from './spec.js';
export { webhookActorMigration } from './migration.js';
export { webhookActorSql, webhookSql } from './sql.js';
export {
  listDeliveries,
  listSubscriptions,
  NO_DELIVERY,
  replay,
  subscribe,
  unsubscribe,
} from './store.js';
