import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  consentRecordOf,
  type BreakGlassGrant,
  type ConsentRecord,
  type StoredConsent,
} from '../../../platform/authz/index.js';
import type { Principal } from '../../../platform/identity/principal.js';
import type { EncryptedPatient } from './patient-codec.js';

/** An open care-team link, as `Patient.careTeam` shows it. */
export interface CareTeamLinkRow {
  id: string;
  patientId: string;
  practitionerId: string;
  role: string;
  since: Date;
}

/**
 * One patient as a read sees it before deciding: the record's ciphertext
 * (absent when no such patient), and every fact the kernel decides on
 * (consents, open care-team links, the caller's unexpired grants).
 */
export interface PatientRow {
  record?: EncryptedPatient;
  consents: readonly ConsentRecord[];
  careTeam: readonly CareTeamLinkRow[];
  grants: readonly BreakGlassGrant[];
}

interface Row {
  key: string;
  id: string | null;
  version: number;
  active: boolean;
  updated_at: Date;
  mrn: string;
  name: string;
  birth_date: string;
  gender: string;
  telecom: string;
  address: string;
  identifiers: string;
  managing_organization_id: string | null;
  consents: (Omit<StoredConsent, 'periodStart' | 'periodEnd' | 'patientId'> & {
    periodStart: string | null;
    periodEnd: string | null;
  })[];
  care_team: { id: string; practitionerId: string; role: string; since: string }[];
  grants: { id: string; grantedAt: string; expiresAt: string }[];
}

// One statement for a batch: each patient's record and the facts to decide on it, for the ids
// `keys` selects (as `id`, its parameters first), in id order. The grants are the caller's own
// (none without a practitioner id), unexpired at the request's clock.
const recordsWithFacts = (keys: string) => `
  WITH keys AS (${keys})
  SELECT k.id AS key, p.id, p.version, p.active, p.updated_at, p.mrn, p.name, p.birth_date,
         p.gender, p.telecom, p.address, p.identifiers, p.managing_organization_id,
         (SELECT coalesce(json_agg(json_build_object('id', c.id, 'status', c.status,
                   'scope', c.scope, 'provisions', c.provisions, 'periodStart', c.period_start,
                   'periodEnd', c.period_end) ORDER BY c.recorded_at DESC), '[]')
            FROM consent c WHERE c.patient_id = k.id) AS consents,
         (SELECT coalesce(json_agg(json_build_object('id', m.id,
                   'practitionerId', m.practitioner_id, 'role', m.role, 'since', m.since)
                   ORDER BY m.since), '[]')
            FROM care_team_member m WHERE m.patient_id = k.id AND m.until IS NULL) AS care_team,
         (SELECT coalesce(json_agg(json_build_object('id', g.id, 'grantedAt', g.granted_at,
                   'expiresAt', g.expires_at)), '[]')
            FROM break_glass_grant g
           WHERE g.patient_id = k.id AND g.practitioner_id = ?::text
             AND g.expires_at > ?::timestamptz) AS grants
    FROM keys k LEFT JOIN patient p ON p.id = k.id
   ORDER BY k.id`;

const BY_IDS = 'SELECT DISTINCT json_array_elements_text(?::json)::uuid AS id';

/** A statement selecting patient ids (as `id`), and its parameters. */
export interface KeysQuery {
  sql: string;
  params: readonly unknown[];
}

/**
 * Patients and their decision facts for the ids `keys` selects, in id order:
 * one statement (a search's candidates read with everything needed to decide
 * on and show them).
 */
export async function readPatientRows(
  em: EntityManager,
  principal: Principal,
  now: Date,
  keys: KeysQuery,
): Promise<{ id: string; row: PatientRow }[]> {
  const rows = await em.execute<Row[]>(recordsWithFacts(keys.sql), [
    ...keys.params,
    principal.practitionerId ?? null,
    now.toISOString(),
  ]);
  return rows.map((r) => ({ id: r.key, row: toPatientRow(r, principal.practitionerId) }));
}

function toPatientRow(r: Row, practitionerId: string | undefined): PatientRow {
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return {
    ...(r.id === null
      ? {}
      : {
          record: {
            id: r.id,
            version: r.version,
            active: r.active,
            updatedAt: r.updated_at,
            mrn: r.mrn,
            name: r.name,
            birthDate: r.birth_date,
            gender: r.gender,
            telecom: r.telecom,
            address: r.address,
            identifiers: r.identifiers,
            managingOrganizationId: r.managing_organization_id,
          },
        }),
    consents: r.consents.map((c) =>
      consentRecordOf({
        ...c,
        patientId: r.key,
        periodStart: date(c.periodStart),
        periodEnd: date(c.periodEnd),
      }),
    ),
    careTeam: r.care_team.map((m) => ({ ...m, patientId: r.key, since: new Date(m.since) })),
    grants: r.grants.map((g) => ({
      id: g.id,
      patientId: r.key,
      practitionerId: practitionerId!,
      grantedAt: new Date(g.grantedAt),
      expiresAt: new Date(g.expiresAt),
    })),
  };
}

/**
 * Per-request loader of patients with their decision facts: one plain
 * parameterised statement per batch, however many patients (the hot read
 * path; the ORM stays with writes). Nothing is decrypted here.
 */
export function createPatientRows(
  em: EntityManager,
  principal: Principal,
  now: Date,
): DataLoader<string, PatientRow> {
  return new DataLoader(async (ids) => {
    const keys = { sql: BY_IDS, params: [JSON.stringify([...new Set(ids)])] };
    const byKey = new Map(
      (await readPatientRows(em, principal, now, keys)).map((r) => [r.id, r.row]),
    );
    return ids.map((id) => byKey.get(id) ?? { consents: [], careTeam: [], grants: [] });
  });
}
