/** A JSON value, as an event payload may hold. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One domain event as it travels from a producer's outbox to its consumers.
 *
 * Events carry ids and codes, never PHI values: no names, birth dates,
 * identifiers, free text or clinical values. A consumer that needs more asks
 * the owning subgraph, which applies its own authorisation. This keeps the
 * queue, the outbox and any future broker out of PHI scope.
 */
export interface EventEnvelope<T = JsonValue> {
  /** UUID; consumers deduplicate on it. */
  id: string;
  /** Dotted name, e.g. `appointment.completed`. */
  type: string;
  /** Id of the entity the event is about (its federation key). */
  aggregateId: string;
  /** ISO 8601 instant, UTC, millisecond precision. */
  occurredAt: string;
  data: T;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `id` is a UUID in its canonical text form. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a job payload is an envelope. Throws a message naming the bad field
 * only (never its value), since a payload may be anything.
 */
export function parseEnvelope(payload: unknown): EventEnvelope {
  if (!isRecord(payload)) throw new TypeError('Event payload is not an object');
  const { id, type, aggregateId, occurredAt, data } = payload;
  if (typeof id !== 'string' || !isUuid(id)) throw new TypeError('Event id is not a UUID');
  if (typeof type !== 'string' || type === '') throw new TypeError('Event type is missing');
  if (typeof aggregateId !== 'string' || aggregateId === '')
    throw new TypeError('Event aggregateId is missing');
  if (typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt)))
    throw new TypeError('Event occurredAt is not a date');
  if (data === undefined) throw new TypeError('Event data is missing');
  return { id, type, aggregateId, occurredAt, data: data as JsonValue };
}
