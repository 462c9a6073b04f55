import { z } from 'zod';
import { PURPOSES, ROLES, type Principal } from '../identity/principal.js';

const id = z.string().min(1).max(255);
const STORED = z.object({
  sub: id,
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
  scopes: z.array(z.string().min(1).max(255)).max(200),
  clientId: id,
  patientId: id.optional(),
  practitionerId: id.optional(),
  organizationId: id.optional(),
  purposeOfUse: z.enum(PURPOSES),
});

/**
 * Who a subscription discloses to, as its subscriber's token said when it
 * subscribed: the client, its organisation, roles, scopes, patient context and
 * purpose of use. Every delivery is decided for this actor, as a read of the
 * spec's data class by that principal would be.
 */
export type SubscriberActor = Principal;

/** The JSON stored in `webhook_subscription.actor` for `p` (ids and codes only, no PHI). */
export function storedActor(p: Principal): string {
  const { sub, roles, scopes, clientId, patientId, practitionerId, organizationId, purposeOfUse } =
    p;
  const actor: SubscriberActor = {
    sub,
    roles,
    scopes,
    clientId,
    patientId,
    practitionerId,
    organizationId,
    purposeOfUse,
  };
  return JSON.stringify(actor);
}

/**
 * The actor of a stored subscription. A row without a readable actor (made
 * before actors were stored) gets one with no scopes, so its deliveries are
 * refused until the app subscribes again: fail closed.
 */
export function actorOf(row: {
  actor: unknown;
  client_id: string;
  patient_id: string | null;
}): SubscriberActor {
  const parsed = STORED.safeParse(row.actor);
  if (parsed.success && parsed.data.clientId === row.client_id) return parsed.data;
  return {
    sub: `client:${row.client_id}`,
    roles: ['partner'],
    scopes: [],
    clientId: row.client_id,
    purposeOfUse: 'HOPERAT',
    ...(row.patient_id !== null ? { patientId: row.patient_id } : {}),
  };
}
