import type { EntityManager } from '@mikro-orm/postgresql';
import { publishEvent } from '../../platform/events/publish.js';
import { consumersOf } from '../subscriptions.js';
import { ConsentRecordEntity } from './entities/index.js';

/** `consent.changed`: the whole consent (ids, codes and periods; no PHI), for other subgraphs' projections. */
export const CONSENT_CHANGED = 'consent.changed';

/** Publishes a consent's current state in the transaction that changed it. */
export async function publishConsentChanged(
  em: EntityManager,
  c: ConsentRecordEntity,
  at: Date,
): Promise<void> {
  await publishEvent(
    em,
    'patient',
    {
      type: CONSENT_CHANGED,
      aggregateId: c.id,
      occurredAt: at,
      data: consentData(c),
    },
    consumersOf(CONSENT_CHANGED),
  );
}

/** A consent as `consent.changed` carries it (ids, codes and periods; no PHI). */
function consentData(c: ConsentRecordEntity) {
  return {
    consentId: c.id,
    patientId: c.patientId,
    status: c.status,
    scope: c.scope,
    provisions: JSON.parse(JSON.stringify(c.provisions)) as never,
    periodStart: c.periodStart?.toISOString() ?? null,
    periodEnd: c.periodEnd?.toISOString() ?? null,
  };
}

/**
 * Publishes every consent's current state again, as of its last change
 * (revocation or recording), to `consumers` only: for a subgraph that starts
 * consuming `consent.changed` after consents exist (its projection would
 * otherwise miss them). Projections keep the newest change, so running this
 * twice, or beside live changes, is harmless. Commits per batch of `batch`.
 */
export async function republishConsents(
  em: EntityManager,
  consumers: readonly string[],
  batch = 500,
): Promise<number> {
  let count = 0;
  for (let offset = 0; ; offset += batch) {
    const consents = await em
      .fork()
      .find(ConsentRecordEntity, {}, { orderBy: { id: 'asc' }, limit: batch, offset });
    if (!consents.length) return count;
    await em.fork().transactional(async (tem) => {
      for (const c of consents)
        await publishEvent(
          tem,
          'patient',
          {
            type: CONSENT_CHANGED,
            aggregateId: c.id,
            occurredAt: c.revokedAt ?? c.recordedAt,
            data: consentData(c),
          },
          consumers,
        );
    });
    count += consents.length;
  }
}
