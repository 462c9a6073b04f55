import type { EntityManager } from '@mikro-orm/postgresql';
import { publishEvent } from '../../platform/events/publish.js';
import { consumersOf } from '../subscriptions.js';
import type { ConsentRecordEntity } from './entities/index.js';

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
      data: {
        consentId: c.id,
        patientId: c.patientId,
        status: c.status,
        scope: c.scope,
        provisions: JSON.parse(JSON.stringify(c.provisions)) as never,
        periodStart: c.periodStart?.toISOString() ?? null,
        periodEnd: c.periodEnd?.toISOString() ?? null,
      },
    },
    consumersOf(CONSENT_CHANGED),
  );
}
