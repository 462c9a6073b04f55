import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { groupBy } from '../../data/group-by.js';
import type { Principal } from '../../identity/principal.js';
import type { BreakGlassGrant } from '../break-glass.js';
import { consentRecordOf, type ConsentRecord, type StoredConsent } from '../consent.js';

/**
 * What the kernel knows of one patient, relative to the caller: the
 * patient's consents, whether the caller's practitioner is on the patient's
 * care team (an open care-team link), and the caller's break-the-glass
 * grants for the patient that have not expired.
 */
export interface PatientFacts {
  consents: readonly ConsentRecord[];
  onCareTeam: boolean;
  grants: readonly BreakGlassGrant[];
}

/** A per-request loader of `PatientFacts` by patient id. */
export type AccessFactsLoader = DataLoader<string, PatientFacts>;

/** Assembles facts for `ids` from rows grouped by patient. */
export function factsOf(
  ids: readonly string[],
  consents: readonly ConsentRecord[],
  team: ReadonlySet<string>,
  grants: readonly BreakGlassGrant[],
): PatientFacts[] {
  const consentsOf = groupBy(ids, consents, (c) => c.patientId);
  const grantsOf = groupBy(ids, grants, (g) => g.patientId);
  return ids.map((id, i) => ({
    consents: consentsOf[i]!,
    onCareTeam: team.has(id),
    grants: grantsOf[i]!,
  }));
}

interface ConsentRow {
  id: string;
  patient_id: string;
  status: StoredConsent['status'];
  scope: StoredConsent['scope'];
  provisions: StoredConsent['provisions'];
  period_start: Date | null;
  period_end: Date | null;
}

interface MembershipRow {
  patient_id: string;
  kind: 'team' | 'grant';
  id: string;
  granted_at: Date | null;
  expires_at: Date | null;
}

/**
 * Facts from a consuming subgraph's projections (consent, care-team and
 * break-the-glass, fed by the patient subgraph's events): one statement for
 * the consents of every patient in the batch and, for a caller with a
 * practitioner id, one for their care-team links and grants.
 */
export function projectedAccessFacts(
  em: EntityManager,
  principal: Principal,
  now: Date,
): AccessFactsLoader {
  return new DataLoader<string, PatientFacts>(async (keys) => {
    const ids = JSON.stringify([...new Set(keys)]);
    const practitionerId = principal.practitionerId;
    const [consentRows, memberRows] = await Promise.all([
      em.execute<ConsentRow[]>(
        `SELECT id, patient_id, status, scope, provisions, period_start, period_end
           FROM consent_projection
          WHERE patient_id IN (SELECT json_array_elements_text(?::json)::uuid)`,
        [ids],
      ),
      practitionerId
        ? em.execute<MembershipRow[]>(
            `SELECT patient_id, 'team' AS kind, id, NULL::timestamptz AS granted_at, NULL::timestamptz AS expires_at
               FROM care_team_projection
              WHERE practitioner_id = ? AND until IS NULL
                AND patient_id IN (SELECT json_array_elements_text(?::json)::uuid)
             UNION ALL
             SELECT patient_id, 'grant', id, granted_at, expires_at
               FROM break_glass_projection
              WHERE practitioner_id = ? AND expires_at > ?::timestamptz
                AND patient_id IN (SELECT json_array_elements_text(?::json)::uuid)`,
            [practitionerId, ids, practitionerId, now.toISOString(), ids],
          )
        : Promise.resolve([] as MembershipRow[]),
    ]);
    const consents = consentRows.map((r) =>
      consentRecordOf({
        id: r.id,
        patientId: r.patient_id,
        status: r.status,
        scope: r.scope,
        provisions: r.provisions,
        periodStart: r.period_start,
        periodEnd: r.period_end,
      }),
    );
    const team = new Set(memberRows.filter((r) => r.kind === 'team').map((r) => r.patient_id));
    const grants = memberRows
      .filter((r) => r.kind === 'grant')
      .map((r) => ({
        id: r.id,
        patientId: r.patient_id,
        practitionerId: practitionerId!,
        grantedAt: new Date(r.granted_at!),
        expiresAt: new Date(r.expires_at!),
      }));
    return factsOf(keys, consents, team, grants);
  });
}
