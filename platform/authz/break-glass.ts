/** A clinician's time-limited emergency access to one patient, given with a reason. */
export interface BreakGlassGrant {
  id: string;
  patientId: string;
  practitionerId: string;
  /** Kept (encrypted) by the patient subgraph; projections elsewhere do not carry it. */
  reason?: string;
  grantedAt: Date;
  expiresAt: Date;
}

/** The outcome of `validateBreakGlassReason`; `message` is safe to show the caller. */
export type ReasonCheck = { ok: true; reason: string } | { ok: false; message: string };

export const MIN_REASON_LENGTH = 10;
export const MAX_REASON_LENGTH = 500;

// Control characters (other than ordinary whitespace) would let a reason forge audit lines.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Checks a break-the-glass reason: trimmed, 10 to 500 characters, no control characters.
 * Returns the trimmed reason, or a message that says what to fix (never echoing the text).
 */
export function validateBreakGlassReason(reason: string): ReasonCheck {
  const trimmed = reason.trim();
  if (trimmed.length < MIN_REASON_LENGTH || trimmed.length > MAX_REASON_LENGTH) {
    return {
      ok: false,
      message: `Give a reason of ${MIN_REASON_LENGTH} to ${MAX_REASON_LENGTH} characters for emergency access`,
    };
  }
  if (CONTROL.test(trimmed)) {
    return { ok: false, message: 'The reason must not contain control characters' };
  }
  return { ok: true, reason: trimmed };
}

/** True when the grant is for this practitioner and patient and `now` is in [grantedAt, expiresAt). */
export function grantApplies(
  grant: BreakGlassGrant,
  practitionerId: string,
  patientId: string,
  now: Date,
): boolean {
  const t = now.getTime();
  return (
    grant.practitionerId === practitionerId &&
    grant.patientId === patientId &&
    grant.grantedAt.getTime() <= t &&
    t < grant.expiresAt.getTime()
  );
}

/**
 * The grant in force for this practitioner and patient at `now`; when several overlap, the
 * one that runs longest. Expiry is exclusive: at `expiresAt` the grant has lapsed.
 */
export function activeGrant(
  grants: readonly BreakGlassGrant[],
  practitionerId: string,
  patientId: string,
  now: Date,
): BreakGlassGrant | undefined {
  let best: BreakGlassGrant | undefined;
  for (const g of grants) {
    if (!grantApplies(g, practitionerId, patientId, now)) continue;
    if (!best || g.expiresAt.getTime() > best.expiresAt.getTime()) best = g;
  }
  return best;
}
