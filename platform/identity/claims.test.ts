import { describe, expect, it } from 'vitest';

import { claimsFromPrincipal, principalFromClaims } from './claims.js';
import { devPrincipal } from './dev-principal.js';
import { UnauthenticatedError } from './errors.js';
import { ROLES, type PurposeOfUse, type Role } from './principal.js';

const base = { sub: 'u1', client_id: 'app' };

function refusedClaim(payload: Record<string, unknown>): string | undefined {
  try {
    principalFromClaims(payload);
  } catch (err) {
    expect(err).toBeInstanceOf(UnauthenticatedError);
    expect((err as UnauthenticatedError).reason).toBe('bad-claims');
    return (err as UnauthenticatedError).claim;
  }
  throw new Error('claims were accepted');
}

describe('principalFromClaims', () => {
  it('maps SMART claims and derives ids from fhirUser', () => {
    const p = principalFromClaims({
      sub: 'u1',
      roles: ['clinician'],
      scope: ' user/Patient.rs   user/Appointment.cruds ',
      azp: 'ehr-app',
      fhirUser: 'https://ehr.example/fhir/Practitioner/pr-9',
      patient: 'pat-1',
      org: 'org-2',
    });
    expect(p).toEqual({
      sub: 'u1',
      roles: ['clinician'],
      scopes: ['user/Patient.rs', 'user/Appointment.cruds'],
      clientId: 'ehr-app',
      practitionerId: 'pr-9',
      patientId: 'pat-1',
      organizationId: 'org-2',
      purposeOfUse: 'TREAT',
    });
    expect(
      principalFromClaims({ ...base, roles: ['patient'], fhirUser: 'Patient/p7' }).patientId,
    ).toBe('p7');
  });

  it('defaults the purpose of use by role', () => {
    const expected: Record<Role, PurposeOfUse> = {
      clinician: 'TREAT',
      patient: 'PATRQT',
      scheduler: 'HOPERAT',
      billing: 'HPAYMT',
      researcher: 'HRESCH',
      admin: 'HSYSADMIN',
      auditor: 'HACCRED',
      pharmacist: 'TREAT',
      partner: 'PATRQT',
    };
    const ctx = { patient: 'p1', practitioner: 'pr1' };
    for (const role of ROLES) {
      expect(principalFromClaims({ ...base, ...ctx, roles: [role] }).purposeOfUse).toBe(
        expected[role],
      );
    }
    expect(principalFromClaims({ ...base, roles: ['partner'] }).purposeOfUse).toBe('HOPERAT');
    expect(
      principalFromClaims({ ...base, roles: ['billing'], purpose_of_use: 'HPAYMT' }).purposeOfUse,
    ).toBe('HPAYMT');
    // A clinician who is also a patient acts as the clinician: the patient role decides no purpose.
    expect(
      principalFromClaims({ ...base, ...ctx, roles: ['patient', 'clinician'] }).purposeOfUse,
    ).toBe('TREAT');
  });

  it('#5 refuses a purpose of use its roles may not assert', () => {
    const ctx = { patient: 'p1', practitioner: 'pr1' };
    const refused = (roles: string[], purpose: string, extra: object = ctx) =>
      refusedClaim({ ...base, ...extra, roles, purpose_of_use: purpose });
    // The assessment's token: a clinician claiming operations to dodge a TREAT deny.
    expect(refused(['clinician'], 'HOPERAT')).toBe('purpose_of_use');
    // Emergency treatment comes from a break-the-glass grant, never from a token.
    expect(refused(['clinician'], 'ETREAT')).toBe('purpose_of_use');
    expect(refused(['billing'], 'HOPERAT')).toBe('purpose_of_use');
    expect(refused(['patient'], 'TREAT')).toBe('purpose_of_use');
    expect(refused(['researcher'], 'TREAT')).toBe('purpose_of_use');
    expect(refused(['clinician', 'patient'], 'PATRQT')).toBe('purpose_of_use');
    expect(refused(['partner'], 'HOPERAT')).toBe('purpose_of_use');
    expect(refused(['partner'], 'PATRQT', {})).toBe('purpose_of_use');
    expect(refused(['partner'], 'TREAT', {})).toBe('purpose_of_use');
    expect(
      principalFromClaims({ ...base, roles: ['partner'], purpose_of_use: 'HPAYMT' }).purposeOfUse,
    ).toBe('HPAYMT');
  });

  it('refuses malformed or contradictory claims', () => {
    expect(refusedClaim({ ...base, roles: ['clinician', 'wizard'], practitioner: 'x' })).toBe(
      'roles',
    );
    expect(refusedClaim({ ...base, roles: [] })).toBe('roles');
    expect(refusedClaim({ ...base, roles: 'admin' })).toBe('roles');
    expect(refusedClaim({ sub: 'u1', roles: ['admin'] })).toBe('client_id');
    expect(refusedClaim({ ...base, roles: ['admin'], purpose_of_use: 'FUN' })).toBe(
      'purpose_of_use',
    );
    expect(refusedClaim({ ...base, roles: ['admin'], scope: ['user/*.cruds'] })).toBe('scope');
    expect(refusedClaim({ ...base, roles: ['patient'] })).toBe('patient');
    expect(refusedClaim({ ...base, roles: ['clinician'] })).toBe('practitioner');
    expect(refusedClaim({ ...base, roles: ['patient'], patient: 'a', fhirUser: 'Patient/b' })).toBe(
      'patient',
    );
    expect(refusedClaim({ ...base, roles: ['admin'], patient: '../etc' })).toBe('patient');
    expect(refusedClaim({ ...base, roles: ['admin'], fhirUser: 'nonsense' })).toBe('fhirUser');
    expect(refusedClaim({ client_id: 'app', roles: ['admin'] })).toBe('sub');
  });
});

describe('claimsFromPrincipal', () => {
  it('round-trips every demo principal', () => {
    for (const role of ROLES) {
      const p = devPrincipal(role);
      expect(principalFromClaims(claimsFromPrincipal(p))).toEqual(p);
    }
    const system = devPrincipal('partner', { scopes: [], purposeOfUse: 'HOPERAT' });
    delete system.patientId;
    expect(principalFromClaims(claimsFromPrincipal(system))).toEqual(system);
  });

  it('names the user in fhirUser', () => {
    expect(claimsFromPrincipal(devPrincipal('patient', { patientId: 'p1' })).fhirUser).toBe(
      'Patient/p1',
    );
    expect(claimsFromPrincipal(devPrincipal('clinician', { practitionerId: 'd1' })).fhirUser).toBe(
      'Practitioner/d1',
    );
  });
});
