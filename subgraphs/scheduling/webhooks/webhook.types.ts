import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../../platform/federation/connection.js';

export enum WebhookDeliveryStatus {
  pending = 'pending',
  delivered = 'delivered',
  failed = 'failed',
  dropped = 'dropped',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description:
    'pending (queued or being retried), delivered (a 2xx answer), failed (gave up), dropped (not sent: the patient’s consent or the app’s access no longer permits it).',
});

@ObjectType({ description: 'A partner app’s subscription to appointment events.' })
export class WebhookSubscription {
  @Field(() => ID, { description: 'Subscription id.' })
  id!: string;

  @Field(() => String, { description: 'Where deliveries are POSTed.' })
  url!: string;

  @Field(() => [String], { description: 'Event types delivered, e.g. appointment.booked.' })
  eventTypes!: string[];

  @Field(() => ID, {
    nullable: true,
    description: 'Made in this patient’s context: only their events are delivered.',
  })
  patientId?: string | null;

  @Field(() => Boolean, { description: 'Whether events are still delivered.' })
  active!: boolean;

  @Field(() => Date, { description: 'When it was made.' })
  createdAt!: Date;
}

@ObjectType({ description: 'A new subscription and its signing secret, shown only this once.' })
export class WebhookSubscriptionCreated {
  @Field(() => ID, { description: 'Subscription id.' })
  id!: string;

  @Field(() => String, {
    description:
      'HMAC-SHA256 key of the carefed-signature header (t=<unix>,v1=<hex of HMAC(secret, t + "." + body)>). Store it now: it is never shown again.',
  })
  secret!: string;
}

@ObjectType({ description: 'One event sent (or being sent) to one subscription.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'Delivery id; also the carefed-delivery-id header.' })
  id!: string;

  @Field(() => ID, { description: 'The subscription.' })
  subscriptionId!: string;

  @Field(() => ID, { description: 'The event id (the same in every subscription’s delivery).' })
  eventId!: string;

  @Field(() => String, { description: 'The event type.' })
  eventType!: string;

  @Field(() => WebhookDeliveryStatus, { description: 'Where the delivery stands.' })
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'POSTs made so far, replays included.' })
  attempts!: number;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last answer.' })
  lastStatus?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the last attempt failed (short; never the response body).',
  })
  lastError?: string | null;

  @Field(() => Date, { description: 'When the event was queued for this subscription.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When a 2xx answer was last received.' })
  deliveredAt?: Date | null;
}

@ObjectType({ description: 'A page of the caller’s deliveries, newest first.' })
export class WebhookDeliveryConnection extends Connection(
  WebhookDelivery,
  'WebhookDelivery',
  'webhook delivery',
) {}
