import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { groupBy } from '../../data/group-by.js';
import type { RequestContext } from '../../federation/context.js';
import type { Principal } from '../../identity/principal.js';
import type { BreakGlassGrant } from '../break-glass.js';
import { consentRecordOf, type ConsentRecord, type StoredConsent } from '../consent.js';
import type { SqlPart } from '../../db/statement.js';
import type { AccessContext } from '../record-access.js';
import { patientFactsLock } from './sql.js';
import { ACCESS_FACTS_PRODUCER } from './watermark.js';

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
  /** The patient exists as far as this subgraph knows (its `patient.registered` projection). */
  known: boolean;
}

/** A per-request loader of `PatientFacts` by patient id. */
export type AccessFactsLoader = DataLoader<string, PatientFacts>;

/** Assembles facts for `ids` from rows grouped by patient. */
export function factsOf(
  ids: readonly string[],
  consents: readonly ConsentRecord[],
  team: ReadonlySet<string>,
  grants: readonly BreakGlassGrant[],
  known: ReadonlySet<string>,
): PatientFacts[] {
  const consentsOf = groupBy(ids, consents, (c) => c.patientId);
  const grantsOf = groupBy(ids, grants, (g) => g.patientId);
  return ids.map((id, i) => ({
    consents: consentsOf[i]!,
    onCareTeam: team.has(id),
    grants: grantsOf[i]!,
    known: known.has(id),
  }));
}

/**
 * SERVICE_UNAVAILABLE (`reason: ACCESS_FACTS_STALE`, retryable): this
 * subgraph's access facts may lag the patient subgraph by more than the bound,
 * so it refuses PHI rather than decide on facts that may be out of date.
 */
export const accessFactsStale = (): GraphQLError =>
  new GraphQLError(
    'Access rules are being brought up to date; nothing was read or written. Retry shortly',
    { extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'ACCESS_FACTS_STALE', retryable: true } },
  );

/** How a subgraph's projected facts are read. */
export interface ProjectedFactsOptions {
  /**
   * Refuse (ACCESS_FACTS_STALE) when the newest heartbeat applied is older
   * than this on the database clock, or when none ever was.
   */
  maxLagMs: number;
  /**
   * For a write's decision, on its transaction's `em`: take each patient's
   * facts lock shared first (`patientFactsLock`, held to commit), which a
   * fact's projection takes exclusively, so a change of consent, care team or
   * grant commits either before the decision reads it or after the write
   * commits. Writers share it, so writes for one patient still run side by
   * side; an advisory lock writes nothing to any row.
   */
  lock?: boolean;
}

interface ConsentRow {
  key: string;
  known: boolean;
  lag_ms: number | null;
  id: string | null;
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

// One row per patient at least (known, lag), one per consent: a patient with no consent
// still answers whether it is known, and the watermark's lag comes with every batch.
const CONSENTS_KNOWN_AND_LAG = `
  WITH keys AS (SELECT DISTINCT json_array_elements_text(?::json)::uuid AS id),
       lag AS (SELECT extract(epoch FROM clock_timestamp() - max(produced_at)) * 1000 AS lag_ms
                 FROM access_facts_watermark WHERE producer = ?)
  SELECT k.id AS key, (p.id IS NOT NULL) AS known, lag.lag_ms::float8 AS lag_ms,
         c.id, c.status, c.scope, c.provisions, c.period_start, c.period_end
    FROM keys k CROSS JOIN lag
    LEFT JOIN patient_projection p ON p.id = k.id
    LEFT JOIN consent_projection c ON c.patient_id = k.id`;

/**
 * The shared facts lock of these patients (see `ProjectedFactsOptions.lock`)
 * as a statement part, taken in id order. A write may send it in its first
 * statement and then read the facts with `lock: false`: the facts must be
 * read by a later statement than the one that takes the lock, whose snapshot
 * may predate a change the lock waited for.
 */
export function factsLockPart(patientIds: readonly string[]): SqlPart {
  return {
    sql: `SELECT pg_advisory_xact_lock_shared(${patientFactsLock('k.id')}) AS locked
           FROM (SELECT DISTINCT json_array_elements_text(?::json) AS id ORDER BY 1) k`,
    params: [JSON.stringify([...new Set(patientIds)])],
    rows: true,
  };
}

/**
 * Facts from a consuming subgraph's projections (consent, care-team,
 * break-the-glass and known patients, fed by the patient subgraph's events):
 * one statement for the consents, known patients and freshness of every
 * patient in the batch and, for a caller with a practitioner id, one for
 * their care-team links and grants (plus, for a write, one lock). Throws
 * ACCESS_FACTS_STALE when the projections may lag beyond `maxLagMs`.
 */
export function projectedAccessFacts(
  em: EntityManager,
  principal: Principal,
  now: Date,
  opts: ProjectedFactsOptions,
): AccessFactsLoader {
  return new DataLoader<string, PatientFacts>(async (keys) => {
    const ids = JSON.stringify([...new Set(keys)]);
    const practitionerId = principal.practitionerId;
    if (opts.lock) {
      const lock = factsLockPart(keys);
      await em.execute(lock.sql, [...lock.params]);
    }
    const [consentRows, memberRows] = await Promise.all([
      em.execute<ConsentRow[]>(CONSENTS_KNOWN_AND_LAG, [ids, ACCESS_FACTS_PRODUCER]),
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
    const lag = consentRows[0]?.lag_ms;
    if (lag === null || lag === undefined || lag > opts.maxLagMs) throw accessFactsStale();
    const consents = consentRows
      .filter((r): r is ConsentRow & { id: string } => r.id !== null)
      .map((r) =>
        consentRecordOf({
          id: r.id,
          patientId: r.key,
          status: r.status,
          scope: r.scope,
          provisions: r.provisions,
          periodStart: r.period_start,
          periodEnd: r.period_end,
        }),
      );
    const known = new Set(consentRows.filter((r) => r.known).map((r) => r.key));
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
    return factsOf(keys, consents, team, grants, known);
  });
}

/**
 * A consuming subgraph's kernel facts for one request: `accessFacts` on the
 * request's `em`, and `accessFactsFor` a write's transaction (locking, unless
 * the write took the lock itself with `accessFactsLock`).
 */
export function projectedAccess(
  base: RequestContext,
  maxLagMs: number,
): Pick<AccessContext, 'accessFacts' | 'accessFactsFor' | 'accessFactsLock'> {
  const { principal, now } = base;
  return {
    accessFacts: projectedAccessFacts(base.em, principal, now, { maxLagMs }),
    accessFactsFor: (em, lockHeld) =>
      projectedAccessFacts(em, principal, now, { maxLagMs, lock: !lockHeld }),
    accessFactsLock: factsLockPart,
  };
}
