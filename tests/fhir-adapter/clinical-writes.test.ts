import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyContext } from '../../subgraphs/fhir-adapter/store/resource-cipher.js';
import { validateResource } from '../../subgraphs/fhir-adapter/validation/fhir-schema.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * A clinician's writes to the clinical record, through the gateway:
 * allergies, conditions and vital signs stored as valid FHIR R4 and read
 * back typed; optimistic versioning and entered-in-error without deletion;
 * refusals (off the care team, wrong role, bad input, unknown patient) that
 * write nothing; one `clinical.changed` event per resource, with codes and
 * labels but never a note; and the list filters and paging.
 */
let t: TestStack;
let P: string;
let clinician: string;
/** A fresh patient on the demo clinician's care team, for the filter and paging tests. */
let Q: string;

const SNOMED = 'http://snomed.info/sct';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const CANARY = 'CANARY-NOTE-123';

interface Coding {
  system: string | null;
  code: string | null;
  display: string | null;
}
interface Quantity {
  value: number;
  unit: string;
  system: string;
  code: string;
}
interface Clinical {
  id: string;
  resourceType: string;
  version: number;
  status: string | null;
  securityLabels: Coding[];
  fhir: Record<string, unknown> & { id: string; meta: { versionId: string } };
  code?: { text: string | null; codings: Coding[] };
  categories?: { codings: Coding[] }[];
  allergyCategories?: string[];
  criticality?: string;
  notes?: string[];
  reactions?: { manifestations: { codings: Coding[] }[]; severity: string }[];
  onset?: string | null;
  clinicalStatus?: string | null;
  verificationStatus?: string | null;
  value?: { quantity: Quantity | null } | null;
  components?: { code: { codings: Coding[] }; value: { quantity: Quantity } }[];
}

const FIELDS = /* GraphQL */ `
  fragment F on ClinicalResource {
    id
    resourceType
    version
    status
    securityLabels {
      system
      code
    }
    fhir
    ... on AllergyIntolerance {
      clinicalStatus
      verificationStatus
      criticality
      allergyCategories: categories
      notes
      code {
        text
        codings {
          system
          code
          display
        }
      }
      reactions {
        severity
        manifestations {
          codings {
            system
            code
          }
        }
      }
    }
    ... on Condition {
      clinicalStatus
      verificationStatus
      onset
      notes
      code {
        text
        codings {
          system
          code
          display
        }
      }
      categories {
        codings {
          system
          code
        }
      }
    }
    ... on Observation {
      code {
        codings {
          system
          code
        }
      }
      value {
        quantity {
          value
          unit
          system
          code
        }
      }
      components {
        code {
          codings {
            system
            code
          }
        }
        value {
          quantity {
            value
            unit
            system
            code
          }
        }
      }
    }
  }
`;
const RECORD_ALLERGY = /* GraphQL */ `
  mutation ($p: ID!, $i: RecordAllergyInput!) {
    recordAllergy(patientId: $p, input: $i) {
      ...F
    }
  }
  ${FIELDS}
`;
const RECORD_CONDITION = /* GraphQL */ `
  mutation ($p: ID!, $i: RecordConditionInput!) {
    recordCondition(patientId: $p, input: $i) {
      ...F
    }
  }
  ${FIELDS}
`;
const UPDATE_CONDITION = /* GraphQL */ `
  mutation ($id: ID!, $v: Int!, $i: RecordConditionInput!) {
    updateCondition(id: $id, expectedVersion: $v, input: $i) {
      ...F
    }
  }
  ${FIELDS}
`;
const RECORD_VITALS = /* GraphQL */ `
  mutation ($p: ID!, $i: RecordVitalSignsInput!) {
    recordVitalSigns(patientId: $p, input: $i) {
      ...F
    }
  }
  ${FIELDS}
`;
const MARK_ERROR = /* GraphQL */ `
  mutation ($id: ID!, $v: Int!) {
    markEnteredInError(id: $id, expectedVersion: $v) {
      ...F
    }
  }
  ${FIELDS}
`;
const READ = /* GraphQL */ `
  query ($id: ID!) {
    clinicalResource(id: $id) {
      ...F
    }
  }
  ${FIELDS}
`;
const HISTORY = /* GraphQL */ `
  query ($id: ID!) {
    clinicalHistory(id: $id) {
      id
      version
      status
      fhir
    }
  }
`;
const CONDITIONS = /* GraphQL */ `
  query ($id: ID!, $filter: ClinicalFilter, $first: Int, $after: String) {
    patient(id: $id) {
      conditions(filter: $filter, first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            status
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

async function ok<T>(token: string, query: string, variables: object): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  expect(r.errors).toBeUndefined();
  return r.data!;
}

const codes = (r: GqlResponse<unknown>) => r.errors?.map((e) => e.extensions?.code) ?? [];

/** Rows of the clinical store and its events, to show a refused write wrote nothing. */
async function counts(): Promise<Record<string, number>> {
  const [row] = await t.sql<Record<string, string>>(
    `SELECT (SELECT count(*) FROM fhir.resource) resource,
            (SELECT count(*) FROM fhir.resource_version) versions,
            (SELECT count(*) FROM fhir.outbox) outbox`,
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

interface Changed {
  resourceId: string;
  resourceType: string;
  patientId: string;
  version: number;
  codes: { system: string | null; code: string }[];
  labels: string[];
  enteredInError: boolean;
}
/** The `clinical.changed` rows published for a resource, oldest first. */
async function published(id: string): Promise<{ payload: string; data: Changed }[]> {
  const rows = await t.sql<{ payload: unknown }>(
    `SELECT payload FROM fhir.outbox WHERE aggregate_id = $1 AND type = 'clinical.changed'
      ORDER BY occurred_at, id`,
    [id],
  );
  return rows.map((r) => {
    const text = typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload);
    const env = JSON.parse(text) as { data?: Changed } & Changed;
    return { payload: text, data: env.data ?? env };
  });
}

async function conditionIds(patientId: string, filter?: object): Promise<string[]> {
  const d = await ok<{ patient: { conditions: { edges: { node: { id: string } }[] } } }>(
    clinician,
    CONDITIONS,
    { id: patientId, filter, first: 50 },
  );
  return d.patient.conditions.edges.map((e) => e.node.id);
}

beforeAll(async () => {
  t = await startTestStack('fhir-writes');
  P = t.demo.patientId;
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  const admin = await t.token('admin');
  const { createPatient } = await ok<{ createPatient: { id: string } }>(
    admin,
    'mutation ($i: CreatePatientInput!) { createPatient(input: $i) { id } }',
    {
      i: {
        mrn: 'FHIR-WRITES-1',
        name: { family: 'Filter', given: ['Fay'] },
        birthDate: '1970-01-01',
        gender: 'female',
      },
    },
  );
  Q = createPatient.id;
  await ok(
    admin,
    'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary-care") { id } }',
    { p: Q, pr: t.demo.practitionerId },
  );
  // The adapter refuses writes for patients (and care teams) it has not learnt of yet.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [row] = await t.sql<{ n: string }>(
      `SELECT (SELECT count(*) FROM fhir.patient_projection WHERE id = $1)
            + (SELECT count(*) FROM fhir.care_team_projection WHERE patient_id = $1) n`,
      [Q],
    );
    if (Number(row!.n) === 2) break;
    if (Date.now() > deadline) throw new Error('the FHIR adapter never learnt of the patient');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);
afterAll(() => t?.stop());

describe('recording', () => {
  it('recordAllergy: version 1, typed fields, valid FHIR, readable back; one clinical.changed with codes and no note', async () => {
    const { recordAllergy: a } = await ok<{ recordAllergy: Clinical }>(clinician, RECORD_ALLERGY, {
      p: P,
      i: {
        code: { code: '91936005' },
        display: 'Allergy to penicillin',
        type: 'allergy',
        categories: ['medication'],
        criticality: 'high',
        reactions: [
          { manifestation: { code: '247472004' }, display: 'Hives', severity: 'moderate' },
        ],
        onset: '2019-04',
        note: CANARY,
      },
    });
    expect(a).toMatchObject({
      resourceType: 'AllergyIntolerance',
      version: 1,
      status: 'active',
      clinicalStatus: 'active',
      verificationStatus: 'confirmed',
      criticality: 'high',
      allergyCategories: ['medication'],
      notes: [CANARY],
      // Normal confidentiality: no sensitive segment.
      securityLabels: [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' },
      ],
    });
    expect(a.code!.codings).toEqual([
      { system: SNOMED, code: '91936005', display: 'Allergy to penicillin' },
    ]);
    expect(a.reactions).toEqual([
      {
        severity: 'moderate',
        manifestations: [{ codings: [{ system: SNOMED, code: '247472004' }] }],
      },
    ]);
    expect(a.fhir).toMatchObject({
      resourceType: 'AllergyIntolerance',
      id: a.id,
      meta: { versionId: '1' },
      patient: { reference: `Patient/${P}` },
      onsetDateTime: '2019-04',
    });
    expect(validateResource(a.fhir)).toEqual([]);
    const { clinicalResource } = await ok<{ clinicalResource: Clinical }>(clinician, READ, {
      id: a.id,
    });
    expect(clinicalResource).toEqual(a);

    const events = await published(a.id);
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({
        resourceId: a.id,
        resourceType: 'AllergyIntolerance',
        patientId: P,
        version: 1,
        codes: [{ system: SNOMED, code: '91936005' }],
        labels: [],
        enteredInError: false,
      }),
    ]);
    for (const e of events) {
      expect(e.payload).not.toContain(CANARY);
      expect(e.payload).not.toContain('penicillin');
    }
  });

  it('the allergy note is in no log line, no outbox row and no column in the clear (only the encrypted body holds it)', async () => {
    expect(t.logs()).not.toContain(CANARY);
    const tables = await t.sql<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE'
          AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    expect(tables.length).toBeGreaterThan(10);
    const holding: string[] = [];
    for (const { schema, name } of tables) {
      const [row] = await t.sql<{ n: string }>(
        `SELECT count(*) n FROM "${schema}"."${name}" x WHERE x::text LIKE $1`,
        [`%${CANARY}%`],
      );
      if (Number(row!.n) > 0) holding.push(`${schema}.${name}`);
    }
    expect(holding).toEqual([]);
    // It is stored: in the encrypted body, which the adapter's cipher opens.
    const [{ id, body }] = (await t.sql<{ id: string; body: string }>(
      `SELECT id, body FROM fhir.resource WHERE type = 'AllergyIntolerance' AND patient_id = $1`,
      [P],
    )) as [{ id: string; body: string }];
    expect(body.startsWith('cf1.')).toBe(true);
    const cipher = t.stack.subgraph('fhir-adapter').cipher;
    expect(cipher.decryptSync(body, bodyContext(id))).toContain(CANARY);
  });

  it('recordCondition: version 1, ICD-10-CM code, category and onset, valid FHIR', async () => {
    const { recordCondition: c } = await ok<{ recordCondition: Clinical }>(
      clinician,
      RECORD_CONDITION,
      {
        p: P,
        i: {
          code: { code: 'E11.9' },
          display: 'Type 2 diabetes mellitus without complications',
          category: 'problemListItem',
          onset: '2018-02-03',
        },
      },
    );
    expect(c).toMatchObject({
      resourceType: 'Condition',
      version: 1,
      status: 'active',
      clinicalStatus: 'active',
      verificationStatus: 'confirmed',
      onset: '2018-02-03',
      notes: [],
    });
    expect(c.code!.codings).toEqual([
      { system: ICD10, code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
    ]);
    expect(c.categories).toEqual([{ codings: [{ system: CATEGORY, code: 'problem-list-item' }] }]);
    expect(validateResource(c.fhir)).toEqual([]);
    expect((await published(c.id)).map((e) => e.data.codes)).toEqual([
      [{ system: ICD10, code: 'E11.9' }],
    ]);
    expect(await conditionIds(P)).toContain(c.id);
  });

  it('recordVitalSigns: one Observation per sign, blood pressure as one panel of two components, each valid and published once', async () => {
    const { recordVitalSigns: obs } = await ok<{ recordVitalSigns: Clinical[] }>(
      clinician,
      RECORD_VITALS,
      {
        p: P,
        i: {
          effective: '2026-01-15T09:30:00Z',
          heartRate: 72,
          systolic: 120,
          diastolic: 80,
          bodyWeight: 70.5,
        },
      },
    );
    expect(obs).toHaveLength(3);
    const byCode = new Map(obs.map((o) => [o.code!.codings[0]!.code, o]));
    expect([...byCode.keys()].sort()).toEqual(['29463-7', '85354-9', '8867-4']);
    for (const o of obs) {
      expect(o).toMatchObject({ resourceType: 'Observation', version: 1, status: 'final' });
      expect(validateResource(o.fhir)).toEqual([]);
      expect(o.fhir.category).toEqual([
        expect.objectContaining({
          coding: [expect.objectContaining({ code: 'vital-signs' })],
        }),
      ]);
      expect(await published(o.id)).toHaveLength(1);
    }
    expect(byCode.get('8867-4')!.value!.quantity).toEqual({
      value: 72,
      unit: 'beats/minute',
      system: 'http://unitsofmeasure.org',
      code: '/min',
    });
    expect(byCode.get('29463-7')!.value!.quantity).toMatchObject({ value: 70.5, code: 'kg' });
    const bp = byCode.get('85354-9')!;
    expect(bp.value).toBeNull();
    expect(
      bp.components!.map((c) => [
        c.code.codings[0]!.code,
        c.value.quantity.value,
        c.value.quantity.code,
      ]),
    ).toEqual([
      ['8480-6', 120, 'mm[Hg]'],
      ['8462-4', 80, 'mm[Hg]'],
    ]);
  });
});

describe('versions', () => {
  let id: string;

  it('updateCondition at the current version makes version 2; at a stale one CONFLICT with currentVersion; history shows both', async () => {
    const { recordCondition: c } = await ok<{ recordCondition: Clinical }>(
      clinician,
      RECORD_CONDITION,
      { p: P, i: { code: { code: '38341003' }, display: 'Hypertension', onset: '2020-05' } },
    );
    id = c.id;
    const { updateCondition: v2 } = await ok<{ updateCondition: Clinical }>(
      clinician,
      UPDATE_CONDITION,
      {
        id,
        v: 1,
        i: {
          code: { code: '38341003' },
          display: 'Hypertension',
          onset: '2020-05',
          abatement: '2024-01',
        },
      },
    );
    expect(v2).toMatchObject({ id, version: 2, status: 'resolved', clinicalStatus: 'resolved' });
    expect(v2.fhir.meta.versionId).toBe('2');
    expect(validateResource(v2.fhir)).toEqual([]);

    const stale = await t.gql(clinician, UPDATE_CONDITION, {
      id,
      v: 1,
      i: { code: { code: '38341003' }, display: 'Hypertension', clinicalStatus: 'relapse' },
    });
    expect(codes(stale)).toEqual(['CONFLICT']);
    expect(stale.errors![0]!.extensions!.currentVersion).toBe(2);

    const { clinicalHistory } = await ok<{
      clinicalHistory: { id: string; version: number; fhir: Record<string, unknown> }[];
    }>(clinician, HISTORY, { id });
    expect(clinicalHistory.map((v) => v.version)).toEqual([2, 1]);
    expect(clinicalHistory[1]!.fhir).not.toHaveProperty('abatementDateTime');
    expect(clinicalHistory[0]!.fhir).toMatchObject({ abatementDateTime: '2024-01' });
    expect((await published(id)).map((e) => e.data.version)).toEqual([1, 2]);
  });

  it('markEnteredInError makes a new version, leaves the default list, shows under its status filter, and deletes nothing', async () => {
    const { markEnteredInError: m } = await ok<{ markEnteredInError: Clinical }>(
      clinician,
      MARK_ERROR,
      { id, v: 2 },
    );
    expect(m).toMatchObject({ id, version: 3, status: 'entered-in-error' });
    expect(m.verificationStatus).toBe('entered-in-error');
    expect(validateResource(m.fhir)).toEqual([]);
    expect(await conditionIds(P)).not.toContain(id);
    expect(await conditionIds(P, { status: ['entered-in-error'] })).toEqual([id]);
    const versions = await t.sql<{ version: number }>(
      'SELECT version FROM fhir.resource_version WHERE id = $1 ORDER BY version',
      [id],
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(await t.sql('SELECT version, status FROM fhir.resource WHERE id = $1', [id])).toEqual([
      { version: 3, status: 'entered-in-error' },
    ]);
    const events = await published(id);
    expect(events.map((e) => [e.data.version, e.data.enteredInError])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
  });
});

describe('refusals write nothing', () => {
  const condition = { code: { code: 'J45.909' }, display: 'Asthma' };

  it('a clinician off the care team: FORBIDDEN, no row, no version, no event', async () => {
    const outsider = await t.token('clinician', { practitionerId: t.demo.otherPractitionerId });
    const before = await counts();
    for (const [query, variables] of [
      [RECORD_CONDITION, { p: P, i: condition }],
      [RECORD_ALLERGY, { p: P, i: { code: { code: '300913006' } } }],
      [RECORD_VITALS, { p: P, i: { effective: '2026-01-15T09:30:00Z', heartRate: 60 } }],
    ] as const) {
      const r = await t.gql(outsider, query, variables);
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.data ?? null).toBeNull();
    }
    expect(await counts()).toEqual(before);
  });

  it('patient, pharmacist, scheduler and admin: FORBIDDEN by the shield', async () => {
    const before = await counts();
    const callers = [
      await t.token('patient', { patientId: P, scopes: ['patient/*.cruds'] }),
      await t.token('pharmacist'),
      await t.token('scheduler'),
      await t.token('admin'),
    ];
    for (const token of callers) {
      const r = await t.gql(token, RECORD_CONDITION, { p: P, i: condition });
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.errors![0]!.message).toBe('Not permitted: Mutation.recordCondition');
    }
    expect(await counts()).toEqual(before);
  });

  it('bad input: BAD_USER_INPUT, the value not echoed, nothing written', async () => {
    const before = await counts();
    // Each case with a value the answer must not repeat (none for a missing one).
    const cases: [string, object, string | null][] = [
      [RECORD_VITALS, { p: P, i: { effective: '2026-01-15T09:30:00Z', heartRate: 1000 } }, '1000'],
      [RECORD_VITALS, { p: P, i: { effective: '2026-01-15T09:30:00Z', systolic: 131 } }, '131'],
      [RECORD_VITALS, { p: P, i: { effective: '2026-01-15T09:30:00Z' } }, null],
      [RECORD_CONDITION, { p: 'not-a-uuid', i: condition }, 'not-a-uuid'],
      [RECORD_CONDITION, { p: P, i: { code: { code: 'J45  909' } } }, 'J45'],
      [RECORD_CONDITION, { p: P, i: { code: { system: 'not a uri', code: 'J45' } } }, 'not a uri'],
      [RECORD_CONDITION, { p: P, i: { ...condition, onset: '2999-01-01' } }, '2999'],
    ];
    for (const [query, variables, echo] of cases) {
      const r = await t.gql(clinician, query, variables);
      expect(codes(r), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
      if (echo) expect(JSON.stringify(r.errors)).not.toContain(echo);
    }
    expect(await counts()).toEqual(before);
  });

  it('a patient id that exists nowhere, or a resource id that does: FORBIDDEN, as any refusal', async () => {
    const before = await counts();
    const nobody = randomUUID();
    for (const [query, variables] of [
      [RECORD_CONDITION, { p: nobody, i: condition }],
      [RECORD_VITALS, { p: nobody, i: { effective: '2026-01-15T09:30:00Z', heartRate: 60 } }],
      [UPDATE_CONDITION, { id: randomUUID(), v: 1, i: condition }],
      [MARK_ERROR, { id: randomUUID(), v: 1 }],
    ] as const) {
      const r = await t.gql(clinician, query, variables);
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.errors![0]!.message).not.toContain(nobody);
    }
    expect(await counts()).toEqual(before);
  });
});

describe('filters and paging (conditions of a fresh patient)', () => {
  const ids: Record<string, string> = {};
  const record = async (key: string, i: object) => {
    const { recordCondition } = await ok<{ recordCondition: Clinical }>(
      clinician,
      RECORD_CONDITION,
      { p: Q, i },
    );
    ids[key] = recordCondition.id;
  };

  beforeAll(async () => {
    await record('A', { code: { system: SNOMED, code: '44054006' }, onset: '2019-03-01' });
    await record('B', {
      code: { code: 'I10' },
      category: 'encounterDiagnosis',
      onset: '2020-06-15',
    });
    await record('C', { code: { system: SNOMED, code: '195662009' }, onset: '2021-01-10' });
    await record('D', {
      code: { code: 'J45.909' },
      category: 'encounterDiagnosis',
      onset: '2022-09-01',
    });
    await record('E', { code: { system: SNOMED, code: '44054006' }, onset: '2023-02-02' });
  });
  const of = (...keys: string[]) => keys.map((k) => ids[k]);

  it('newest onset first, everything by default', async () => {
    expect(await conditionIds(Q)).toEqual(of('E', 'D', 'C', 'B', 'A'));
  });

  it('by code (system and code), and the same code in another system matches nothing', async () => {
    expect(await conditionIds(Q, { code: { system: SNOMED, code: '44054006' } })).toEqual(
      of('E', 'A'),
    );
    expect(await conditionIds(Q, { code: { system: ICD10, code: 'I10' } })).toEqual(of('B'));
    expect(await conditionIds(Q, { code: { system: ICD10, code: '44054006' } })).toEqual([]);
  });

  it('by category', async () => {
    expect(
      await conditionIds(Q, { category: { system: CATEGORY, code: 'encounter-diagnosis' } }),
    ).toEqual(of('D', 'B'));
    expect(
      await conditionIds(Q, { category: { system: CATEGORY, code: 'problem-list-item' } }),
    ).toEqual(of('E', 'C', 'A'));
  });

  it('by date range: what overlaps from..to (an active condition, with no end, overlaps every later range)', async () => {
    expect(
      await conditionIds(Q, { from: '2020-01-01T00:00:00Z', to: '2021-12-31T00:00:00Z' }),
    ).toEqual(of('C', 'B', 'A'));
    expect(await conditionIds(Q, { from: '2022-01-01T00:00:00Z' })).toEqual(
      of('E', 'D', 'C', 'B', 'A'),
    );
    expect(await conditionIds(Q, { to: '2019-12-31T00:00:00Z' })).toEqual(of('A'));
  });

  it('first: 2 with after cursors: distinct pages covering every row, the last without a next page', async () => {
    const pages: string[][] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const d: {
        patient: {
          conditions: {
            edges: { node: { id: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        };
      } = await ok(clinician, CONDITIONS, { id: Q, first: 2, after });
      const c = d.patient.conditions;
      pages.push(c.edges.map((e) => e.node.id));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(pages).toEqual([of('E', 'D'), of('C', 'B'), of('A')]);
  });
});
