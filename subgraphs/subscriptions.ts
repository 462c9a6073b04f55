/**
 * Who consumes which event: task identifiers `<consumer subgraph>:<name>`,
 * enqueued by the producer in its own transaction (platform/events). Each
 * consumer subgraph implements its tasks in its `events.ts`.
 */
export const SUBSCRIPTIONS: Record<string, readonly string[]> = {
  'consent.changed': ['scheduling:consent-projection'],
};

/** The consumer tasks of one event type. */
export function consumersOf(eventType: string): string[] {
  return [...(SUBSCRIPTIONS[eventType] ?? [])];
}
