import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import type { SchedulingContext } from '../context.js';
import { listDeliveries, listSubscriptions, replay, subscribe, unsubscribe } from './store.js';
import {
  WebhookDelivery,
  WebhookDeliveryConnection,
  WebhookSubscription,
  WebhookSubscriptionCreated,
} from './webhook.types.js';

/** Partner apps' webhooks: each app manages and sees only its own (by OAuth client id). */
@Resolver()
export class WebhookResolver {
  @Mutation(() => WebhookSubscriptionCreated, {
    description:
      'Subscribes the calling app to appointment events at an https URL (http only outside production). Deliveries are signed with the returned secret, retried with backoff and logged.',
  })
  subscribeWebhook(
    @Arg('url', () => String, { description: 'Endpoint that receives the POSTs.' }) url: string,
    @Arg('eventTypes', () => [String], {
      description:
        'appointment.booked, appointment.rescheduled, appointment.cancelled, appointment.arrived, appointment.completed, appointment.no-show.',
    })
    eventTypes: string[],
    @Ctx() ctx: SchedulingContext,
  ): Promise<WebhookSubscriptionCreated> {
    return subscribe(ctx, url, eventTypes);
  }

  @Mutation(() => WebhookSubscription, {
    description: 'Stops deliveries to one of the calling app’s subscriptions.',
  })
  unsubscribeWebhook(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: SchedulingContext,
  ): Promise<WebhookSubscription> {
    return unsubscribe(ctx, requireUuid(id));
  }

  @Query(() => [WebhookSubscription], {
    description: 'The calling app’s webhook subscriptions (at most 100), oldest first.',
  })
  webhookSubscriptions(@Ctx() ctx: SchedulingContext): Promise<WebhookSubscription[]> {
    return listSubscriptions(ctx);
  }

  @Query(() => WebhookDeliveryConnection, {
    description: 'The calling app’s webhook deliveries, newest first.',
  })
  webhookDeliveries(
    @Ctx() ctx: SchedulingContext,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<WebhookDeliveryConnection> {
    return listDeliveries(ctx, pageSize(first), after);
  }

  @Mutation(() => WebhookDelivery, {
    description:
      'Sends one of the calling app’s deliveries again (same delivery id, fresh signature), as a new attempt.',
  })
  replayWebhookDelivery(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: SchedulingContext,
  ): Promise<WebhookDelivery> {
    return replay(ctx, requireUuid(id));
  }
}
