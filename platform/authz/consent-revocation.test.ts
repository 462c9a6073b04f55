import { describe, expect, it } from 'vitest';
import { devPrincipal } from '../identity/dev-principal.js';
import type { ConsentRecord, ProvisionActor } from './consent.js';
import { isPatientInPerson, mayChangeConsent } from './consent-revocation.js';

const PATIENT = 'p-1';

const consentNaming = (...actors: ProvisionActor[]): ConsentRecord => ({
  id: 'c-1',
  patientId: PATIENT,
  status: 'active',
  scope: 'patient-privacy',
  provisions: [{ type: 'deny', actors }],
});

describe('mayChangeConsent', () => {
  const app = devPrincipal('partner', { patientId: PATIENT, clientId: 'app-x', sub: 'app-x' });
  const patient = devPrincipal('patient', { patientId: PATIENT, sub: 'user-1', clientId: 'app-x' });

  it('#1 refuses an app acting for the patient when the consent names its client', () => {
    expect(mayChangeConsent(consentNaming({ kind: 'client', id: 'app-x' }), app)).toBe(false);
    expect(mayChangeConsent(consentNaming({ kind: 'client', id: 'app-y' }), app)).toBe(true);
  });

  it('#1 lets the patient in person change it, even through the client it names', () => {
    expect(isPatientInPerson(patient, PATIENT)).toBe(true);
    expect(mayChangeConsent(consentNaming({ kind: 'client', id: 'app-x' }), patient)).toBe(true);
  });

  it('#1 a patient token that is also a partner, or whose subject is the client, is not in person', () => {
    expect(isPatientInPerson({ ...patient, roles: ['patient', 'partner'] }, PATIENT)).toBe(false);
    expect(isPatientInPerson({ ...patient, sub: 'app-x' }, PATIENT)).toBe(false);
    expect(isPatientInPerson(patient, 'p-2')).toBe(false);
  });

  it('#1 refuses staff of a named organisation, a named practitioner and a named role', () => {
    const clinician = devPrincipal('clinician', {
      practitionerId: 'pr-1',
      organizationId: 'org-1',
    });
    expect(mayChangeConsent(consentNaming({ kind: 'organization', id: 'org-1' }), clinician)).toBe(
      false,
    );
    expect(mayChangeConsent(consentNaming({ kind: 'practitioner', id: 'pr-1' }), clinician)).toBe(
      false,
    );
    const admin = devPrincipal('admin');
    expect(mayChangeConsent(consentNaming({ kind: 'role', id: 'admin' }), admin)).toBe(false);
    expect(mayChangeConsent(consentNaming({ kind: 'role', id: 'billing' }), admin)).toBe(true);
  });
});
