import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SCOPES } from '../../platform/identity/dev-principal.js';
import { accessMatrix, outcome, type MatrixOperation } from '../support/access-matrix.js';
import { textPartnerClients } from '../support/clients.js';
import { demoOverrides, startTestStack, type TestStack } from '../support/stack.js';

/**
 * Who reads the clinical record, through the gateway, against
 * subgraphs/fhir-adapter/permissions.ts (the shield: role and SMART scope per
 * field) and access.ts (the kernel: compartment, break-the-glass, consent and
 * security labels per record): rows, an empty list or FORBIDDEN for every
 * kind of caller; a patient's deny consent and its break-the-glass override;
 * substance-use records (42 CFR Part 2) disclosed only under a consent that
 * names them; and an audit entry for every decision.
 */
let t: TestStack;
let P: string;
/** A Synthea Condition of the demo patient, with no security label. */
let conditionId: string;
/** An allergy the care-team clinician records for the demo patient. */
let allergyId: string;

/** Practitioners: on the care team (the demo's), off it, under break-the-glass, and two more added to the team. */
let TEAM: string;
let OUTSIDE: string;
const GLASS = randomUUID();
const SECOND = randomUUID();
const DENIED = randomUUID();

const FIELDS = ['conditions', 'allergies', 'encounters', 'medicationHistory'] as const;
type Field = (typeof FIELDS)[number];
const TYPES: Record<Field, string[]> = {
  conditions: ['Condition'],
  allergies: ['AllergyIntolerance'],
  encounters: ['Encounter'],
  medicationHistory: ['MedicationRequest', 'MedicationStatement'],
};
const PAGE = 100;
/** The read scopes of the four lists, in a SMART context. */
const clinicalScopes = (context: 'patient' | 'user') =>
  ['Condition', 'AllergyIntolerance', 'Encounter', 'MedicationRequest'].map(
    (type) => `${context}/${type}.rs`,
  );

type Actor =
  | 'patient'
  | 'otherPatient'
  | 'clinician'
  | 'outsideClinician'
  | 'glassClinician'
  | 'partner'
  | 'otherPartner'
  | 'pharmacist'
  | 'scheduler'
  | 'billing'
  | 'admin'
  | 'researcher'
  | 'auditor';
const ACTORS: Actor[] = [
  'patient',
  'otherPatient',
  'clinician',
  'outsideClinician',
  'glassClinician',
  'partner',
  'otherPartner',
  'pharmacist',
  'scheduler',
  'billing',
  'admin',
  'researcher',
  'auditor',
];
const tokens = new Map<Actor, string>();
const tokenOf = (a: Actor): string => tokens.get(a)!;
const subOf = (a: Actor) => `fhir-access-${a}`;

const clinician = (practitionerId: string, sub: string) =>
  t.token('clinician', { practitionerId, sub });

async function gqlOk<T>(token: string, query: string, variables: object): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  expect(r.errors).toBeUndefined();
  return r.data!;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const projected = (table: string, column: string, value: string) => async () =>
  (await t.sql(`SELECT 1 FROM fhir.${table} WHERE ${column} = $1`, [value])).length > 0;

async function joinCareTeam(admin: string, practitionerId: string): Promise<void> {
  const { addCareTeamMember } = await gqlOk<{ addCareTeamMember: { id: string } }>(
    admin,
    /* GraphQL */ `
      mutation ($p: ID!, $pr: ID!) {
        addCareTeamMember(patientId: $p, practitionerId: $pr, role: "consultant") {
          id
        }
      }
    `,
    { p: P, pr: practitionerId },
  );
  await waitFor(
    'the care-team link',
    projected('care_team_projection', 'id', addCareTeamMember.id),
  );
}

async function breakTheGlass(token: string): Promise<void> {
  const { breakTheGlass: grant } = await gqlOk<{ breakTheGlass: { id: string } }>(
    token,
    /* GraphQL */ `
      mutation ($p: ID!) {
        breakTheGlass(
          patientId: $p
          reason: "Unresponsive on arrival in the emergency department"
        ) {
          id
        }
      }
    `,
    { p: P },
  );
  await waitFor('the grant', projected('break_glass_projection', 'id', grant.id));
}

const listQuery = (field: Field) => /* GraphQL */ `
  query ($id: ID!) {
    patient(id: $id) {
      id
      ${field}(first: ${PAGE}) {
        edges {
          node {
            id
            securityLabels {
              code
            }
          }
        }
      }
    }
  }
`;

type Node = { id: string; securityLabels: { code: string }[] };

/** The ids of one list as `token` sees it, or the refusal as `CODE@path`. */
async function listOf(token: string | undefined, field: Field): Promise<string[] | string> {
  const r = await t.gql<{ patient: Record<Field, { edges: { node: Node }[] }> | null }>(
    token,
    listQuery(field),
    { id: P },
  );
  expect(r.status).toBeLessThan(500);
  if (r.errors?.length) {
    // A refused field is null on its own (the rest of the patient stands); a refused patient is null.
    expect(r.data?.patient?.[field] ?? null).toBeNull();
    const [e] = r.errors;
    return `${e!.extensions?.code}@${(e!.path ?? []).join('.')}`;
  }
  return r.data!.patient![field].edges.map((e) => e.node.id);
}

/** What the patient's own record holds (from the store: every version not entered in error). */
const stored = async (field: Field) =>
  (
    await t.sql<{ id: string }>(
      `SELECT id FROM fhir.resource WHERE patient_id = $1 AND type = ANY($2)
        AND status IS DISTINCT FROM 'entered-in-error'`,
      [P, TYPES[field]],
    )
  ).map((r) => r.id);

/** Everything of the demo patient a clinician would see (no ETH record), per list. */
const unlabelled = new Map<Field, string[]>();
const everything = new Map<Field, string[]>();

interface AuditRow {
  actor: { sub: string; practitionerId?: string };
  patientId?: string;
  resourceType: string;
  resourceId?: string;
  action: string;
  outcome: string;
  purpose: string;
  emergency?: boolean;
  reason?: string;
}
async function audited(sub: string, resourceType: string): Promise<AuditRow[]> {
  const rows = await t.sql<{ payload: string }>(
    `SELECT payload FROM audit.entry
      WHERE payload::jsonb -> 'actor' ->> 'sub' = $1 AND payload::jsonb ->> 'resourceType' = $2
      ORDER BY seq`,
    [sub, resourceType],
  );
  return rows.map((r) => JSON.parse(r.payload) as AuditRow);
}

beforeAll(async () => {
  // The partner app is a registered text client here (the demo registry runs it persisted-only).
  t = await startTestStack('fhir-access', {
    SEED_CLINICAL_RECORD: 'on',
    ...textPartnerClients(['partner-demo-app']),
  });
  P = t.demo.patientId;
  TEAM = t.demo.practitionerId;
  OUTSIDE = t.demo.otherPractitionerId;
  const admin = await t.token('admin', { sub: 'fhir-access-setup' });
  const patientScopes = [...DEV_SCOPES.patient.split(' '), ...clinicalScopes('patient')];
  const partnerScopes = ['patient/Patient.rs', ...clinicalScopes('patient')];
  const other = t.demo.otherPatientId;
  const made: [Actor, Promise<string>][] = [
    ['patient', t.token('patient', { patientId: P, sub: subOf('patient'), scopes: patientScopes })],
    [
      'otherPatient',
      t.token('patient', { patientId: other, sub: subOf('otherPatient'), scopes: patientScopes }),
    ],
    ['clinician', clinician(TEAM, subOf('clinician'))],
    ['outsideClinician', clinician(OUTSIDE, subOf('outsideClinician'))],
    ['glassClinician', clinician(GLASS, subOf('glassClinician'))],
    ['partner', t.token('partner', { patientId: P, sub: subOf('partner'), scopes: partnerScopes })],
    [
      'otherPartner',
      t.token('partner', { patientId: other, sub: subOf('otherPartner'), scopes: partnerScopes }),
    ],
    // A pharmacist's SMART launch grants the types it may read; the kernel narrows them by role.
    [
      'pharmacist',
      t.token('pharmacist', {
        sub: subOf('pharmacist'),
        scopes: [...DEV_SCOPES.pharmacist.split(' '), ...clinicalScopes('user')],
      }),
    ],
    ...(['scheduler', 'billing', 'admin', 'researcher', 'auditor'] as const).map(
      (r) => [r, t.token(r, { sub: subOf(r) })] as [Actor, Promise<string>],
    ),
  ];
  for (const [a, tok] of made) tokens.set(a, await tok);

  await breakTheGlass(tokenOf('glassClinician'));
  await joinCareTeam(admin, SECOND);
  await joinCareTeam(admin, DENIED);

  const { recordAllergy } = await gqlOk<{ recordAllergy: { id: string } }>(
    tokenOf('clinician'),
    /* GraphQL */ `
      mutation ($p: ID!, $i: RecordAllergyInput!) {
        recordAllergy(patientId: $p, input: $i) {
          id
        }
      }
    `,
    { p: P, i: { code: { code: '91936005' }, display: 'Penicillin allergy', type: 'allergy' } },
  );
  allergyId = recordAllergy.id;

  // What the record holds, as the patient (never withheld from themselves) sees it.
  for (const f of FIELDS) {
    const r = await t.gql<{ patient: Record<Field, { edges: { node: Node }[] }> }>(
      tokenOf('patient'),
      listQuery(f),
      { id: P },
    );
    expect(r.errors).toBeUndefined();
    const nodes = r.data!.patient[f].edges.map((e) => e.node);
    const all = await stored(f);
    expect(all.length).toBeGreaterThan(0);
    expect(nodes.length).toBe(Math.min(all.length, PAGE));
    everything.set(
      f,
      nodes.map((n) => n.id),
    );
    unlabelled.set(
      f,
      nodes.filter((n) => !n.securityLabels.some((l) => l.code === 'ETH')).map((n) => n.id),
    );
  }
  const conditions = unlabelled.get('conditions')!;
  conditionId = conditions[0]!;
}, 240_000);
afterAll(() => t?.stop());

describe('Patient clinical lists, per caller', () => {
  it('the demo patient’s Synthea record holds no substance-use (ETH) condition: clinicians see what the patient sees', () => {
    // Synthea's four ETH findings (3 unhealthy alcohol drinking, 1 drug misuse) belong to other patients.
    for (const f of FIELDS) expect(unlabelled.get(f)).toEqual(everything.get(f));
  });

  /** `all`: every record (the first page); `empty`: an empty list; otherwise the refusal, `CODE@path`. */
  const EXPECTED: Record<Actor, Record<Field, string>> = {
    patient: { conditions: 'all', allergies: 'all', encounters: 'all', medicationHistory: 'all' },
    // The patient subgraph refuses the Patient itself: the clinical fields are never asked.
    otherPatient: each('FORBIDDEN@patient'),
    clinician: each('all'),
    outsideClinician: each('FORBIDDEN@patient'),
    glassClinician: each('all'),
    partner: each('all'),
    otherPartner: each('FORBIDDEN@patient'),
    // Minimum necessary: what dispensing needs, the other lists empty (and audited).
    pharmacist: {
      conditions: 'empty',
      allergies: 'all',
      encounters: 'empty',
      medicationHistory: 'all',
    },
    // Others reach the adapter's Patient entity, and each clinical field is refused on its own.
    scheduler: refusedFields(),
    billing: refusedFields(),
    admin: refusedFields(),
    researcher: each('FORBIDDEN@patient'),
    auditor: each('FORBIDDEN@patient'),
  };
  function refusedFields(): Record<Field, string> {
    return {
      conditions: 'FORBIDDEN@patient.conditions',
      allergies: 'FORBIDDEN@patient.allergies',
      encounters: 'FORBIDDEN@patient.encounters',
      medicationHistory: 'FORBIDDEN@patient.medicationHistory',
    };
  }
  function each(v: string): Record<Field, string> {
    return { conditions: v, allergies: v, encounters: v, medicationHistory: v };
  }

  for (const actor of ACTORS)
    it(`as ${actor}: ${JSON.stringify(EXPECTED[actor])}`, async () => {
      const seen: Record<string, string> = {};
      for (const f of FIELDS) {
        const ids = await listOf(tokenOf(actor), f);
        seen[f] =
          typeof ids === 'string'
            ? ids
            : ids.length === 0
              ? 'empty'
              : JSON.stringify(ids) === JSON.stringify(everything.get(f))
                ? 'all'
                : `other:${ids.length}`;
      }
      expect(seen).toEqual(EXPECTED[actor]);
    });

  it('without a token: UNAUTHENTICATED, no data', async () => {
    for (const f of FIELDS) expect(await listOf(undefined, f)).toMatch(/^UNAUTHENTICATED@/);
  });

  it('without a SMART scope for the type the field is FORBIDDEN by the shield, the other fields unaffected', async () => {
    const patient = await t.token('patient', {
      ...demoOverrides(t).patient,
      scopes: ['patient/Patient.rs', 'patient/MedicationRequest.rs'],
    });
    expect(await listOf(patient, 'conditions')).toBe('FORBIDDEN@patient.conditions');
    expect(await listOf(patient, 'medicationHistory')).toEqual(everything.get('medicationHistory'));
    const pharmacist = await t.token('pharmacist', { scopes: ['user/Patient.rs'] });
    expect(await listOf(pharmacist, 'allergies')).toBe('FORBIDDEN@patient.allergies');
    // The demo roles' own scopes cover the clinical record they may read.
    expect(await listOf(await t.token('patient', demoOverrides(t).patient), 'conditions')).toEqual(
      everything.get('conditions'),
    );
    expect(await listOf(await t.token('pharmacist'), 'allergies')).toEqual(
      everything.get('allergies'),
    );
  });

  it('every list read is audited: permits for the care team, denials for the pharmacist’s conditions, emergency access under break-the-glass', async () => {
    const permits = (await audited(subOf('clinician'), 'Condition')).filter(
      (e) => e.action === 'search',
    );
    expect(permits.length).toBeGreaterThan(0);
    for (const e of permits) {
      expect(e).toMatchObject({ patientId: P, outcome: 'permit', purpose: 'TREAT' });
      expect(e.emergency).toBeUndefined();
    }

    const denials = (await audited(subOf('pharmacist'), 'Condition')).filter(
      (e) => e.action === 'search',
    );
    expect(denials.length).toBeGreaterThan(0);
    for (const e of denials)
      expect(e).toMatchObject({ patientId: P, outcome: 'deny', reason: 'denied:role' });
    expect(
      (await audited(subOf('pharmacist'), 'AllergyIntolerance')).filter(
        (e) => e.action === 'search',
      ),
    ).toEqual([expect.objectContaining({ outcome: 'permit' })]);

    const emergency = (await audited(subOf('glassClinician'), 'Encounter')).filter(
      (e) => e.action === 'search',
    );
    expect(emergency).toEqual([
      expect.objectContaining({
        patientId: P,
        outcome: 'permit',
        emergency: true,
        purpose: 'ETREAT',
        reason: 'break-glass',
      }),
    ]);
  });
});

const CLINICAL_RESOURCE = /* GraphQL */ `
  query ($id: ID!) {
    clinicalResource(id: $id) {
      id
      resourceType
      version
      fhir
    }
  }
`;
const readOne =
  (id: () => string) =>
  async (token: string): Promise<{ ok: boolean; code?: string }> => {
    const r = await t.gql<{ clinicalResource: { id: string } | null }>(token, CLINICAL_RESOURCE, {
      id: id(),
    });
    if (r.data?.clinicalResource) expect(r.data.clinicalResource.id).toBe(id());
    return outcome(r, r.data?.clinicalResource);
  };
const OPERATIONS: MatrixOperation<Actor>[] = [
  {
    name: 'clinicalResource(a Condition)',
    allowed: ['patient', 'clinician', 'glassClinician', 'partner'],
    run: readOne(() => conditionId),
  },
  {
    name: 'clinicalResource(an AllergyIntolerance)',
    allowed: ['patient', 'clinician', 'glassClinician', 'partner', 'pharmacist'],
    run: readOne(() => allergyId),
  },
  {
    name: 'clinicalResource(an id that exists nowhere)',
    allowed: [],
    run: readOne(() => '00000000-0000-4000-8000-000000000001'),
  },
];
accessMatrix('clinicalResource(id), per caller', ACTORS, OPERATIONS, tokenOf);

describe('clinicalResource(id) without a token', () => {
  it('is UNAUTHENTICATED', async () => {
    const r = await t.gql(undefined, CLINICAL_RESOURCE, { id: conditionId });
    expect(r.data?.clinicalResource ?? null).toBeNull();
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('a read is audited with its resource id, permit or deny', async () => {
    const read = (a: Actor) =>
      audited(subOf(a), 'Condition').then((rows) =>
        rows.filter((e) => e.action === 'read' && e.resourceId === conditionId),
      );
    expect(await read('clinician')).toEqual([
      expect.objectContaining({ patientId: P, outcome: 'permit' }),
    ]);
    expect(await read('pharmacist')).toEqual([
      expect.objectContaining({ patientId: P, outcome: 'deny' }),
    ]);
    expect(await read('outsideClinician')).toEqual([
      expect.objectContaining({ patientId: P, outcome: 'deny' }),
    ]);
  });
});

interface ConsentInput {
  scope: 'patient_privacy' | 'treatment';
  provisions: {
    type: 'permit' | 'deny';
    actors?: { kind: 'practitioner'; id: string }[];
    purposes?: string[];
    dataClasses?: string[];
    securityLabels?: string[];
  }[];
}
async function recordConsent(input: ConsentInput): Promise<string> {
  const { recordConsent: c } = await gqlOk<{ recordConsent: { id: string } }>(
    tokenOf('patient'),
    /* GraphQL */ `
      mutation ($p: ID!, $i: RecordConsentInput!) {
        recordConsent(patientId: $p, input: $i) {
          id
        }
      }
    `,
    { p: P, i: input },
  );
  return c.id;
}
async function revokeConsent(id: string): Promise<void> {
  await gqlOk(
    tokenOf('patient'),
    /* GraphQL */ `
      mutation ($c: ID!) {
        revokeConsent(consentId: $c) {
          id
        }
      }
    `,
    { c: id },
  );
}

describe('a patient’s consent', () => {
  it('a deny for a care-team clinician empties their clinical lists (the Patient itself stays readable); break-the-glass overrides it for reads, audited as emergency access naming the consent', async () => {
    const sub = 'fhir-access-denied';
    const token = await clinician(DENIED, sub);
    for (const f of FIELDS) expect(await listOf(token, f)).toEqual(everything.get(f));

    const consentId = await recordConsent({
      scope: 'patient_privacy',
      provisions: [
        {
          type: 'deny',
          actors: [{ kind: 'practitioner', id: DENIED }],
          dataClasses: ['Condition', 'AllergyIntolerance', 'Encounter', 'MedicationRequest'],
        },
      ],
    });
    await waitFor('the consent', projected('consent_projection', 'id', consentId));
    for (const f of FIELDS) expect(await listOf(token, f)).toEqual([]);
    expect(await readOne(() => conditionId)(token)).toEqual({ ok: false, code: 'FORBIDDEN' });
    const denied = (await audited(sub, 'Condition')).filter((e) => e.outcome === 'deny');
    // The audit names the deciding layer (the consent's id is not in the entry).
    expect(denied.map((e) => [e.action, e.reason])).toEqual([
      ['search', 'denied:consent'],
      ['read', 'denied:consent'],
    ]);

    await breakTheGlass(token);
    for (const f of FIELDS) expect(await listOf(token, f)).toEqual(everything.get(f));
    expect(await readOne(() => conditionId)(token)).toEqual({ ok: true, code: undefined });
    const emergency = (await audited(sub, 'Condition')).filter((e) => e.outcome === 'permit');
    expect(emergency.length).toBe(3);
    for (const e of emergency.slice(1))
      expect(e).toMatchObject({ emergency: true, purpose: 'ETREAT', reason: 'break-glass' });
    await revokeConsent(consentId);
  });
});

describe('substance-use records (42 CFR Part 2)', () => {
  let ethId: string;
  const conditionIds = async (token: string) => {
    const ids = await listOf(token, 'conditions');
    expect(Array.isArray(ids)).toBe(true);
    return ids as string[];
  };

  it('a care-team clinician records an opioid dependence without consent; it is labelled ETH', async () => {
    const { recordCondition } = await gqlOk<{
      recordCondition: { id: string; version: number; securityLabels: { code: string }[] };
    }>(
      tokenOf('clinician'),
      /* GraphQL */ `
        mutation ($p: ID!, $i: RecordConditionInput!) {
          recordCondition(patientId: $p, input: $i) {
            id
            version
            securityLabels {
              code
            }
          }
        }
      `,
      {
        p: P,
        i: {
          code: { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'F11.20' },
          display: 'Opioid dependence, uncomplicated',
          category: 'problemListItem',
        },
      },
    );
    ethId = recordCondition.id;
    expect(recordCondition.version).toBe(1);
    expect(recordCondition.securityLabels.map((l) => l.code)).toContain('ETH');
  });

  it('the clinician’s list leaves it out and clinicalResource is FORBIDDEN; the patient sees it; the withheld record is audited', async () => {
    const listed = await conditionIds(tokenOf('clinician'));
    expect(listed).not.toContain(ethId);
    expect(listed).toEqual(everything.get('conditions'));
    expect(await readOne(() => ethId)(tokenOf('clinician'))).toEqual({
      ok: false,
      code: 'FORBIDDEN',
    });
    expect(await conditionIds(tokenOf('patient'))).toContain(ethId);
    expect(await readOne(() => ethId)(tokenOf('patient'))).toEqual({ ok: true, code: undefined });

    const withheld = (await audited(subOf('clinician'), 'Condition')).filter(
      (e) => e.resourceId === ethId && e.action === 'read',
    );
    // One for the record left out of the list, one for clinicalResource.
    expect(withheld.length).toBe(2);
    for (const e of withheld)
      expect(e).toMatchObject({ outcome: 'deny', reason: 'denied:consent', patientId: P });
    // The clinician's own write of it was permitted and audited.
    expect(
      (await audited(subOf('clinician'), 'Condition')).filter((e) => e.resourceId === ethId)[0],
    ).toMatchObject({ action: 'create', outcome: 'permit' });
  });

  it('a consent permitting ETH to that practitioner for treatment discloses it to them only; revoking it hides it again', async () => {
    const consentId = await recordConsent({
      scope: 'treatment',
      provisions: [
        {
          type: 'permit',
          securityLabels: ['ETH'],
          actors: [{ kind: 'practitioner', id: TEAM }],
          purposes: ['TREAT'],
        },
      ],
    });
    await waitFor('the permit reaches the clinician', async () =>
      (await conditionIds(tokenOf('clinician'))).includes(ethId),
    );
    expect(await readOne(() => ethId)(tokenOf('clinician'))).toEqual({
      ok: true,
      code: undefined,
    });
    const second = await clinician(SECOND, 'fhir-access-second');
    const seen = await conditionIds(second);
    expect(seen).not.toContain(ethId);
    expect(seen.length).toBe(everything.get('conditions')!.length);
    expect(await readOne(() => ethId)(second)).toEqual({ ok: false, code: 'FORBIDDEN' });

    await revokeConsent(consentId);
    await waitFor(
      'the revocation reaches the clinician',
      async () => !(await conditionIds(tokenOf('clinician'))).includes(ethId),
    );
    expect(await readOne(() => ethId)(tokenOf('clinician'))).toEqual({
      ok: false,
      code: 'FORBIDDEN',
    });
  });
});
