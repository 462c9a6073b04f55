import { z } from 'zod';

import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  type AuditActor,
  type AuditAction,
  type AuditOutcome,
} from './entry.js';

/** One stored audit entry, parsed. */
export interface AuditRecord {
  seq: number;
  occurredAt: Date;
  actor: AuditActor;
  patientId?: string;
  action: AuditAction;
  purpose: string;
  outcome: AuditOutcome;
  emergency: boolean;
  reason?: string;
  resourceType: string;
  resourceId?: string;
  clientId: string;
  requestId: string;
  ip?: string;
  /** The entry's Merkle leaf hash, once a batch has sealed it. */
  hash?: string;
}

const payloadSchema = z.object({
  v: z.literal(1),
  occurredAt: z.iso.datetime(),
  requestId: z.string(),
  actor: z.object({
    sub: z.string(),
    roles: z.array(z.string()),
    clientId: z.string(),
    practitionerId: z.string().optional(),
    patientId: z.string().optional(),
  }),
  patientId: z.string().optional(),
  resourceType: z.string(),
  resourceId: z.string().optional(),
  action: z.enum(AUDIT_ACTIONS),
  purpose: z.string(),
  outcome: z.enum(AUDIT_OUTCOMES),
  emergency: z.boolean().optional(),
  reason: z.string().optional(),
  ip: z.string().optional(),
});

// JSON.parse errors quote the text; payloads stay out of messages.
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Parses a stored row; throws (without echoing the payload) if it is not a known format. */
export function toAuditRecord(row: {
  seq: number | string;
  payload: string;
  hash: string | null;
}): AuditRecord {
  const seq = Number(row.seq);
  const parsed = payloadSchema.safeParse(parseJson(row.payload));
  if (!parsed.success) throw new Error(`Audit entry ${seq} has an unrecognised payload`);
  const p = parsed.data;
  return {
    seq,
    occurredAt: new Date(p.occurredAt),
    actor: p.actor,
    patientId: p.patientId,
    action: p.action,
    purpose: p.purpose,
    outcome: p.outcome,
    emergency: p.emergency ?? false,
    reason: p.reason,
    resourceType: p.resourceType,
    resourceId: p.resourceId,
    clientId: p.actor.clientId,
    requestId: p.requestId,
    ip: p.ip,
    hash: row.hash ?? undefined,
  };
}
