import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import type { EventHandler } from './consumer.js';
import type { EventEnvelope, JsonValue } from './envelope.js';
import type { StatementBatch } from '../db/statement.js';
import { publishEvent, type NewEvent, type PublishOptions } from './publish.js';
import { publishParts } from './publish-parts.js';

/**
 * One event type's contract: its name, the schema of its data, and how the
 * aggregate id relates to the data. Declared once (beside the code that owns
 * the concept, never inside a producer's or consumer's folder) and used by
 * the producer to publish and by every consumer to parse, so the two cannot
 * drift apart.
 */
export interface EventContract<T extends JsonValue> {
  type: string;
  /** The data's schema; a consumer receives only data that passed it. */
  data: z.ZodType<T>;
  /** The aggregate id an event of this data must carry. */
  aggregateOf: (data: T) => string;
}

/** Declares an event contract (see `EventContract`). */
export function defineEvent<T extends JsonValue>(
  type: string,
  data: z.ZodType<T>,
  aggregateOf: (data: T) => string,
): EventContract<T> {
  return { type, data, aggregateOf };
}

/**
 * The typed data of `event` under `contract`. A malformed event throws naming
 * the event and its bad fields, never their values (the worker retries it,
 * then leaves it failed for an operator).
 */
export function parseEvent<T extends JsonValue>(
  contract: EventContract<T>,
  event: EventEnvelope,
): T {
  if (event.type !== contract.type)
    throw new Error(`Event ${event.id} is a ${event.type}, not a ${contract.type}`);
  const r = contract.data.safeParse(event.data);
  if (!r.success) {
    const fields = [...new Set(r.error.issues.map((i) => i.path.join('.') || 'data'))];
    throw new Error(`Event ${event.id} (${event.type}) has invalid fields: ${fields.join(', ')}`);
  }
  if (contract.aggregateOf(r.data) !== event.aggregateId)
    throw new Error(`Event ${event.id} (${event.type}) names another aggregate than its data`);
  return r.data;
}

/** A handler of one contract's events: typed data, the envelope (for its id and time) and the delivery's transaction. */
export type TypedHandler<T extends JsonValue> = (
  data: T,
  event: EventEnvelope,
  em: EntityManager,
) => Promise<void>;

/**
 * One consumer task for several contracts: each delivery is parsed against
 * the contract of its type and handed to that type's handler; a type the task
 * does not handle is an error (it was subscribed by mistake).
 */
export function handleEvents(
  routes: readonly { contract: EventContract<never>; handle: TypedHandler<never> }[],
): EventHandler {
  const byType = new Map(routes.map((r) => [r.contract.type, r]));
  return async (event, em) => {
    const route = byType.get(event.type);
    if (!route) throw new Error(`Event ${event.id}: no handler for ${event.type}`);
    await route.handle(
      parseEvent(route.contract as unknown as EventContract<JsonValue>, event) as never,
      event,
      em,
    );
  };
}

/** One route of `handleEvents`, typed by its contract. */
export function on<T extends JsonValue>(
  contract: EventContract<T>,
  handle: TypedHandler<T>,
): { contract: EventContract<never>; handle: TypedHandler<never> } {
  return {
    contract: contract as unknown as EventContract<never>,
    handle: handle,
  };
}

/** The event `data` makes under `contract` (checked against it), and the options left to publish with. */
function contractEvent<T extends JsonValue>(
  contract: EventContract<T>,
  data: T,
  opts: PublishOptions & { id?: string; occurredAt?: Date | string },
): { event: NewEvent<T>; publishOpts: PublishOptions } {
  const checked = contract.data.parse(data);
  const { id, occurredAt, ...publishOpts } = opts;
  return {
    event: {
      type: contract.type,
      aggregateId: contract.aggregateOf(checked),
      data: checked,
      ...(id ? { id } : {}),
      ...(occurredAt ? { occurredAt } : {}),
    },
    publishOpts,
  };
}

/**
 * Publishes `data` under `contract` in the caller's transaction, checked
 * against the contract first (a producer cannot publish what its consumers
 * would refuse).
 */
export async function publish<T extends JsonValue>(
  em: EntityManager,
  producerSchema: string,
  contract: EventContract<T>,
  data: T,
  consumers: readonly string[],
  opts: PublishOptions & { id?: string; occurredAt?: Date | string } = {},
): Promise<EventEnvelope<T>> {
  const { event, publishOpts } = contractEvent(contract, data, opts);
  return publishEvent(em, producerSchema, event, consumers, publishOpts);
}

/**
 * `publish` as parts of the caller's combined statement (`publishParts`):
 * checked against the contract, sent with the business rows in one round trip.
 */
export function publishInBatch<T extends JsonValue>(
  batch: StatementBatch,
  producerSchema: string,
  contract: EventContract<T>,
  data: T,
  consumers: readonly string[],
  opts: PublishOptions & { id?: string; occurredAt?: Date | string } = {},
): string {
  const { event, publishOpts } = contractEvent(contract, data, opts);
  return publishParts(batch, producerSchema, event, consumers, publishOpts);
}
