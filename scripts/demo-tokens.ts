import { ROLES, type Role } from '../platform/identity/principal.js';
import { devPrincipal, type DevIssuer } from '../platform/identity/dev-issuer.js';
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

/** One signed demo token per role, valid for `expiresIn` (default 12 hours). */
export async function demoTokens(
  issuer: DevIssuer,
  seed: PatientSeedResult,
  expiresIn: string = '12h',
): Promise<Record<Role, string>> {
  const { patientId, practitionerId } = demoSubjects(seed);
  const entries = await Promise.all(
    ROLES.map(async (role) => {
      const overrides =
        role === 'patient' || role === 'partner'
          ? {
              patientId,
              sub: role === 'patient' ? `patient-user-${patientId.slice(0, 8)}` : undefined,
            }
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
  return Object.fromEntries(entries) as Record<Role, string>;
}
