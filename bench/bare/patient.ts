import DataLoader from 'dataloader';
import type pg from 'pg';
import type { FieldCipher } from '../../platform/crypto/index.js';
import type { BareContext } from './context.js';
import { decryptJson } from './db.js';

/**
 * The bare patient subgraph: Patient (name, birthDate, telecom, careTeam),
 * `patient(id)`, `patients(first)` and `me`, read from `patient.patient` and
 * `patient.care_team_member`. Columns are decrypted per field asked for.
 */
export const PATIENT_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    patient(id: ID!): Patient
    patients(first: Int): PatientConnection!
    me: Me!
  }
  type Me {
    patient: Patient
  }
  type Patient @key(fields: "id") {
    id: ID!
    name: HumanName
    birthDate: String
    telecom: [ContactPoint!]
    careTeam: [CareTeamLink!]
  }
  type HumanName {
    family: String!
    given: [String!]!
    text: String!
  }
  type ContactPoint {
    system: String!
    value: String!
    use: String
  }
  type CareTeamLink {
    id: ID!
    patientId: ID!
    practitionerId: ID!
    role: String!
  }
  type PatientConnection {
    edges: [PatientEdge!]!
  }
  type PatientEdge {
    cursor: String!
    node: Patient!
  }
`;

interface PatientRow {
  id: string;
  name: string;
  birth_date: string;
  telecom: string;
}
interface LinkRow {
  id: string;
  patient_id: string;
  practitioner_id: string;
  role: string;
}
type Ref = { id: string };

/** Per-request loaders: one statement per list of patients, whatever its length. */
export function patientLoaders(pool: pg.Pool) {
  return {
    patient: new DataLoader<string, PatientRow | undefined>(async (ids) => {
      const { rows } = await pool.query<PatientRow>(
        'SELECT id, name, birth_date, telecom FROM patient.patient WHERE id = ANY($1::uuid[])',
        [ids],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id));
    }),
    careTeam: new DataLoader<string, LinkRow[]>(async (ids) => {
      const { rows } = await pool.query<LinkRow>(
        `SELECT id, patient_id, practitioner_id, role FROM patient.care_team_member
          WHERE patient_id = ANY($1::uuid[]) AND (until IS NULL OR until > now())`,
        [ids],
      );
      return ids.map((id) => rows.filter((r) => r.patient_id === id));
    }),
  };
}

export type PatientLoaders = ReturnType<typeof patientLoaders>;
type Ctx = BareContext & { loaders: PatientLoaders };

/** Resolvers of the bare patient subgraph. */
export function patientResolvers(pool: pg.Pool, cipher: FieldCipher) {
  const dec = <T>(row: PatientRow, column: 'name' | 'birth_date' | 'telecom', value: string) =>
    decryptJson<T>(cipher, 'patient.patient', column, row.id, value);
  const row = (ctx: Ctx, id: string) => ctx.loaders.patient.load(id);
  return {
    Query: {
      patient: (_: unknown, { id }: { id: string }) => ({ id }),
      patients: async (_: unknown, { first }: { first?: number }, ctx: Ctx) => {
        const { rows } = await pool.query<{ id: string }>(
          ctx.practitionerId
            ? `SELECT DISTINCT patient_id AS id FROM patient.care_team_member
                WHERE practitioner_id = $2 AND (until IS NULL OR until > now())
                ORDER BY 1 LIMIT $1`
            : 'SELECT id FROM patient.patient ORDER BY id LIMIT $1',
          ctx.practitionerId ? [first ?? 20, ctx.practitionerId] : [first ?? 20],
        );
        return { edges: rows.map((r) => ({ cursor: r.id, node: { id: r.id } })) };
      },
      me: (_: unknown, __: unknown, ctx: Ctx) => ({
        patient: ctx.patientId ? { id: ctx.patientId } : null,
      }),
    },
    Patient: {
      __resolveReference: (ref: Ref) => ({ id: ref.id }),
      name: async (p: Ref, _: unknown, ctx: Ctx) => {
        const r = await row(ctx, p.id);
        if (!r) return null;
        const name = dec<{ family: string; given: string[] }>(r, 'name', r.name);
        return { ...name, text: [...name.given, name.family].join(' ') };
      },
      birthDate: async (p: Ref, _: unknown, ctx: Ctx) => {
        const r = await row(ctx, p.id);
        return r ? dec<string>(r, 'birth_date', r.birth_date) : null;
      },
      telecom: async (p: Ref, _: unknown, ctx: Ctx) => {
        const r = await row(ctx, p.id);
        return r ? dec<unknown[]>(r, 'telecom', r.telecom) : null;
      },
      careTeam: async (p: Ref, _: unknown, ctx: Ctx) =>
        (await ctx.loaders.careTeam.load(p.id)).map((l) => ({
          id: l.id,
          patientId: l.patient_id,
          practitionerId: l.practitioner_id,
          role: l.role,
        })),
    },
  };
}
