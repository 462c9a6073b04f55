import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { groupBy } from '../../data/group-by.js';
import type { Principal } from '../../identity/principal.js';
import type { BreakGlassGrant } from '../break-glass.js';
import { consentRecordOf, type ConsentRecord, type StoredConsent } from '../consent.js';
import type { SqlPart } from '../../db/statement.js';
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

/** The facts columns of one patient's row (`FACTS`), prefixed so a subgraph's own columns never collide. */
export interface FactsRow {
  fact_key: string;
  fact_known: boolean;
  fact_lag_ms: number | null;
  fact_consents: {
    id: string;
    status: StoredConsent['status'];
    scope: StoredConsent['scope'];
    provisions: StoredConsent['provisions'];
    periodStart: string | null;
    periodEnd: string | null;
  }[];
  fact_on_team: boolean;
  fact_grants: { id: string; grantedAt: string; expiresAt: string }[];
}

// One row per patient of the batch: whether it is known, the watermark's lag, its consents, and
// for the caller's practitioner id (none: NULL, which matches nothing) whether an open care-team
// link is theirs and their unexpired grants. Parameters: ids, producer, practitioner (twice), now.
export const FACTS = `
  keys AS (SELECT DISTINCT json_array_elements_text(?::json)::uuid AS id),
  lag AS (SELECT extract(epoch FROM clock_timestamp() - max(produced_at)) * 1000 AS lag_ms
            FROM access_facts_watermark WHERE producer = ?),
  facts AS (
    SELECT k.id AS fact_key, (p.id IS NOT NULL) AS fact_known, lag.lag_ms::float8 AS fact_lag_ms,
           (SELECT coalesce(json_agg(json_build_object('id', c.id, 'status', c.status,
                     'scope', c.scope, 'provisions', c.provisions,
                     'periodStart', c.period_start, 'periodEnd', c.period_end)), '[]')
              FROM consent_projection c WHERE c.patient_id = k.id) AS fact_consents,
           EXISTS (SELECT 1 FROM care_team_projection t
                    WHERE t.patient_id = k.id AND t.practitioner_id = ?::text
                      AND t.until IS NULL) AS fact_on_team,
           (SELECT coalesce(json_agg(json_build_object('id', g.id, 'grantedAt', g.granted_at,
                     'expiresAt', g.expires_at)), '[]')
              FROM break_glass_projection g
             WHERE g.patient_id = k.id AND g.practitioner_id = ?::text
               AND g.expires_at > ?::timestamptz) AS fact_grants
      FROM keys k CROSS JOIN lag LEFT JOIN patient_projection p ON p.id = k.id)`;

export function factsParams(ids: readonly string[], principal: Principal, now: Date): unknown[] {
  const practitionerId = principal.practitionerId ?? null;
  return [
    JSON.stringify([...new Set(ids)]),
    ACCESS_FACTS_PRODUCER,
    practitionerId,
    practitionerId,
    now.toISOString(),
  ];
}

/** One patient's facts from its row; ACCESS_FACTS_STALE when the projections may lag beyond the bound. */
export function factsOfRow(r: FactsRow, principal: Principal, maxLagMs: number): PatientFacts {
  if (r.fact_lag_ms === null || r.fact_lag_ms > maxLagMs) throw accessFactsStale();
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return {
    consents: r.fact_consents.map((c) =>
      consentRecordOf({
        ...c,
        patientId: r.fact_key,
        periodStart: date(c.periodStart),
        periodEnd: date(c.periodEnd),
      }),
    ),
    onCareTeam: r.fact_on_team,
    grants: r.fact_grants.map((g) => ({
      id: g.id,
      patientId: r.fact_key,
      practitionerId: principal.practitionerId!,
      grantedAt: new Date(g.grantedAt),
      expiresAt: new Date(g.expiresAt),
    })),
    known: r.fact_known,
  };
}

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
 * one statement for every patient in the batch (plus, for a write, one
 * lock). Throws ACCESS_FACTS_STALE when the projections may lag beyond
 * `maxLagMs`.
 */
export function projectedAccessFacts(
  em: EntityManager,
  principal: Principal,
  now: Date,
  opts: ProjectedFactsOptions,
): AccessFactsLoader {
  return new DataLoader<string, PatientFacts>(async (keys) => {
    if (opts.lock) {
      const lock = factsLockPart(keys);
      await em.execute(lock.sql, [...lock.params]);
    }
    const rows = await em.execute<FactsRow[]>(
      `WITH ${FACTS} SELECT * FROM facts`,
      factsParams(keys, principal, now),
    );
    const byKey = new Map(rows.map((r) => [r.fact_key, factsOfRow(r, principal, opts.maxLagMs)]));
    return keys.map((k) => {
      const f = byKey.get(k);
      if (!f) throw accessFactsStale();
      return f;
    });
  });
}
