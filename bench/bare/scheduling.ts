import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type pg from 'pg';

/**
 * The bare scheduling subgraph: Patient.appointments (newest first) read from
 * `scheduling.appointment`, and booking and cancelling as one statement each
 * (the row and its version row together). The exclusion constraint still
 * refuses double bookings; there is no idempotency record, access check,
 * outbox event or audit entry.
 */
export const SCHEDULING_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Patient @key(fields: "id") {
    id: ID!
    appointments(first: Int): AppointmentConnection!
  }
  type AppointmentConnection {
    edges: [AppointmentEdge!]!
  }
  type AppointmentEdge {
    cursor: String!
    node: Appointment!
  }
  type Appointment @key(fields: "id") {
    id: ID!
    status: String!
    start: String!
    end: String!
    practitionerId: ID!
  }
  input BookAppointmentInput {
    patientId: ID!
    practitionerId: ID!
    start: String!
    idempotencyKey: String!
  }
  type Mutation {
    bookAppointment(input: BookAppointmentInput!): Appointment!
    cancelAppointment(id: ID!, idempotencyKey: String!): Appointment!
  }
`;

interface AppointmentRow {
  id: string;
  patient_id: string;
  practitioner_id: string;
  status: string;
  starts_at: Date;
  ends_at: Date;
}
const COLUMNS = 'id, patient_id, practitioner_id, status, starts_at, ends_at';
const toAppointment = (r: AppointmentRow) => ({
  id: r.id,
  status: r.status,
  start: r.starts_at.toISOString(),
  end: r.ends_at.toISOString(),
  practitionerId: r.practitioner_id,
});
const BY = 'bench-bare';

/** Per-request loaders: the first N appointments of many patients in one statement. */
export function schedulingLoaders(pool: pg.Pool) {
  const byFirst = new Map<number, DataLoader<string, AppointmentRow[]>>();
  return {
    appointments(first: number): DataLoader<string, AppointmentRow[]> {
      let loader = byFirst.get(first);
      if (!loader) {
        loader = new DataLoader(async (ids) => {
          const { rows } = await pool.query<AppointmentRow>(
            `SELECT ${COLUMNS} FROM (
               SELECT ${COLUMNS}, row_number() OVER (PARTITION BY patient_id ORDER BY starts_at DESC) AS n
                 FROM scheduling.appointment WHERE patient_id = ANY($1::uuid[])) a
              WHERE n <= $2 ORDER BY starts_at DESC`,
            [ids, first],
          );
          return ids.map((id) => rows.filter((r) => r.patient_id === id));
        });
        byFirst.set(first, loader);
      }
      return loader;
    },
  };
}

export type SchedulingLoaders = ReturnType<typeof schedulingLoaders>;
type Ctx = { loaders: SchedulingLoaders };

interface BookInput {
  patientId: string;
  practitionerId: string;
  start: string;
}

/** Resolvers of the bare scheduling subgraph. */
export function schedulingResolvers(pool: pg.Pool) {
  return {
    Patient: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      appointments: async ({ id }: { id: string }, { first }: { first?: number }, ctx: Ctx) => {
        const rows = await ctx.loaders.appointments(first ?? 20).load(id);
        return { edges: rows.map((r) => ({ cursor: r.id, node: toAppointment(r) })) };
      },
    },
    Mutation: {
      bookAppointment: async (_: unknown, { input }: { input: BookInput }) => {
        try {
          const { rows } = await pool.query<AppointmentRow>(
            `WITH a AS (
               INSERT INTO scheduling.appointment
                 (id, patient_id, practitioner_id, facility_id, time_zone, starts_at, ends_at, status, created_by)
               SELECT $1, $2, s.practitioner_id, s.facility_id, s.time_zone, $4::timestamptz,
                      $4::timestamptz + s.slot_minutes * interval '1 minute', 'booked', '${BY}'
                 FROM scheduling.schedule s WHERE s.practitioner_id = $3 AND s.active LIMIT 1
               RETURNING ${COLUMNS}, version),
             v AS (
               INSERT INTO scheduling.appointment_version
                 (id, appointment_id, version, status, starts_at, ends_at, recorded_by)
               SELECT gen_random_uuid(), id, version, status, starts_at, ends_at, '${BY}' FROM a)
             SELECT ${COLUMNS} FROM a`,
            [randomUUID(), input.patientId, input.practitionerId, input.start],
          );
          if (!rows[0])
            throw new GraphQLError('No schedule', { extensions: { code: 'NOT_FOUND' } });
          return toAppointment(rows[0]);
        } catch (err) {
          if ((err as { code?: string }).code === '23P01')
            throw new GraphQLError('Slot taken', { extensions: { code: 'SLOT_TAKEN' } });
          throw err;
        }
      },
      cancelAppointment: async (_: unknown, { id }: { id: string }) => {
        const { rows } = await pool.query<AppointmentRow>(
          `WITH a AS (
             UPDATE scheduling.appointment SET status = 'cancelled', version = version + 1, updated_at = now()
              WHERE id = $1 AND status IN ('proposed', 'booked', 'arrived')
             RETURNING ${COLUMNS}, version),
           v AS (
             INSERT INTO scheduling.appointment_version
               (id, appointment_id, version, status, starts_at, ends_at, recorded_by)
             SELECT gen_random_uuid(), id, version, status, starts_at, ends_at, '${BY}' FROM a)
           SELECT ${COLUMNS} FROM a`,
          [id],
        );
        if (!rows[0]) throw new GraphQLError('Not found', { extensions: { code: 'NOT_FOUND' } });
        return toAppointment(rows[0]);
      },
    },
  };
}
