import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import type { SchedulingContext } from '../context.js';
import {
  listDeliveries,
  listSubscriptions,
  replay,
  subscribe,
  unsubscribe,
  type WebhookDeliveryView,
} from '../../../platform/webhooks/index.js';
import { SCHEDULING_WEBHOOKS } from './webhooks.js';
import {
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookDeliveryConnection,
  WebhookSubscription,
  WebhookSubscriptionCreated,
} from './webhook.types.js';

/** A delivery in the API's terms (its status as the GraphQL enum). */
const deliveryOut = (d: WebhookDeliveryView): WebhookDelivery => ({
  ...d,
  status: d.status as WebhookDeliveryStatus,
});

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
    return subscribe(SCHEDULING_WEBHOOKS, ctx, url, eventTypes);
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
  async webhookDeliveries(
    @Ctx() ctx: SchedulingContext,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<WebhookDeliveryConnection> {
    const page = await listDeliveries(ctx, pageSize(first), after);
    return { ...page, edges: page.edges.map((e) => ({ ...e, node: deliveryOut(e.node) })) };
  }

  @Mutation(() => WebhookDelivery, {
    description:
      'Sends one of the calling app’s deliveries again (same delivery id, fresh signature), as a new attempt.',
  })
  async replayWebhookDelivery(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: SchedulingContext,
  ): Promise<WebhookDelivery> {
    return deliveryOut(await replay(SCHEDULING_WEBHOOKS, ctx, requireUuid(id)));
  }
}
