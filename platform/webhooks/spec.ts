import type { FieldCipher } from '../crypto/index.js';
import type { RequestContext } from '../federation/context.js';

/** Which subgraph offers webhooks, in which schema, for which of its event types. */
export interface WebhookSpec {
  /** The subgraph's name: its delivery job is `<subgraph>:webhook-deliver`. */
  subgraph: string;
  /** Its PostgreSQL schema, holding `webhook_subscription` and `webhook_delivery` (`webhookSql`). */
  schema: string;
  /** The event types a partner app may subscribe to. */
  eventTypes: readonly string[];
  /** The FHIR resource type the events disclose (consent and audit), e.g. `Appointment`. */
  dataClass: string;
}

/** The request context webhook management runs in: the caller and the subgraph's services. */
export interface WebhookContext extends RequestContext {
  services: {
    cipher: FieldCipher;
    /** Production: https endpoints that resolve to public addresses only. */
    production: boolean;
    /** Tries per delivery before it is marked failed. */
    webhookMaxAttempts: number;
  };
}

/** The job that POSTs one delivery of this subgraph's webhooks. */
export const deliverTaskOf = (w: Pick<WebhookSpec, 'subgraph'>): string =>
  `${w.subgraph}:webhook-deliver`;
