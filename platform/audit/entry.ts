/** What happened to the data, as the audit log records it. */
export const AUDIT_ACTIONS = [
  'read',
  'search',
  'create',
  'update',
  'delete',
  'emergency-access',
  'export',
  'login',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['permit', 'deny', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Who acted: the request principal, reduced to what the log needs. */
export interface AuditActor {
  sub: string;
  roles: string[];
  clientId: string;
  practitionerId?: string;
  patientId?: string;
}

/** One access to record. Nothing here may hold PHI beyond ids. */
export interface AuditEntryInput {
  actor: AuditActor;
  /** The patient whose data was touched; absent for non-patient resources. */
  patientId?: string;
  resourceType: string;
  resourceId?: string;
  action: AuditAction;
  /** v3 PurposeOfUse code, e.g. TREAT. */
  purpose: string;
  outcome: AuditOutcome;
  emergency?: boolean;
  /** A code or free text the caller is responsible for keeping PHI-free. */
  reason?: string;
  requestId: string;
  ip?: string;
  /** Defaults to now. */
  occurredAt?: Date;
}

/** Version of the payload format, so readers can tell future formats apart. */
export const PAYLOAD_VERSION = 1;

/**
 * The canonical JSON text stored (and hashed) for one entry: fixed key order,
 * ISO UTC time, undefined fields omitted. The same input always gives the same text.
 */
export function canonicalPayload(input: AuditEntryInput): string {
  const occurredAt = input.occurredAt ?? new Date();
  if (Number.isNaN(occurredAt.getTime()))
    throw new TypeError('Audit entry has an invalid occurredAt');
  const a = input.actor;
  // JSON.stringify keeps insertion order and drops undefined values.
  return JSON.stringify({
    v: PAYLOAD_VERSION,
    occurredAt: occurredAt.toISOString(),
    requestId: input.requestId,
    actor: {
      sub: a.sub,
      roles: [...a.roles],
      clientId: a.clientId,
      practitionerId: a.practitionerId,
      patientId: a.patientId,
    },
    patientId: input.patientId,
    resourceType: input.resourceType,
    resourceId: input.resourceId,
    action: input.action,
    purpose: input.purpose,
    outcome: input.outcome,
    emergency: input.emergency,
    reason: input.reason,
    ip: input.ip,
  });
}
