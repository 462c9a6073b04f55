import type autocannon from 'autocannon';
import type { BenchDatabase } from './harness/database.js';
import type { Fixtures } from './harness/fixtures.js';

/** Where one connection keeps its state between the requests of a case's sequence. */
interface ConnectionState {
  slot?: string;
  appointmentId?: string;
}

/**
 * One row of the bench table: what one connection sends, in order, again and
 * again. Each request is one operation; the figures are per request.
 */
export interface BenchCase {
  name: string;
  /** Which fixture token the requests carry. */
  token: keyof Fixtures['tokens'];
  /** Also run in the data-scaling section (read-only cases). */
  scales: boolean;
  /** The request sequence of one connection; `tag` keeps idempotency keys unique per run. */
  requests(f: Fixtures, tag: string): autocannon.Request[];
  /** After each round: undo what requests cut off at the bell left behind. */
  cleanup?(db: BenchDatabase, f: Fixtures): Promise<void>;
}

const read = (query: string): autocannon.Request[] => [
  { method: 'POST', body: JSON.stringify({ query }) },
];

/**
 * The cases, in table order. The extension point: a FHIR import row (a bundle
 * POSTed through the adapter) and a write-heavy mix row go here once those
 * exist; each needs only a name, a token and its request sequence (and, for
 * a route other than the GraphQL endpoint, a `path` on its requests).
 */
export const CASES: BenchCase[] = [
  {
    name: 'clinician patient(id)',
    token: 'clinician',
    scales: true,
    requests: (f) =>
      read(`{ patient(id: "${f.patientId}") { id name { text } birthDate telecom { value } } }`),
  },
  {
    name: 'clinician patients(first: 50) + care teams',
    token: 'clinician',
    scales: true,
    requests: () =>
      read(
        '{ patients(first: 50) { edges { node { id name { text } careTeam { practitionerId role } } } } }',
      ),
  },
  {
    name: 'patient me + appointments + balance',
    token: 'patient',
    scales: true,
    requests: () =>
      read(
        '{ me { patient { id name { text } appointments(first: 10) { edges { node { id status start } } } balance { amount currency } } } }',
      ),
  },
  {
    name: 'scheduler book + cancel (per mutation)',
    token: 'scheduler',
    scales: false,
    // A booking whose cancel was cut off at the bell would hold its slot into the next round.
    cleanup: async (db, f) => {
      await db.query(
        "UPDATE scheduling.appointment SET status = 'cancelled' WHERE patient_id = $1 AND status = 'booked'",
        [f.bookingPatientId],
      );
    },
    requests: (f, tag) => {
      let n = 0;
      let nextSlot = 0;
      const state = (c: object) => c as ConnectionState;
      const json = (body: string) => JSON.parse(body) as { data?: Record<string, { id: string }> };
      return [
        {
          method: 'POST',
          setupRequest: (req, ctx) => {
            // Each connection keeps one slot of its own: it books it and frees it again.
            const s = state(ctx);
            s.slot ??= f.slots[nextSlot++ % f.slots.length];
            const query = `mutation { bookAppointment(input: { patientId: "${f.bookingPatientId}", practitionerId: "${f.practitionerId}", start: "${s.slot}", idempotencyKey: "bench-${tag}-${n++}" }) { id status } }`;
            return { ...req, body: JSON.stringify({ query }) };
          },
          onResponse: (_status, body, ctx) => {
            state(ctx).appointmentId = json(body).data?.bookAppointment?.id;
          },
        },
        {
          method: 'POST',
          setupRequest: (req, ctx) => {
            const query = `mutation { cancelAppointment(id: "${state(ctx).appointmentId ?? '00000000-0000-0000-0000-000000000000'}", idempotencyKey: "bench-${tag}-${n++}") { id status } }`;
            return { ...req, body: JSON.stringify({ query }) };
          },
        },
      ];
    },
  },
];
