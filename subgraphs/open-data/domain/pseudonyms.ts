import { blindIndex } from '../../../platform/crypto/blind-index.js';

/**
 * Keyed hashes (HMAC-SHA256 under open data's own index key, which no
 * researcher sees and no answer carries): a patient's pseudonym, and the keys
 * of the events' subjects (resources, appointments, dispenses, consents), so
 * the store can update or remove what an event changed without keeping any
 * id another subgraph issued.
 */
export interface Pseudonyms {
  patient(patientId: string): string;
  of(kind: 'resource' | 'appointment' | 'dispense' | 'consent' | 'series', id: string): string;
  /** An event id as the inbox keeps it: a UUID-shaped keyed hash (a dispense's event id is its id). */
  event(id: string): string;
}

const asUuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

export function pseudonymsOf(indexKey: Buffer): Pseudonyms {
  return {
    patient: (id) => blindIndex(indexKey, 'opendata.patient', id),
    of: (kind, id) => blindIndex(indexKey, `opendata.${kind}`, id),
    event: (id) => asUuid(blindIndex(indexKey, 'opendata.event', id)),
  };
}
