import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventHandler } from '../../platform/events/consumer.js';
import type { EventEnvelope } from '../../platform/events/envelope.js';
import type { Provision } from '../../platform/authz/consent.js';
import { ConsentProjection } from './entities/index.js';

/**
 * What the scheduling subgraph publishes (domain/events.ts: appointment
 * booked, rescheduled, cancelled, arrived, completed, no-show) and consumes.
 */
export interface ConsentChangedData {
  consentId: string;
  patientId: string;
  status: 'active' | 'inactive';
  scope: 'patient-privacy' | 'research' | 'treatment';
  provisions: Provision[];
  periodStart: string | null;
  periodEnd: string | null;
}

/**
 * `consent.changed` → the local consent projection. Events may arrive out of
 * order: an older change never overwrites a newer one.
 */
async function projectConsent(event: EventEnvelope, em: EntityManager): Promise<void> {
  const d = event.data as unknown as ConsentChangedData;
  const changedAt = new Date(event.occurredAt);
  const existing = await em.findOne(ConsentProjection, { id: d.consentId });
  if (existing && existing.changedAt >= changedAt) return;
  const values = {
    patientId: d.patientId,
    status: d.status,
    scope: d.scope,
    provisions: d.provisions,
    periodStart: d.periodStart ? new Date(d.periodStart) : null,
    periodEnd: d.periodEnd ? new Date(d.periodEnd) : null,
    changedAt,
  };
  if (existing) em.assign(existing, values);
  else em.persist(em.create(ConsentProjection, { id: d.consentId, ...values }));
  await em.flush();
}

/** The scheduling subgraph's consumer tasks. */
export const handlers: Record<string, EventHandler> = {
  'scheduling:consent-projection': projectConsent,
};
