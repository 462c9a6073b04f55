import type { EntityManager } from '@mikro-orm/postgresql';
import { handleEvents, on } from '../../events/contract.js';
import type { EventHandler } from '../../events/consumer.js';
import {
  BREAK_GLASS_GRANTED,
  CARE_TEAM_CHANGED,
  CONSENT_CHANGED,
  type BreakGlassGrantedData,
  type CareTeamChangedData,
  type ConsentChangedData,
} from './events.js';

// Each upsert keeps the newest state: an older event (a redelivery, or one overtaken by a
// later change) never overwrites a newer one, so events may arrive in any order. Ends are
// final, whatever the times say: a revoked consent and an ended care-team link never come back
// (the patient subgraph never reopens either; a new link or consent has a new id), so two
// changes stamped with one request's clock, or a removal that started before the add
// committed, can never leave access open.

/** `consent.changed` → the consent projection. */
export async function projectConsent(
  d: ConsentChangedData,
  occurredAt: string,
  em: EntityManager,
): Promise<void> {
  await em.execute(
    `INSERT INTO consent_projection
       (id, patient_id, status, scope, provisions, period_start, period_end, changed_at)
     VALUES (?, ?, ?, ?, ?::jsonb, ?::timestamptz, ?::timestamptz, ?::timestamptz)
     ON CONFLICT (id) DO UPDATE SET patient_id = EXCLUDED.patient_id, status = EXCLUDED.status,
       scope = EXCLUDED.scope, provisions = EXCLUDED.provisions,
       period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end,
       changed_at = EXCLUDED.changed_at
     WHERE consent_projection.status <> 'inactive'
       AND (EXCLUDED.status = 'inactive' OR consent_projection.changed_at < EXCLUDED.changed_at)`,
    [
      d.consentId,
      d.patientId,
      d.status,
      d.scope,
      JSON.stringify(d.provisions),
      d.periodStart,
      d.periodEnd,
      occurredAt,
    ],
  );
}

/** `care-team.changed` → the care-team projection. */
export async function projectCareTeam(
  d: CareTeamChangedData,
  occurredAt: string,
  em: EntityManager,
): Promise<void> {
  await em.execute(
    `INSERT INTO care_team_projection (id, patient_id, practitioner_id, since, until, changed_at)
     VALUES (?, ?, ?, ?::timestamptz, ?::timestamptz, ?::timestamptz)
     ON CONFLICT (id) DO UPDATE SET since = EXCLUDED.since, until = EXCLUDED.until,
       changed_at = EXCLUDED.changed_at
     WHERE care_team_projection.until IS NULL
       AND (EXCLUDED.until IS NOT NULL OR care_team_projection.changed_at < EXCLUDED.changed_at)`,
    [d.linkId, d.patientId, d.practitionerId, d.since, d.until, occurredAt],
  );
}

/** `break-glass.granted` → the grant projection (grants never change once given). */
export async function projectGrant(d: BreakGlassGrantedData, em: EntityManager): Promise<void> {
  await em.execute(
    `INSERT INTO break_glass_projection (id, patient_id, practitioner_id, granted_at, expires_at)
     VALUES (?, ?, ?, ?::timestamptz, ?::timestamptz) ON CONFLICT (id) DO NOTHING`,
    [d.grantId, d.patientId, d.practitionerId, d.grantedAt, d.expiresAt],
  );
}

/**
 * The consumer task that keeps a subgraph's access-fact projections
 * (consents, care-team links, break-the-glass grants) from the patient
 * subgraph's events. Every subgraph holding patient data runs it as
 * `<subgraph>:access-facts` (subgraphs/subscriptions.ts).
 */
export const projectAccessFacts: EventHandler = handleEvents([
  on(CONSENT_CHANGED, (d, e, em) => projectConsent(d, e.occurredAt, em)),
  on(CARE_TEAM_CHANGED, (d, e, em) => projectCareTeam(d, e.occurredAt, em)),
  on(BREAK_GLASS_GRANTED, (d, _e, em) => projectGrant(d, em)),
]);

/** The task identifier of a subgraph's access-fact consumer. */
export const accessFactsTask = (subgraph: string): string => `${subgraph}:access-facts`;

/**
 * A subgraph's access-fact consumer tasks: `<subgraph>:access-facts`, and the
 * name consents were delivered under before it (`<subgraph>:consent-projection`),
 * so jobs queued by an earlier release still drain.
 */
export function accessFactTasks(subgraph: string): Record<string, EventHandler> {
  return {
    [accessFactsTask(subgraph)]: projectAccessFacts,
    [`${subgraph}:consent-projection`]: projectAccessFacts,
  };
}
