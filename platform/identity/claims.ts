import type { JWTPayload } from 'jose';

import { UnauthenticatedError } from './errors.js';
import { PURPOSES, ROLES, type Principal, type PurposeOfUse, type Role } from './principal.js';
import { defaultPurposeOf, purposeAllowed } from './purpose-policy.js';

/** Carefed's claims on top of the registered JWT ones. */
export interface CarefedClaims extends JWTPayload {
  roles: Role[];
  /** Space-separated SMART scopes. */
  scope?: string;
  client_id?: string;
  /** SMART launch patient context (FHIR Patient id). */
  patient?: string;
  /** `Practitioner/<id>`, `Patient/<id>` or an absolute URL ending so. */
  fhirUser?: string;
  practitioner?: string;
  org?: string;
  purpose_of_use?: PurposeOfUse;
}

export { defaultPurpose } from './purpose-policy.js';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const FHIR_USER = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

function reject(claim: string): never {
  throw new UnauthenticatedError('bad-claims', claim);
}

function optString(value: unknown, claim: string, max = 255): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) reject(claim);
  return value;
}

function optFhirId(value: unknown, claim: string): string | undefined {
  const id = optString(value, claim);
  if (id !== undefined && !FHIR_ID.test(id)) reject(claim);
  return id;
}

function parseRoles(value: unknown): Role[] {
  const known: readonly string[] = ROLES;
  if (!Array.isArray(value) || value.length === 0) reject('roles');
  const roles = value.map((r) =>
    typeof r === 'string' && known.includes(r) ? (r as Role) : reject('roles'),
  );
  return [...new Set(roles)];
}

function parsePurpose(value: unknown): PurposeOfUse | undefined {
  const known: readonly string[] = PURPOSES;
  if (value === undefined) return undefined;
  return typeof value === 'string' && known.includes(value)
    ? (value as PurposeOfUse)
    : reject('purpose_of_use');
}

/** Two claims naming the same thing must agree; either may be absent. */
function agree(claim: string, explicit?: string, fromFhirUser?: string): string | undefined {
  if (explicit !== undefined && fromFhirUser !== undefined && explicit !== fromFhirUser) {
    reject(claim);
  }
  return explicit ?? fromFhirUser;
}

/**
 * Maps a verified token payload to the request {@link Principal}, checking every
 * claim's shape. Throws {@link UnauthenticatedError} (`bad-claims`) on an unknown role,
 * a missing client, contradicting patient or practitioner claims, a patient (or
 * clinician) token without a patient (or practitioner) id, or a purpose of use its
 * roles may not assert (platform/identity/purpose-policy.ts).
 */
export function principalFromClaims(payload: JWTPayload): Principal {
  const sub = optString(payload.sub, 'sub') ?? reject('sub');
  const roles = parseRoles(payload.roles);
  const scope = optString(payload.scope, 'scope', 8192) ?? '';
  const scopes = scope.split(/\s+/).filter((s) => s.length > 0);
  const clientId =
    optString(payload.client_id, 'client_id') ??
    optString(payload.azp, 'azp') ??
    reject('client_id');
  const fhirUser = optString(payload.fhirUser, 'fhirUser', 1024);
  const match = fhirUser === undefined ? null : FHIR_USER.exec(fhirUser);
  if (fhirUser !== undefined && !match) reject('fhirUser');
  const [, userType, userId] = match ?? [];
  const patientId = agree(
    'patient',
    optFhirId(payload.patient, 'patient'),
    userType === 'Patient' ? userId : undefined,
  );
  const practitionerId = agree(
    'practitioner',
    optFhirId(payload.practitioner, 'practitioner'),
    userType === 'Practitioner' ? userId : undefined,
  );
  if (roles.includes('patient') && patientId === undefined) reject('patient');
  if (roles.includes('clinician') && practitionerId === undefined) reject('practitioner');
  const organizationId = optString(payload.org, 'org');
  const purposeOfUse =
    parsePurpose(payload.purpose_of_use) ?? defaultPurposeOf(roles, patientId !== undefined);
  // Purpose is bound to the roles: a clinician cannot dodge a TREAT deny by claiming HOPERAT.
  if (!purposeAllowed(roles, patientId !== undefined, purposeOfUse)) reject('purpose_of_use');

  const principal: Principal = { sub, roles, scopes, clientId, purposeOfUse };
  if (patientId !== undefined) principal.patientId = patientId;
  if (practitionerId !== undefined) principal.practitionerId = practitionerId;
  if (organizationId !== undefined) principal.organizationId = organizationId;
  return principal;
}

/** The claims that carry `p`; {@link principalFromClaims} maps them back to an equal Principal. */
export function claimsFromPrincipal(p: Principal): CarefedClaims {
  const claims: CarefedClaims = {
    sub: p.sub,
    roles: [...p.roles],
    client_id: p.clientId,
    purpose_of_use: p.purposeOfUse,
  };
  if (p.scopes.length > 0) claims.scope = p.scopes.join(' ');
  if (p.patientId !== undefined) claims.patient = p.patientId;
  if (p.practitionerId !== undefined) claims.practitioner = p.practitionerId;
  if (p.organizationId !== undefined) claims.org = p.organizationId;
  if (p.roles.includes('patient') && p.patientId !== undefined) {
    claims.fhirUser = `Patient/${p.patientId}`;
  } else if (p.practitionerId !== undefined) {
    claims.fhirUser = `Practitioner/${p.practitionerId}`;
  }
  return claims;
}
