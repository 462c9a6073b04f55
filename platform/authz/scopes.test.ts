import { describe, expect, it } from 'vitest';
import {
  grantedContexts,
  parseScope,
  parseScopes,
  scopeAllows,
  type Permission,
  type ScopeContext,
} from './scopes.js';

const ALL: ScopeContext[] = ['patient', 'user', 'system'];

describe('parseScope', () => {
  it.each([
    ['patient/Patient.r', 'patient', 'Patient', 'r'],
    ['patient/Observation.rs', 'patient', 'Observation', 'rs'],
    ['user/Appointment.cruds', 'user', 'Appointment', 'cruds'],
    ['user/Encounter.cud', 'user', 'Encounter', 'cud'],
    ['system/*.s', 'system', '*', 's'],
    ['system/Patient.cd', 'system', 'Patient', 'cd'],
    ['patient/*.rs', 'patient', '*', 'rs'],
    // v1
    ['patient/Observation.read', 'patient', 'Observation', 'rs'],
    ['user/Appointment.write', 'user', 'Appointment', 'cud'],
    ['user/*.*', 'user', '*', 'cruds'],
    ['system/Patient.*', 'system', 'Patient', 'cruds'],
    ['  patient/Patient.rs  ', 'patient', 'Patient', 'rs'],
  ])('%s → %s/%s.%s', (raw, context, resourceType, letters) => {
    const scope = parseScope(raw);
    expect(scope).not.toBeNull();
    expect(scope?.context).toBe(context);
    expect(scope?.resourceType).toBe(resourceType);
    expect([...(scope?.permissions ?? [])].sort()).toEqual([...letters].sort());
    expect(scope?.params).toEqual([]);
    expect(scope?.raw).toBe(raw.trim());
  });

  it('keeps v2 query parameters', () => {
    const scope = parseScope('patient/Observation.rs?category=laboratory&code=1234-5');
    expect(scope?.params).toEqual([
      ['category', 'laboratory'],
      ['code', '1234-5'],
    ]);
    expect(parseScope('patient/Observation.rs?category=http%3A%2F%2Fx%7Clab')?.params).toEqual([
      ['category', 'http://x|lab'],
    ]);
  });

  it.each([
    // non-resource scopes
    'openid',
    'fhirUser',
    'profile',
    'launch',
    'launch/patient',
    'launch/encounter',
    'offline_access',
    'online_access',
    // permission order and letters
    'patient/Patient.sr',
    'patient/Patient.rc',
    'user/Appointment.sdurc',
    'patient/Patient.rr',
    'patient/Patient.x',
    'patient/Patient.rx',
    'patient/Patient.R',
    'patient/Patient.',
    'patient/Patient',
    'patient/Patient.readwrite',
    'patient/Patient.constructor',
    'patient/Patient.toString',
    // contexts and types
    'Patient/Patient.rs',
    'practitioner/Patient.rs',
    'patient/patient.rs',
    'patient/Pat-ient.rs',
    'patient/**.rs',
    'patient/.rs',
    '/Patient.rs',
    'patient/Patient.rs extra',
    '',
    ' ',
    // parameters: malformed, or on v1 scopes
    'patient/Observation.rs?',
    'patient/Observation.rs?category',
    'patient/Observation.rs?=lab',
    'patient/Observation.read?category=laboratory',
    'patient/Observation.*?category=laboratory',
  ])('rejects %j', (raw) => {
    expect(parseScope(raw)).toBeNull();
  });

  it('parseScopes splits space-separated entries and drops non-resource scopes', () => {
    const scopes = parseScopes(['openid fhirUser patient/Patient.rs', 'user/*.cruds', 'junk.rs']);
    expect(scopes.map((s) => s.raw)).toEqual(['patient/Patient.rs', 'user/*.cruds']);
  });
});

describe('scopeAllows', () => {
  const allows = (raw: string[], resourceType: string, permission: Permission, contexts = ALL) =>
    scopeAllows(parseScopes(raw), { resourceType, permission, contexts });

  it.each<[string[], string, Permission, boolean]>([
    [['patient/Patient.r'], 'Patient', 'r', true],
    [['patient/Patient.r'], 'Patient', 'u', false],
    [['patient/Patient.r'], 'Patient', 's', false],
    [['patient/Patient.r'], 'Observation', 'r', false],
    [['patient/Patient.rs'], 'Patient', 's', true],
    [['user/Appointment.cruds'], 'Patient', 'r', false],
    [['user/Appointment.cruds'], 'Appointment', 'd', true],
    [['user/*.rs'], 'Patient', 'r', true],
    [['user/*.rs'], 'MedicationRequest', 's', true],
    [['user/*.rs'], 'Patient', 'c', false],
    [['system/*.*'], 'Claim', 'd', true],
    [['patient/Observation.read'], 'Observation', 's', true],
    [['patient/Observation.read'], 'Observation', 'u', false],
    [['user/Observation.write'], 'Observation', 'c', true],
    [['user/Observation.write'], 'Observation', 'r', false],
    [[], 'Patient', 'r', false],
    [['openid', 'fhirUser'], 'Patient', 'r', false],
    [['patient/Observation.rs?category=laboratory'], 'Observation', 'r', false],
    [
      ['patient/Observation.rs?category=laboratory', 'patient/Observation.r'],
      'Observation',
      'r',
      true,
    ],
  ])('%j grants %s.%s: %s', (raw, type, perm, expected) => {
    expect(allows(raw, type, perm)).toBe(expected);
  });

  it('a patient/ scope grants only when the patient context is acceptable', () => {
    expect(allows(['patient/Patient.rs'], 'Patient', 'r', ['user', 'system'])).toBe(false);
    expect(allows(['patient/Patient.rs'], 'Patient', 'r', ['patient'])).toBe(true);
    expect(allows(['user/Patient.rs'], 'Patient', 'r', ['patient'])).toBe(false);
    expect(allows(['user/Patient.rs', 'patient/*.rs'], 'Patient', 'r', ['user'])).toBe(true);
    expect(allows(['system/*.rs'], 'Patient', 'r', [])).toBe(false);
  });
});

describe('grantedContexts', () => {
  it('collects the contexts that grant the permission', () => {
    const scopes = parseScopes([
      'patient/Observation.rs',
      'user/*.r',
      'system/Patient.s',
      'system/Observation.rs?category=vital-signs',
    ]);
    expect(grantedContexts(scopes, 'Observation', 'r')).toEqual(new Set(['patient', 'user']));
    expect(grantedContexts(scopes, 'Observation', 's')).toEqual(new Set(['patient']));
    expect(grantedContexts(scopes, 'Patient', 's')).toEqual(new Set(['system']));
    expect(grantedContexts(scopes, 'Patient', 'c')).toEqual(new Set());
  });
});

describe('parseScopes, once per principal', () => {
  it('parses a scope list once and hands every caller the same frozen result', () => {
    const raw = ['patient/Observation.rs user/Patient.r'];
    const first = parseScopes(raw);
    expect(parseScopes(raw)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first.map((s) => s.resourceType)).toEqual(['Observation', 'Patient']);
    // Another list (another request's principal) is parsed on its own.
    expect(parseScopes([...raw])).not.toBe(first);
  });
});
