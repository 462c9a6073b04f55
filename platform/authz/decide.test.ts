import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/principal.js';
import type { BreakGlassGrant } from './break-glass.js';
import type { ConsentRecord, Provision } from './consent.js';
import {
  decidePatientAccess,
  type PatientAccessDecision,
  type PatientAccessInput,
} from './decide.js';

const NOW = new Date('2025-06-15T12:00:00Z');
const min = (n: number) => new Date(NOW.getTime() + n * 60_000);

const who = (p: Partial<Principal> & Pick<Principal, 'roles' | 'scopes'>): Principal => ({
  sub: 'u-1',
  clientId: 'ehr-app',
  purposeOfUse: 'TREAT',
  ...p,
});

const patient = who({
  roles: ['patient'],
  scopes: ['openid patient/*.rs'],
  patientId: 'p1',
  purposeOfUse: 'PATRQT',
  clientId: 'portal',
});
const patientOddScope = who({ ...patient, scopes: ['user/*.rs'] });
const partnerForP1 = who({
  roles: ['partner'],
  scopes: ['patient/Observation.rs'],
  patientId: 'p1',
  clientId: 'partner-app',
  purposeOfUse: 'PATRQT',
});
const partnerUserScope = who({ ...partnerForP1, scopes: ['user/Observation.rs'] });
const systemPartner = who({
  roles: ['partner'],
  scopes: ['system/*.rs'],
  clientId: 'sys-app',
  purposeOfUse: 'HOPERAT',
});
const clinician = who({
  roles: ['clinician'],
  scopes: ['user/*.cruds'],
  practitionerId: 'pr-a',
  organizationId: 'org-1',
});
const launchedClinician = who({ ...clinician, scopes: ['patient/*.rs'], patientId: 'p1' });
const clinicianPatient = who({
  ...clinician,
  roles: ['clinician', 'patient'],
  patientId: 'p1',
  scopes: ['patient/*.rs'],
});
const scheduler = who({
  roles: ['scheduler'],
  scopes: ['user/Appointment.cruds user/Patient.rs'],
  organizationId: 'org-2',
  purposeOfUse: 'HOPERAT',
});
const billing = who({
  roles: ['billing'],
  scopes: ['user/Claim.cruds', 'user/Patient.r'],
  organizationId: 'org-1',
  purposeOfUse: 'HPAYMT',
});
const pharmacist = who({ roles: ['pharmacist'], scopes: ['user/MedicationRequest.rs'] });
const admin = who({ roles: ['admin'], scopes: ['user/*.rs'], purposeOfUse: 'HSYSADMIN' });
const researcher = who({
  roles: ['researcher'],
  scopes: ['user/*.rs'],
  practitionerId: 'pr-a',
  purposeOfUse: 'HRESCH',
});
const auditor = who({ roles: ['auditor'], scopes: ['user/*.rs'], purposeOfUse: 'HACCRED' });

const grant = (over: Partial<BreakGlassGrant> = {}): BreakGlassGrant => ({
  id: 'g1',
  patientId: 'p1',
  practitionerId: 'pr-a',
  reason: 'unconscious in ED',
  grantedAt: min(-10),
  expiresAt: min(50),
  ...over,
});
const expired = grant({ grantedAt: min(-120), expiresAt: min(-60) });

const consent = (id: string, provisions: Provision[], patientId = 'p1'): ConsentRecord => ({
  id,
  patientId,
  status: 'active',
  scope: 'patient-privacy',
  provisions,
});
const denyPr = consent('c-pr', [{ type: 'deny', actors: [{ kind: 'practitioner', id: 'pr-a' }] }]);
const denyOrg = consent('c-org', [
  { type: 'deny', actors: [{ kind: 'organization', id: 'org-1' }] },
]);
const denyApp = consent('c-app', [
  { type: 'deny', actors: [{ kind: 'client', id: 'partner-app' }] },
]);
const denyBilling = consent('c-bill', [
  { type: 'deny', actors: [{ kind: 'role', id: 'billing' }] },
]);
const denyAll = consent('c-all', [{ type: 'deny' }]);
const permitTreat = consent('c-ok', [{ type: 'permit', purposes: ['TREAT'] }]);

const named = (consentId?: string) => (consentId === undefined ? {} : { consentId });

type Case = [string, Principal, Partial<PatientAccessInput>, Partial<PatientAccessDecision>];

const ok = (purpose: PatientAccessDecision['purpose'], consentId?: string) => ({
  allowed: true,
  emergency: false,
  reason: 'ok' as const,
  purpose,
  ...named(consentId),
});
const denied = (reason: PatientAccessDecision['reason'], consentId?: string) => ({
  allowed: false,
  emergency: false,
  reason,
  ...named(consentId),
});
const glass = (consentId?: string) => ({
  allowed: true,
  emergency: true,
  reason: 'break-glass' as const,
  purpose: 'ETREAT' as const,
  ...named(consentId),
});

const cases: Case[] = [
  // role and scope
  ['role policy refuses', clinician, { careTeam: true, roleAllows: false }, denied('role')],
  ['scheduler lacks a scope for Observation', scheduler, {}, denied('scope')],
  [
    'billing has read but not search on Patient',
    billing,
    { dataClass: 'Patient', permission: 's' },
    denied('scope'),
  ],
  ['patient cannot update with read scopes', patient, { permission: 'u' }, denied('scope')],
  // patients and partner apps
  ['patient reads own record', patient, {}, ok('PATRQT')],
  ['patient/ scopes do not reach another patient', patient, { patientId: 'p2' }, denied('scope')],
  [
    'a patient with user scopes still reaches only self',
    patientOddScope,
    { patientId: 'p2' },
    denied('compartment'),
  ],
  ['own consent never blocks a patient', patient, { consents: [denyAll, denyApp] }, ok('PATRQT')],
  [
    'clinician who is the patient reads own record despite deny',
    clinicianPatient,
    { consents: [denyPr] },
    ok('TREAT'),
  ],
  ['partner app in patient context', partnerForP1, {}, ok('PATRQT')],
  ['partner app outside its patient', partnerForP1, { patientId: 'p2' }, denied('scope')],
  [
    'partner app with user scope outside its patient',
    partnerUserScope,
    { patientId: 'p2' },
    denied('compartment'),
  ],
  [
    'partner app its patient has refused',
    partnerForP1,
    { consents: [denyApp] },
    denied('consent', 'c-app'),
  ],
  ['system partner reaches any patient', systemPartner, { patientId: 'p9' }, ok('HOPERAT')],
  [
    'system partner cannot write with read scopes',
    systemPartner,
    { permission: 'c' },
    denied('scope'),
  ],
  // clinicians
  ['clinician on the care team', clinician, { careTeam: true }, ok('TREAT')],
  [
    'clinician on the care team may write',
    clinician,
    { careTeam: true, permission: 'c' },
    ok('TREAT'),
  ],
  ['clinician off the care team', clinician, {}, denied('compartment')],
  [
    'clinician placed by a subgraph’s named compartment fact',
    clinician,
    { compartmentFacts: ['appointment-clinician'] },
    ok('TREAT'),
  ],
  [
    'a named fact places only clinicians, never a role that reaches no record',
    who({ roles: ['researcher'], scopes: ['user/*.rs'] }),
    { compartmentFacts: ['appointment-clinician'] },
    denied('compartment'),
  ],
  [
    'EHR-launched clinician outside the launch patient',
    launchedClinician,
    { careTeam: true, patientId: 'p2' },
    denied('scope'),
  ],
  ['break-the-glass off the care team', clinician, { grant: grant() }, glass()],
  ['expired grant', clinician, { grant: expired }, denied('compartment')],
  [
    'a grant never opens a write by default',
    clinician,
    { grant: grant(), permission: 'c' },
    denied('compartment'),
  ],
  [
    'a grant opens creating where the policy says so (an emergency prescription)',
    clinician,
    { grant: grant(), permission: 'c', emergencyCreates: true },
    glass(),
  ],
  [
    'emergencyCreates opens no update',
    clinician,
    { grant: grant(), permission: 'u', emergencyCreates: true },
    denied('compartment'),
  ],
  [
    'grant not yet started',
    clinician,
    { grant: grant({ grantedAt: min(5) }) },
    denied('compartment'),
  ],
  [
    'grant for another patient',
    clinician,
    { grant: grant({ patientId: 'p2' }) },
    denied('compartment'),
  ],
  [
    'grant of another practitioner',
    clinician,
    { grant: grant({ practitionerId: 'pr-b' }) },
    denied('compartment'),
  ],
  [
    'care team with a grant but no deny is ordinary',
    clinician,
    { careTeam: true, grant: grant() },
    ok('TREAT'),
  ],
  // consent and break-the-glass
  [
    'consent denies the practitioner',
    clinician,
    { careTeam: true, consents: [denyPr] },
    denied('consent', 'c-pr'),
  ],
  [
    'consent denies the organisation',
    clinician,
    { careTeam: true, consents: [denyOrg] },
    denied('consent', 'c-org'),
  ],
  [
    'grant overrides a consent deny',
    clinician,
    { careTeam: true, consents: [denyPr], grant: grant() },
    glass('c-pr'),
  ],
  [
    'grant off the care team overrides a deny',
    clinician,
    { consents: [denyAll], grant: grant() },
    glass('c-all'),
  ],
  [
    'expired grant does not override',
    clinician,
    { careTeam: true, consents: [denyPr], grant: expired },
    denied('consent', 'c-pr'),
  ],
  [
    'a consent of another patient is ignored',
    clinician,
    { careTeam: true, consents: [consent('c-p2', [{ type: 'deny' }], 'p2')] },
    ok('TREAT'),
  ],
  [
    'a matching permit is named',
    clinician,
    { careTeam: true, consents: [permitTreat] },
    ok('TREAT', 'c-ok'),
  ],
  // other staff
  [
    'scheduler is not compartment-bound',
    scheduler,
    { dataClass: 'Appointment', permission: 'c' },
    ok('HOPERAT'),
  ],
  [
    'deny for organisation org-1 does not touch org-2 staff',
    scheduler,
    { dataClass: 'Appointment', consents: [denyOrg] },
    ok('HOPERAT'),
  ],
  ['billing reads claims', billing, { dataClass: 'Claim' }, ok('HPAYMT')],
  [
    'consent denies billing by role',
    billing,
    { dataClass: 'Claim', consents: [denyBilling] },
    denied('consent', 'c-bill'),
  ],
  [
    'billing holding a grant cannot override',
    billing,
    { dataClass: 'Claim', consents: [denyBilling], grant: grant() },
    denied('consent', 'c-bill'),
  ],
  ['pharmacist reads prescriptions', pharmacist, { dataClass: 'MedicationRequest' }, ok('TREAT')],
  ['admin reads', admin, {}, ok('HSYSADMIN')],
  ['researcher reaches no record', researcher, {}, denied('compartment')],
  ['researcher cannot use a grant', researcher, { grant: grant() }, denied('compartment')],
  ['auditor reaches no record', auditor, {}, denied('compartment')],
];

describe('decidePatientAccess', () => {
  it.each(cases)('%s', (_name, principal, over, expected) => {
    const decision = decidePatientAccess({
      principal,
      patientId: 'p1',
      dataClass: 'Observation',
      permission: 'r',
      careTeam: false,
      consents: [],
      now: NOW,
      roleAllows: true,
      ...over,
    });
    expect(decision).toMatchObject(expected);
    if (expected.consentId === undefined) expect(decision).not.toHaveProperty('consentId');
  });
});

describe('decidePatientAccess: a patient the subgraph does not know (#11)', () => {
  const base = {
    patientId: 'p1',
    dataClass: 'Appointment',
    careTeam: false,
    consents: [],
    now: NOW,
    roleAllows: true,
    patientKnown: false,
  } as const;

  it('#11 refuses a write an allowed caller would make, as unknown-patient', () => {
    expect(decidePatientAccess({ ...base, principal: scheduler, permission: 'c' })).toMatchObject({
      allowed: false,
      reason: 'unknown-patient',
    });
  });

  it('#11 a caller refused anyway gets that refusal, whether the patient exists or not', () => {
    const unknown = decidePatientAccess({ ...base, principal: clinician, permission: 'c' });
    const known = decidePatientAccess({
      ...base,
      principal: clinician,
      permission: 'c',
      patientKnown: true,
    });
    expect(unknown).toEqual(known);
    expect(unknown).toMatchObject({ allowed: false, reason: 'compartment' });
  });

  it('#11 reads are not decided by existence', () => {
    expect(decidePatientAccess({ ...base, principal: scheduler, permission: 'r' })).toMatchObject({
      allowed: true,
    });
  });
});
