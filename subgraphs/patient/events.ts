import type { EntityManager } from '@mikro-orm/postgresql';
import {
  BREAK_GLASS_GRANTED,
  CARE_TEAM_CHANGED,
  CONSENT_CHANGED,
  PATIENT_REGISTERED,
  type ConsentChangedData,
} from '../../platform/authz/access-facts/events.js';
import {
  ACCESS_FACTS_PRIORITY,
  accessFactsLane,
} from '../../platform/authz/access-facts/watermark.js';
import type { StatementBatch } from '../../platform/db/statement.js';
import { publish, publishInBatch, type EventContract } from '../../platform/events/contract.js';
import type { JsonValue } from '../../platform/events/envelope.js';
import { PATIENT_PROFILE_CHANGED, researchProfile } from '../contracts/patient-events.js';
import { ACCESS_FACT_CONSUMERS, consumersOf } from '../subscriptions.js';
import type { PatientData } from './domain/patient-data.js';
import {
  BreakGlassGrantEntity,
  CareTeamMember,
  ConsentRecordEntity,
  PatientRecord,
} from './entities/index.js';

/**
 * The patient subgraph publishes the facts every other subgraph decides
 * access from (platform/authz/access-facts): patients registered, consents,
 * care-team links and break-the-glass grants, each in the transaction that
 * changed it, into each consumer's own serial, high-priority queue
 * (`accessFactsLane`), where its heartbeat travels too.
 */
const SCHEMA = 'patient';

const iso = (d: Date | null | undefined): string | null => d?.toISOString() ?? null;

/** A consent as `consent.changed` carries it (ids, codes and periods; no PHI). */
function consentData(c: ConsentRecordEntity): ConsentChangedData {
  return {
    consentId: c.id,
    patientId: c.patientId,
    status: c.status,
    scope: c.scope,
    provisions: JSON.parse(JSON.stringify(c.provisions)) as ConsentChangedData['provisions'],
    periodStart: iso(c.periodStart),
    periodEnd: iso(c.periodEnd),
  };
}

const careTeamData = (m: CareTeamMember) => ({
  linkId: m.id,
  patientId: m.patientId,
  practitionerId: m.practitionerId,
  role: m.role,
  since: m.since.toISOString(),
  until: iso(m.until),
});

const grantData = (g: BreakGlassGrantEntity) => ({
  grantId: g.id,
  patientId: g.patientId,
  practitionerId: g.practitionerId,
  grantedAt: g.grantedAt.toISOString(),
  expiresAt: g.expiresAt.toISOString(),
});

/**
 * Every consumer of an access fact queues in its subgraph's access-fact lane:
 * the facts consumer first, any other consumer of the same event (scheduling's
 * webhook-consent) just behind it in the same serial queue, so it never acts
 * on a fact the subgraph's projection has not applied, and a stopped lane
 * stops both (the freshness bound then refuses PHI).
 */
function laneOf(task: string): { queue: string; priority: number } {
  if (ACCESS_FACT_CONSUMERS.includes(task)) return accessFactsLane(task);
  const facts = ACCESS_FACT_CONSUMERS.find((c) => c.split(':')[0] === task.split(':')[0]);
  return facts
    ? { queue: accessFactsLane(facts).queue, priority: ACCESS_FACTS_PRIORITY + 1 }
    : accessFactsLane(task);
}

const emit = <T extends JsonValue>(
  em: EntityManager,
  contract: EventContract<T>,
  data: T,
  at: Date,
  consumers: readonly string[] = consumersOf(contract.type),
) => publish(em, SCHEMA, contract, data, consumers, { occurredAt: at, lane: laneOf });

/** Publishes that a patient exists, in the transaction that registered them. */
export const publishPatientRegistered = (em: EntityManager, patientId: string, at: Date) =>
  emit(em, PATIENT_REGISTERED, { patientId, registeredAt: at.toISOString() }, at);

/**
 * Publishes that a patient exists as parts of the caller's combined statement
 * (`publishInBatch`): however many patients one write registers, their events
 * go out in that one statement.
 */
export const publishPatientRegisteredIn = (batch: StatementBatch, patientId: string, at: Date) =>
  publishInBatch(
    batch,
    SCHEMA,
    PATIENT_REGISTERED,
    { patientId, registeredAt: at.toISOString() },
    consumersOf(PATIENT_REGISTERED.type),
    { occurredAt: at, lane: laneOf },
  );

/** Publishes a patient's research profile (year of birth, sex, ZIP3) after the write that set it. */
export const publishProfileChanged = (
  em: EntityManager,
  patientId: string,
  version: number,
  data: PatientData,
  at: Date,
) => emit(em, PATIENT_PROFILE_CHANGED, researchProfile(patientId, version, data), at);

/** The same, as a part of the caller's combined statement (imports). */
export const publishProfileChangedIn = (
  batch: StatementBatch,
  patientId: string,
  version: number,
  data: PatientData,
  at: Date,
) =>
  publishInBatch(
    batch,
    SCHEMA,
    PATIENT_PROFILE_CHANGED,
    researchProfile(patientId, version, data),
    consumersOf(PATIENT_PROFILE_CHANGED.type),
    { occurredAt: at, lane: laneOf },
  );

/** Publishes a consent's current state in the transaction that changed it. */
export const publishConsentChanged = (em: EntityManager, c: ConsentRecordEntity, at: Date) =>
  emit(em, CONSENT_CHANGED, consentData(c), at);

/** Publishes a care-team link's current state (joined, or left) in the transaction that changed it. */
export const publishCareTeamChanged = (em: EntityManager, m: CareTeamMember, at: Date) =>
  emit(em, CARE_TEAM_CHANGED, careTeamData(m), at);

/** Publishes a break-the-glass grant in the transaction that opened it. */
export const publishGrant = (em: EntityManager, g: BreakGlassGrantEntity) =>
  emit(em, BREAK_GLASS_GRANTED, grantData(g), g.grantedAt);

/** What `republishAccessFacts` sent. */
export interface RepublishCounts {
  patients: number;
  consents: number;
  careTeamLinks: number;
  grants: number;
}

/**
 * Publishes every access fact's current state again, as of its last change,
 * to `consumers` only: every patient (registered), every consent, every care-team link (open or ended)
 * and every grant not yet expired at `now`. For a subgraph that starts
 * consuming these events after the facts exist (its projections would
 * otherwise miss them). Projections keep the newest change, so running this
 * twice, or beside live changes, is harmless. Commits per batch of `batch`
 * rows of each kind.
 */
export async function republishAccessFacts(
  em: EntityManager,
  consumers: readonly string[],
  now = new Date(),
  batch = 500,
): Promise<RepublishCounts> {
  const pages = async <T extends { id: string }>(
    read: (fork: EntityManager, offset: number) => Promise<T[]>,
    send: (tem: EntityManager, row: T) => Promise<unknown>,
  ): Promise<number> => {
    let count = 0;
    for (let offset = 0; ; offset += batch) {
      const rows = await read(em.fork(), offset);
      if (!rows.length) return count;
      await em.fork().transactional(async (tem) => {
        for (const r of rows) await send(tem, r);
      });
      count += rows.length;
    }
  };
  const page = { orderBy: { id: 'asc' as const }, limit: batch };
  return {
    patients: await pages(
      (f, offset) => f.find(PatientRecord, {}, { ...page, offset, fields: ['id', 'createdAt'] }),
      (tem, p) =>
        emit(
          tem,
          PATIENT_REGISTERED,
          { patientId: p.id, registeredAt: p.createdAt.toISOString() },
          p.createdAt,
          consumers,
        ),
    ),
    consents: await pages(
      (f, offset) => f.find(ConsentRecordEntity, {}, { ...page, offset }),
      (tem, c) =>
        emit(tem, CONSENT_CHANGED, consentData(c), c.revokedAt ?? c.recordedAt, consumers),
    ),
    careTeamLinks: await pages(
      (f, offset) => f.find(CareTeamMember, {}, { ...page, offset }),
      (tem, m) => emit(tem, CARE_TEAM_CHANGED, careTeamData(m), m.until ?? m.since, consumers),
    ),
    grants: await pages(
      (f, offset) =>
        f.find(BreakGlassGrantEntity, { expiresAt: { $gt: now } }, { ...page, offset }),
      (tem, g) => emit(tem, BREAK_GLASS_GRANTED, grantData(g), g.grantedAt, consumers),
    ),
  };
}
