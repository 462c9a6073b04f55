import type { EntityManager } from '@mikro-orm/postgresql';
import { handleEvents, on } from '../../events/contract.js';
import type { EventHandler } from '../../events/consumer.js';
import type { JobHandler } from '../../events/jobs.js';
import {
  BREAK_GLASS_GRANTED,
  CARE_TEAM_CHANGED,
  CONSENT_CHANGED,
  PATIENT_REGISTERED,
  type BreakGlassGrantedData,
  type CareTeamChangedData,
  type ConsentChangedData,
  type PatientRegisteredData,
} from './events.js';
import { patientFactsLock } from './sql.js';
import { applyWatermark, WATERMARK_TASK_SUFFIX } from './watermark.js';

// Each upsert keeps the newest state: an older event (a redelivery, or one overtaken by a
// later change) never overwrites a newer one, so events may arrive in any order. Ends are
// final, whatever the times say: a revoked consent and an ended care-team link never come back
// (the patient subgraph never reopens either; a new link or consent has a new id), so two
// changes stamped with one request's clock, or a removal that started before the add
// committed, can never leave access open.

/**
 * Takes the patient's facts lock exclusively before a fact about them
 * changes (`patientFactsLock`): a write that decided on the old facts
 * (holding it shared, see `projectedAccessFacts`) commits first, and a write
 * deciding later waits for this change and then sees it.
 */
async function lockPatient(em: EntityManager, patientId: string): Promise<void> {
  await em.execute(`SELECT pg_advisory_xact_lock(${patientFactsLock('?')})`, [patientId]);
}

/** `patient.registered` → the known-patient projection. */
export async function projectPatient(d: PatientRegisteredData, em: EntityManager): Promise<void> {
  await em.execute(
    `INSERT INTO patient_projection (id, registered_at) VALUES (?, ?::timestamptz)
     ON CONFLICT (id) DO NOTHING`,
    [d.patientId, d.registeredAt],
  );
}

/** `consent.changed` → the consent projection. */
export async function projectConsent(
  d: ConsentChangedData,
  occurredAt: string,
  em: EntityManager,
): Promise<void> {
  await lockPatient(em, d.patientId);
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
  await lockPatient(em, d.patientId);
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
  await lockPatient(em, d.patientId);
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
  on(PATIENT_REGISTERED, (d, _e, em) => projectPatient(d, em)),
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

/** A subgraph's access-fact plain jobs: the producer's heartbeat (`<subgraph>:access-facts-watermark`). */
export function accessFactJobs(subgraph: string): Record<string, JobHandler> {
  return { [`${accessFactsTask(subgraph)}${WATERMARK_TASK_SUFFIX}`]: applyWatermark };
}

/**
 * The tasks of a subgraph that its event worker runs in a lane of their own
 * (a runner that never waits behind webhooks or notifications): the access
 * facts and their heartbeat.
 */
export function accessFactLane(subgraph: string): string[] {
  return [...Object.keys(accessFactTasks(subgraph)), ...Object.keys(accessFactJobs(subgraph))];
}
