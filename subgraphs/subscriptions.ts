import { PHARMACY_CLINICAL_TYPES } from './contracts/clinical-events.js';

// Care routing follows every appointment state: whether it holds the practitioner's time
// (its next free slot of a facility, a projection: never a read of scheduling's tables).
const ROUTING = 'care-routing:appointments';
// Open data counts appointment demand per specialty (de-identified on receipt).
const OPEN_DATA = 'open-data:appointments';
const NOTIFY_AND_HOOK = ['scheduling:notifications', 'scheduling:webhooks', ROUTING, OPEN_DATA];
const HOOK = ['scheduling:webhooks', ROUTING, OPEN_DATA];
// Billing follows every appointment state it may charge for or must undo.
const BILL_AND_HOOK = ['scheduling:webhooks', 'billing:appointments', ROUTING, OPEN_DATA];

/**
 * The subgraphs that hold patient data and so keep the access-fact
 * projections (platform/authz/access-facts): each runs `<name>:access-facts`.
 * The patient subgraph decides from its own tables.
 */
export const ACCESS_FACT_CONSUMERS = [
  'scheduling:access-facts',
  'billing:access-facts',
  'fhir-adapter:access-facts',
  'pharmacy:access-facts',
  'care-routing:access-facts',
];

/**
 * Who consumes which event: task identifiers `<consumer subgraph>:<name>`,
 * enqueued by the producer in its own transaction (platform/events). Each
 * consumer subgraph implements its tasks in its `events.ts`.
 */
export const SUBSCRIPTIONS: Record<string, readonly string[]> = {
  // Access facts, published by the patient subgraph.
  'patient.registered': ACCESS_FACT_CONSUMERS,
  // …and scheduling's webhooks drop the deliveries a deny refuses (platform/webhooks/consent.ts).
  // Open data follows research consents: an opt-out removes the patient's facts.
  'consent.changed': [...ACCESS_FACT_CONSUMERS, 'scheduling:webhook-consent', 'open-data:consents'],
  'care-team.changed': ACCESS_FACT_CONSUMERS,
  // Open data: the research profile (year of birth, sex, ZIP3) of each patient, de-identified on receipt.
  'patient.profile-changed': ['open-data:profiles'],
  'break-glass.granted': ACCESS_FACT_CONSUMERS,
  // Patient notifications (confirmation, reminder) and partner webhooks.
  'appointment.booked': NOTIFY_AND_HOOK,
  'appointment.rescheduled': NOTIFY_AND_HOOK,
  'appointment.cancelled': BILL_AND_HOOK,
  'appointment.arrived': HOOK,
  'appointment.completed': BILL_AND_HOOK,
  'appointment.no-show': BILL_AND_HOOK,
  // Practitioners' bookable hours (subgraphs/contracts/schedule-events.ts), for care routing's
  // next free slot of a facility and its specialties.
  'schedule.changed': ['care-routing:schedules', 'open-data:schedules'],
  // The clinical record's changes (the FHIR adapter): pharmacy keeps allergies and outside
  // medications for its safety checks; open data keeps de-identified facts of every kind.
  'clinical.changed': ['pharmacy:clinical', 'open-data:clinical'],
  // Pharmacy (subgraphs/contracts/pharmacy-events.ts): billing charges each dispense once;
  // the stock notifications have no consumer yet (they wait in pharmacy's outbox).
  'pharmacy.dispensed': ['billing:dispenses', 'open-data:dispenses'],
  'pharmacy.stock-low': [],
  'pharmacy.lot-expiring': [],
  'pharmacy.lot-expired': [],
};

/** The consumer tasks of one event type. */
export function consumersOf(eventType: string): string[] {
  return [...(SUBSCRIPTIONS[eventType] ?? [])];
}

/**
 * Consumers that take only some events of their types: an event they do not
 * want is never enqueued for them (a bulk import publishes tens of thousands
 * of clinical events; pharmacy wants a few kinds).
 */
const WANTS: Readonly<Record<string, (data: unknown) => boolean>> = {
  'pharmacy:clinical': (data) =>
    typeof data === 'object' &&
    data !== null &&
    PHARMACY_CLINICAL_TYPES.has(String((data as { resourceType?: unknown }).resourceType)),
};

/** The consumer tasks of one event, its data considered (`WANTS`). */
export function consumersOfEvent(eventType: string, data: unknown): string[] {
  return consumersOf(eventType).filter((c) => WANTS[c]?.(data) ?? true);
}
