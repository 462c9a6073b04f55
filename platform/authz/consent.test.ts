import { describe, expect, it } from 'vitest';
import type { PurposeOfUse } from '../identity/principal.js';
import {
  consentRecordOf,
  evaluateConsent,
  isResearchOptOut,
  periodCovers,
  type AccessRequest,
  type ConsentActor,
  type ConsentRecord,
  type Provision,
} from './consent.js';

const AT = new Date('2025-06-15T12:00:00Z');
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

const drA: ConsentActor = {
  practitionerId: 'pr-a',
  organizationId: 'org-1',
  clientId: 'ehr-app',
  roles: ['clinician'],
  sub: 'u-a',
};
const drB: ConsentActor = { ...drA, practitionerId: 'pr-b', sub: 'u-b' };
const drOtherOrg: ConsentActor = { ...drA, practitionerId: 'pr-c', organizationId: 'org-2' };
const viaPartnerApp: ConsentActor = { ...drA, clientId: 'partner-app' };
const biller: ConsentActor = {
  organizationId: 'org-1',
  clientId: 'ehr-app',
  roles: ['billing'],
  sub: 'u-d',
};

function consent(provisions: Provision[], extra: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    id: 'c1',
    patientId: 'p1',
    status: 'active',
    scope: 'patient-privacy',
    provisions,
    ...extra,
  };
}

function req(
  actor: ConsentActor,
  purpose: PurposeOfUse = 'TREAT',
  dataClass = 'Observation',
  at = AT,
): AccessRequest {
  return { actor, purpose, dataClass, at };
}

const decide = (c: ConsentRecord[], r: AccessRequest) => evaluateConsent(c, r).decision;

describe('evaluateConsent: deny by actor blocks only the matching actor', () => {
  const byPractitioner = consent([
    { type: 'deny', actors: [{ kind: 'practitioner', id: 'pr-a' }] },
  ]);
  const byOrganisation = consent([
    { type: 'deny', actors: [{ kind: 'organization', id: 'org-2' }] },
  ]);
  const byClient = consent([{ type: 'deny', actors: [{ kind: 'client', id: 'partner-app' }] }]);
  const byRole = consent([{ type: 'deny', actors: [{ kind: 'role', id: 'billing' }] }]);

  it.each<[string, ConsentRecord, ConsentActor, 'permit' | 'deny']>([
    ['practitioner: named', byPractitioner, drA, 'deny'],
    ['practitioner: colleague', byPractitioner, drB, 'permit'],
    ['practitioner: id absent on actor', byPractitioner, biller, 'permit'],
    ['organisation: member', byOrganisation, drOtherOrg, 'deny'],
    ['organisation: other organisation', byOrganisation, drA, 'permit'],
    ['client: through that app', byClient, viaPartnerApp, 'deny'],
    ['client: same person, other app', byClient, drA, 'permit'],
    ['role: holder', byRole, biller, 'deny'],
    ['role: non-holder', byRole, drA, 'permit'],
  ])('%s → %s', (_name, c, actor, expected) => {
    expect(decide([c], req(actor))).toBe(expected);
  });

  it('a provision listing several actors matches any one of them', () => {
    const c = consent([
      {
        type: 'deny',
        actors: [
          { kind: 'practitioner', id: 'pr-x' },
          { kind: 'client', id: 'partner-app' },
        ],
      },
    ]);
    expect(decide([c], req(viaPartnerApp))).toBe('deny');
    expect(decide([c], req(drA))).toBe('permit');
  });

  it('names the consent and gives a reason without PHI', () => {
    expect(evaluateConsent([byPractitioner], req(drA))).toEqual({
      decision: 'deny',
      consentId: 'c1',
      reason: 'A consent denies this access',
    });
  });
});

describe('evaluateConsent: dimensions', () => {
  it.each<[string, Provision, AccessRequest, 'permit' | 'deny']>([
    ['no dimensions denies everything', { type: 'deny' }, req(drA), 'deny'],
    [
      'empty lists mean any',
      { type: 'deny', actors: [], purposes: [], dataClasses: [] },
      req(drA),
      'deny',
    ],
    ['purpose matches', { type: 'deny', purposes: ['HPAYMT'] }, req(biller, 'HPAYMT'), 'deny'],
    ['purpose differs', { type: 'deny', purposes: ['HPAYMT'] }, req(drA, 'TREAT'), 'permit'],
    ['TREAT rule covers ETREAT', { type: 'deny', purposes: ['TREAT'] }, req(drA, 'ETREAT'), 'deny'],
    [
      'ETREAT rule does not cover TREAT',
      { type: 'deny', purposes: ['ETREAT'] },
      req(drA, 'TREAT'),
      'permit',
    ],
    ['data class matches', { type: 'deny', dataClasses: ['Observation'] }, req(drA), 'deny'],
    ['data class differs', { type: 'deny', dataClasses: ['Condition'] }, req(drA), 'permit'],
    [
      'data class wildcard',
      { type: 'deny', dataClasses: ['*'] },
      req(drA, 'TREAT', 'Condition'),
      'deny',
    ],
    [
      'every listed dimension must match',
      { type: 'deny', actors: [{ kind: 'practitioner', id: 'pr-a' }], dataClasses: ['Condition'] },
      req(drA),
      'permit',
    ],
  ])('%s', (_name, provision, r, expected) => {
    expect(decide([consent([provision])], r)).toBe(expected);
  });
});

describe('evaluateConsent: status and periods', () => {
  const deny: Provision = { type: 'deny', actors: [{ kind: 'practitioner', id: 'pr-a' }] };

  it.each<[ConsentRecord['status'], 'permit' | 'deny']>([
    ['active', 'deny'],
    ['inactive', 'permit'],
    ['rejected', 'permit'],
    ['entered-in-error', 'permit'],
  ])('a %s consent → %s', (status, expected) => {
    expect(decide([consent([deny], { status })], req(drA))).toBe(expected);
  });

  it.each<[string, { start?: Date; end?: Date }, 'permit' | 'deny']>([
    ['open period', {}, 'deny'],
    ['started before', { start: day('2025-01-01') }, 'deny'],
    ['starts after', { start: day('2025-07-01') }, 'permit'],
    ['ended before', { end: day('2025-06-01') }, 'permit'],
    ['ends after', { end: day('2025-12-31') }, 'deny'],
    ['starts exactly now (inclusive)', { start: AT }, 'deny'],
    ['ends exactly now (inclusive)', { end: AT }, 'deny'],
    ['ended a millisecond ago', { end: new Date(AT.getTime() - 1) }, 'permit'],
  ])('consent period: %s → %s', (_name, period, expected) => {
    expect(decide([consent([deny], { period })], req(drA))).toBe(expected);
  });

  it('a provision period bounds that provision alone', () => {
    const c = consent([{ ...deny, period: { start: day('2025-01-01'), end: day('2025-03-01') } }]);
    expect(decide([c], req(drA, 'TREAT', 'Observation', day('2025-02-01')))).toBe('deny');
    expect(decide([c], req(drA))).toBe('permit');
  });

  it('periodCovers treats both bounds as inclusive and undefined as all time', () => {
    expect(periodCovers(undefined, AT)).toBe(true);
    expect(periodCovers({ start: AT, end: AT }, AT)).toBe(true);
  });
});

describe('evaluateConsent: combining', () => {
  it('with no consents the opt-out default permits without naming a consent', () => {
    const d = evaluateConsent([], req(drA));
    expect(d.decision).toBe('permit');
    expect(d.consentId).toBeUndefined();
  });

  it('deny overrides permit, within one consent and across consents, in any order', () => {
    const permit: Provision = { type: 'permit', actors: [{ kind: 'practitioner', id: 'pr-a' }] };
    const deny: Provision = { type: 'deny', actors: [{ kind: 'organization', id: 'org-1' }] };
    expect(decide([consent([permit, deny])], req(drA))).toBe('deny');
    expect(decide([consent([deny, permit])], req(drA))).toBe('deny');
    const both = [consent([permit], { id: 'c-permit' }), consent([deny], { id: 'c-deny' })];
    expect(evaluateConsent(both, req(drA))).toMatchObject({
      decision: 'deny',
      consentId: 'c-deny',
    });
    expect(evaluateConsent([...both].reverse(), req(drA)).consentId).toBe('c-deny');
  });

  it('a matching permit names its consent', () => {
    const c = consent([{ type: 'permit', purposes: ['TREAT'] }], { id: 'c-ok' });
    expect(evaluateConsent([c], req(drA))).toMatchObject({ decision: 'permit', consentId: 'c-ok' });
  });

  it('a revoked deny no longer blocks while an active one still does', () => {
    const deny: Provision = { type: 'deny', actors: [{ kind: 'practitioner', id: 'pr-a' }] };
    expect(decide([consent([deny], { status: 'inactive' })], req(drA))).toBe('permit');
    expect(
      decide([consent([deny], { status: 'inactive' }), consent([deny], { id: 'c2' })], req(drA)),
    ).toBe('deny');
  });
});

describe('isResearchOptOut', () => {
  const optOut = (extra: Partial<ConsentRecord> = {}, p: Partial<Provision> = {}) =>
    consent([{ type: 'deny', purposes: ['HRESCH'], ...p }], { scope: 'research', ...extra });

  it.each<[string, ConsentRecord[], boolean]>([
    ['no consents', [], false],
    ['research deny HRESCH', [optOut()], true],
    ['research deny with no purposes (all purposes)', [optOut({}, { purposes: undefined })], true],
    [
      'limited to some data or actors still opts the patient out',
      [optOut({}, { dataClasses: ['Condition'], actors: [{ kind: 'role', id: 'researcher' }] })],
      true,
    ],
    ['research deny for another purpose', [optOut({}, { purposes: ['HPAYMT'] })], false],
    [
      'research permit HRESCH',
      [consent([{ type: 'permit', purposes: ['HRESCH'] }], { scope: 'research' })],
      false,
    ],
    ['privacy-scoped deny HRESCH', [optOut({ scope: 'patient-privacy' })], false],
    ['withdrawn opt-out', [optOut({ status: 'inactive' })], false],
    ['opt-out not yet in force', [optOut({ period: { start: day('2026-01-01') } })], false],
    ['opt-out expired', [optOut({ period: { end: day('2025-01-01') } })], false],
    ['provision expired', [optOut({}, { period: { end: day('2025-01-01') } })], false],
  ])('%s → %s', (_name, consents, expected) => {
    expect(isResearchOptOut(consents, AT)).toBe(expected);
  });
});

describe('consentRecordOf: stored consents as the policy core reads them', () => {
  it('reads a list a client sent as null like an absent one ("any"), never crashing the evaluation', () => {
    const stored = consentRecordOf({
      id: 'c-null',
      patientId: 'p1',
      status: 'active',
      scope: 'patient-privacy',
      provisions: [
        {
          type: 'deny',
          actors: [{ kind: 'practitioner', id: 'dr-null' }],
          purposes: null,
          dataClasses: null,
          period: { start: null, end: null },
        },
      ],
      periodStart: null,
      periodEnd: null,
    });
    const ask = (practitionerId: string) =>
      evaluateConsent([stored], {
        actor: { practitionerId, clientId: 'ehr', roles: ['clinician'], sub: 'u' },
        purpose: 'TREAT',
        dataClass: 'Observation',
        at: new Date('2026-01-01T00:00:00Z'),
      }).decision;
    expect(ask('dr-null')).toBe('deny');
    expect(ask('dr-other')).toBe('permit');
  });
});

describe('evaluateConsent: security labels segment sensitive records', () => {
  const labelled = (labels: string[]): AccessRequest => ({ ...req(drA), labels });

  it('a deny naming a label hides only records carrying it', () => {
    const c = [consent([{ type: 'deny', securityLabels: ['PSY'] }])];
    expect(decide(c, labelled(['PSY']))).toBe('deny');
    expect(decide(c, labelled(['HIV']))).toBe('permit');
    expect(decide(c, req(drA))).toBe('permit');
  });

  it('a deny without labels covers labelled records too', () => {
    expect(decide([consent([{ type: 'deny' }])], labelled(['HIV']))).toBe('deny');
  });

  it('substance-use (ETH) records are denied with no consent, and with a permit that does not name ETH', () => {
    expect(evaluateConsent([], labelled(['ETH']))).toEqual({
      decision: 'deny',
      reason: "This record is disclosed only with the patient's consent",
    });
    expect(decide([consent([{ type: 'permit' }])], labelled(['ETH']))).toBe('deny');
    expect(
      decide([consent([{ type: 'permit', securityLabels: ['PSY'] }])], labelled(['ETH', 'PSY'])),
    ).toBe('deny');
  });

  it('a permit naming ETH discloses them, to the actors and purposes it names only', () => {
    const c = [
      consent([
        {
          type: 'permit',
          securityLabels: ['ETH'],
          actors: [{ kind: 'practitioner', id: 'pr-a' }],
          purposes: ['TREAT'],
        },
      ]),
    ];
    expect(evaluateConsent(c, labelled(['ETH']))).toMatchObject({
      decision: 'permit',
      consentId: 'c1',
    });
    expect(decide(c, { ...labelled(['ETH']), actor: drB })).toBe('deny');
    expect(decide(c, { ...labelled(['ETH']), purpose: 'HPAYMT' })).toBe('deny');
  });

  it('a revoked ETH permit no longer discloses; a deny still beats it', () => {
    const permit = consent([{ type: 'permit', securityLabels: ['ETH'] }]);
    expect(decide([{ ...permit, status: 'inactive' }], labelled(['ETH']))).toBe('deny');
    expect(
      decide(
        [
          permit,
          consent([{ type: 'deny', actors: [{ kind: 'practitioner', id: 'pr-a' }] }], { id: 'c2' }),
        ],
        labelled(['ETH']),
      ),
    ).toBe('deny');
  });

  it('stored labels survive consentRecordOf', () => {
    const r = consentRecordOf({
      id: 'c1',
      patientId: 'p1',
      status: 'active',
      scope: 'patient-privacy',
      provisions: [{ type: 'permit', securityLabels: ['ETH'], actors: null }],
    });
    expect(r.provisions[0]!.securityLabels).toEqual(['ETH']);
  });
});

describe('evaluateConsent: opt-in labels restrict disclosure, not recording', () => {
  it('recording an ETH record needs no consent; reading it does', () => {
    const write: AccessRequest = { ...req(drA), labels: ['ETH'], disclosure: false };
    expect(decide([], write)).toBe('permit');
    expect(decide([], { ...write, disclosure: true })).toBe('deny');
  });
});
