import type { IncomingHttpHeaders } from 'node:http';

/** Who the bare gateway says is calling: the token's claims, decoded but never verified. */
export interface BareContext {
  patientId?: string;
  practitionerId?: string;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

/** The caller as the bare gateway forwards it (`x-bare-patient`, `x-bare-practitioner`). */
export function callerOf(headers: IncomingHttpHeaders): BareContext {
  return {
    patientId: one(headers['x-bare-patient']),
    practitionerId: one(headers['x-bare-practitioner']),
  };
}

/** The claims of a bearer JWT, read without checking its signature (the baseline has no security layer). */
export function unverifiedClaims(authorization: string | undefined): BareContext {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return {};
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    patient?: string;
    practitioner?: string;
  };
  return { patientId: claims.patient, practitionerId: claims.practitioner };
}
