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

// One statement for a batch: each patient's record and the facts to decide on it. The
// grants are the caller's own (none without a practitioner id), unexpired at the request's clock.
const RECORDS_WITH_FACTS = `
  WITH keys AS (SELECT DISTINCT json_array_elements_text(?::json)::uuid AS id)
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
    FROM keys k LEFT JOIN patient p ON p.id = k.id`;

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
  const practitionerId = principal.practitionerId;
  return new DataLoader(async (ids) => {
    const rows = await em.execute<Row[]>(RECORDS_WITH_FACTS, [
      JSON.stringify([...new Set(ids)]),
      practitionerId ?? null,
      now.toISOString(),
    ]);
    const byKey = new Map(rows.map((r) => [r.key, toPatientRow(r, practitionerId)]));
    return ids.map((id) => byKey.get(id) ?? { consents: [], careTeam: [], grants: [] });
  });
}
