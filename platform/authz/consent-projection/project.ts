import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../../events/envelope.js';
import type { Provision } from '../consent.js';
import { ConsentProjection } from './entity.js';

/** The data of a `consent.changed` event, as the patient subgraph publishes it. */
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
 * `consent.changed` → the consumer's consent projection (an event handler for
 * `startEventWorker`). Events may arrive out of order: an older change never
 * overwrites a newer one.
 */
export async function projectConsent(event: EventEnvelope, em: EntityManager): Promise<void> {
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
