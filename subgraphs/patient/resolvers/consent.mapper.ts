import type { ConsentRecordEntity } from '../entities/index.js';
import type {
  ActorKind,
  Consent,
  ConsentScope,
  ConsentStatus,
  ProvisionType,
} from './consent.types.js';
import { type Purpose } from './consent.types.js';

/** The GraphQL shape of a stored consent. */
export function toConsent(c: ConsentRecordEntity): Consent {
  return {
    id: c.id,
    patientId: c.patientId,
    status: c.status as ConsentStatus,
    scope: c.scope as ConsentScope,
    provisions: c.provisions.map((p) => ({
      type: p.type as ProvisionType,
      actors: (p.actors ?? []).map((a) => ({ kind: a.kind as ActorKind, id: a.id })),
      purposes: (p.purposes ?? []) as Purpose[],
      dataClasses: [...(p.dataClasses ?? [])],
      securityLabels: [...(p.securityLabels ?? [])],
    })),
    periodStart: c.periodStart ?? null,
    periodEnd: c.periodEnd ?? null,
    recordedAt: c.recordedAt,
    revokedAt: c.revokedAt ?? null,
  };
}
