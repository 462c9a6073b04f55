import { loadOrCreateDevClientSecret } from '../gateway/clients/load.js';
import { ROLES, type Role } from '../platform/identity/principal.js';
import { DEV_IDS, devPrincipal, type DevIssuer } from '../platform/identity/dev-issuer.js';
import type { PatientSeedResult } from '../subgraphs/patient/seed.js';

/** The demo patient (living, with a care team) and the clinician on that team that demo tokens are bound to. */
export function demoSubjects(seed: PatientSeedResult): {
  patientId: string;
  practitionerId: string;
} {
  const patientId = seed.livingPatientIds.find((id) => (seed.careTeams.get(id)?.length ?? 0) > 0);
  const practitionerId = patientId ? seed.careTeams.get(patientId)?.[0] : undefined;
  if (!patientId || !practitionerId)
    throw new Error('The demo data has no patient with a care team');
  return { patientId, practitionerId };
}

/** Roles whose demo token the dev issuer signs directly; partner apps get theirs from the token endpoint. */
export type UserRole = Exclude<Role, 'partner'>;

/** One signed demo token per user role, valid for `expiresIn` (default 12 hours). */
export async function demoTokens(
  issuer: DevIssuer,
  seed: PatientSeedResult,
  expiresIn: string = '12h',
): Promise<Record<UserRole, string>> {
  const { patientId, practitionerId } = demoSubjects(seed);
  const userRoles = ROLES.filter((r): r is UserRole => r !== 'partner');
  const entries = await Promise.all(
    userRoles.map(async (role) => {
      const overrides =
        role === 'patient'
          ? { patientId, sub: `patient-user-${patientId.slice(0, 8)}` }
          : role === 'clinician'
            ? { practitionerId, sub: `practitioner-user-${practitionerId.slice(0, 8)}` }
            : {};
      const principal = devPrincipal(
        role,
        Object.fromEntries(Object.entries(overrides).filter(([, v]) => v)),
      );
      return [role, await issuer.sign(principal, { expiresIn })] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<UserRole, string>;
}

/**
 * A token for the demo partner app, the way a partner gets one: the OAuth 2.0
 * client-credentials grant at the gateway's `POST /oauth/token`, with the
 * app's development secret (under `keysDir`), acting for `patientId`.
 */
export async function demoPartnerToken(
  gatewayUrl: string,
  keysDir: string,
  patientId: string,
): Promise<string> {
  return clientCredentialsToken(gatewayUrl, keysDir, DEV_IDS.partnerClient, { patient: patientId });
}

/** A token for the demo payer app (client credentials; acts for its payer, no patient). */
export function demoPayerToken(gatewayUrl: string, keysDir: string): Promise<string> {
  return clientCredentialsToken(gatewayUrl, keysDir, DEV_IDS.payerClient, {});
}

async function clientCredentialsToken(
  gatewayUrl: string,
  keysDir: string,
  clientId: string,
  extra: Record<string, string>,
): Promise<string> {
  const secret = await loadOrCreateDevClientSecret(keysDir, clientId);
  const res = await fetch(new URL('/oauth/token', gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      ...extra,
    }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string };
  if (!res.ok || !body.access_token)
    throw new Error(`The token endpoint refused ${clientId}: ${body.error ?? res.status}`);
  return body.access_token;
}
