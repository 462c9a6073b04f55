import type { Principal } from '../identity/principal.js';
import type { ConsentRecord, ProvisionActor } from './consent.js';

/** Why a caller may not revoke or alter a consent; no PHI. */
export const NAMED_IN_CONSENT = 'denied:named-in-consent';

/**
 * The patient in person: a user token of the `patient` role in that patient's own context,
 * whose subject is a person (not the client, as in a client-credentials token) and which no
 * app holds as the patient's agent (no `partner` role). A legally authorised representative
 * would qualify here too once the platform models one; it does not yet.
 */
export function isPatientInPerson(p: Principal, patientId: string): boolean {
  return (
    p.patientId === patientId &&
    p.roles.includes('patient') &&
    !p.roles.includes('partner') &&
    p.sub !== p.clientId
  );
}

/** Whether a provision's actor is the caller, or something the caller acts through. */
function isCallerOrItsAgent(a: ProvisionActor, p: Principal): boolean {
  switch (a.kind) {
    case 'client':
      return a.id === p.clientId;
    case 'organization':
      return a.id === p.organizationId;
    case 'practitioner':
      return a.id === p.practitionerId;
    case 'role':
      return p.roles.some((r) => r === a.id);
  }
}

/**
 * Whether `p` may revoke or alter `consent`, as far as the consent's own content goes (role,
 * scope and compartment are decided elsewhere). A consent any provision of which names an
 * actor (client app, organisation, practitioner or role) cannot be changed by that actor or by
 * anyone acting through it: an app acting for the patient, a clinician of a named
 * organisation. Only the patient in person ({@link isPatientInPerson}) may change such a
 * consent, even when the app they call through is the one it names: they are not acting
 * through it, it is carrying their own decision.
 */
export function mayChangeConsent(consent: ConsentRecord, p: Principal): boolean {
  if (isPatientInPerson(p, consent.patientId)) return true;
  return !consent.provisions.some((provision) =>
    (provision.actors ?? []).some((a) => isCallerOrItsAgent(a, p)),
  );
}
