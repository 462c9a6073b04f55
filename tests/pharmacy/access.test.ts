import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SCOPES } from '../../platform/identity/dev-principal.js';
import { accessMatrix, outcome, type MatrixOperation } from '../support/access-matrix.js';
import { textPartnerClients } from '../support/clients.js';
import { startTestStack, untilKnown, type TestStack } from '../support/stack.js';

/**
 * Who reaches pharmacy data, through the gateway, against
 * subgraphs/pharmacy/permissions.ts (the shield: role and SMART scope per
 * field) and access.ts (the kernel: role, compartment, break-the-glass,
 * consent and labels per record): prescriptions, their history, the
 * patient's lists, dispenses (billing sees what, never why), the writes
 * (refused ones write nothing), stock and the catalogue, for every kind of
 * caller; a patient's deny consent; and an audit entry for the decisions.
 */
let t: TestStack;
/** A fresh patient on the demo clinician's care team. */
let P: string;
/** P's lisinopril prescription (dispensed once) and metformin prescription (for status changes). */
let RX: string;
let RX_CHANGE: string;
let DISPENSE: string;
let admin: string;

let TEAM: string;
let OUTSIDE: string;
const GLASS = randomUUID();
const DENIED = randomUUID();

const LISINOPRIL = '314076';
const METFORMIN = '860975';
/** The demo pharmacy: the first Location of the demo data, where the demo stock is. */
const FACILITY = (
  JSON.parse(
    fs.readFileSync(path.resolve('data/synthea/Location.000.ndjson'), 'utf8').split('\n')[0]!,
  ) as { id: string }
).id;

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
/** The drug catalogue (no PHI): any signed-in caller but a researcher, who reaches open data only. */
const CATALOGUE_READERS: Actor[] = ACTORS.filter((a) => a !== 'researcher');
const tokens = new Map<Actor, string>();
const tokenOf = (a: Actor): string => tokens.get(a)!;
const subOf = (a: Actor) => `rx-access-${a}`;
/** Who may read P's prescriptions and dispenses (the kernel's rule, access.ts). */
const RX_READERS: Actor[] = ['patient', 'clinician', 'glassClinician', 'partner', 'pharmacist'];

async function ok<T>(token: string, query: string, variables: object = {}): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const projected = (table: string, column: string, value: string) => async () =>
  (await t.sql(`SELECT 1 FROM pharmacy.${table} WHERE ${column} = $1`, [value])).length > 0;

async function joinCareTeam(practitionerId: string): Promise<void> {
  const { addCareTeamMember } = await ok<{ addCareTeamMember: { id: string } }>(
    admin,
    /* GraphQL */ `
      mutation ($p: ID!, $pr: ID!) {
        addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary-care") {
          id
        }
      }
    `,
    { p: P, pr: practitionerId },
  );
  await waitFor(
    'the care-team link in pharmacy',
    projected('care_team_projection', 'id', addCareTeamMember.id),
  );
}

const PRESCRIBE = /* GraphQL */ `
  mutation ($i: PrescribeInput!) {
    prescribe(input: $i) {
      blocked
      prescription {
        id
      }
    }
  }
`;
const prescription = (drugRxcui: string) => ({
  patientId: P,
  drugRxcui,
  dose: { value: 1, unit: 'tablet' },
  route: 'oral',
  frequency: { times: 1, period: 1, unit: 'd' },
  quantity: 30,
  refills: 5,
  idempotencyKey: `rx-${randomUUID()}`,
});

const DISPENSE_MED = /* GraphQL */ `
  mutation ($i: DispenseInput!) {
    dispenseMedication(input: $i) {
      dispense {
        id
      }
      fillsLeft
    }
  }
`;

beforeAll(async () => {
  t = await startTestStack('pharmacy-access', { ...textPartnerClients(['partner-demo-app']) });
  TEAM = t.demo.practitionerId;
  OUTSIDE = t.demo.otherPractitionerId;
  admin = await t.token('admin', { sub: 'rx-access-setup' });
  const { createPatient } = await ok<{ createPatient: { id: string } }>(
    admin,
    'mutation ($i: CreatePatientInput!) { createPatient(input: $i) { id } }',
    {
      i: {
        mrn: 'PHARMACY-ACCESS-1',
        name: { family: 'Access', given: ['Rx'] },
        birthDate: '1958-04-05',
        gender: 'male',
      },
    },
  );
  P = createPatient.id;
  await untilKnown(t, [P]);
  await waitFor('P in pharmacy', projected('patient_projection', 'id', P));
  await joinCareTeam(TEAM);
  await joinCareTeam(DENIED);

  const patientScopes = DEV_SCOPES.patient.split(' ');
  const partnerScopes = [
    'patient/Patient.rs',
    'patient/MedicationRequest.rs',
    'patient/MedicationDispense.rs',
  ];
  const other = t.demo.otherPatientId;
  const clinician = (practitionerId: string, sub: string) =>
    t.token('clinician', { practitionerId, sub });
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
    ...(['pharmacist', 'scheduler', 'billing', 'admin', 'researcher', 'auditor'] as const).map(
      (r) => [r, t.token(r, { sub: subOf(r) })] as [Actor, Promise<string>],
    ),
  ];
  for (const [a, tok] of made) tokens.set(a, await tok);

  const { breakTheGlass } = await ok<{ breakTheGlass: { id: string } }>(
    tokenOf('glassClinician'),
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
  await waitFor(
    'the grant in pharmacy',
    projected('break_glass_projection', 'id', breakTheGlass.id),
  );

  const rx = await ok<{ prescribe: { blocked: boolean; prescription: { id: string } } }>(
    tokenOf('clinician'),
    PRESCRIBE,
    { i: prescription(LISINOPRIL) },
  );
  expect(rx.prescribe.blocked).toBe(false);
  RX = rx.prescribe.prescription.id;
  const change = await ok<{ prescribe: { blocked: boolean; prescription: { id: string } } }>(
    tokenOf('clinician'),
    PRESCRIBE,
    { i: prescription(METFORMIN) },
  );
  RX_CHANGE = change.prescribe.prescription.id;
  const d = await ok<{ dispenseMedication: { dispense: { id: string } } }>(
    tokenOf('pharmacist'),
    DISPENSE_MED,
    {
      i: {
        prescriptionId: RX,
        facilityId: FACILITY,
        quantity: 10,
        idempotencyKey: `disp-${randomUUID()}`,
      },
    },
  );
  DISPENSE = d.dispenseMedication.dispense.id;
}, 180_000);
afterAll(() => t?.stop());

interface AuditRow {
  actor: { sub: string };
  patientId?: string;
  resourceType: string;
  resourceId?: string;
  action: string;
  outcome: string;
  purpose: string;
  emergency?: boolean;
  reason?: string;
}
async function audited(sub: string): Promise<AuditRow[]> {
  const rows = await t.sql<{ payload: string }>(
    `SELECT payload FROM audit.entry WHERE payload::jsonb -> 'actor' ->> 'sub' = $1 ORDER BY seq`,
    [sub],
  );
  return rows.map((r) => JSON.parse(r.payload) as AuditRow);
}

/** Rows of the tables a refused write must leave untouched. */
async function written(): Promise<Record<string, number>> {
  const tables = ['prescription', 'prescription_version', 'dispense', 'stock_lot', 'stock_ledger'];
  const [row] = await t.sql<Record<string, string>>(
    `SELECT ${tables.map((x) => `(SELECT count(*) FROM pharmacy.${x}) AS ${x}`).join(', ')}`,
  );
  return Object.fromEntries(tables.map((x) => [x, Number(row![x])]));
}

/** Runs a write; a refused one must leave every pharmacy table as it was. */
async function writing(
  run: () => Promise<{ ok: boolean; code?: string }>,
): Promise<{ ok: boolean; code?: string }> {
  const before = await written();
  const result = await run();
  if (!result.ok) expect(await written()).toEqual(before);
  else expect(await written()).not.toEqual(before);
  return result;
}

const read =
  (query: string, field: string, variables: () => object) =>
  async (token: string): Promise<{ ok: boolean; code?: string }> => {
    const r = await t.gql<Record<string, unknown>>(token, query, variables());
    return outcome(r, r.data?.[field]);
  };

const OPERATIONS: MatrixOperation<Actor>[] = [
  {
    name: 'prescription(id)',
    allowed: RX_READERS,
    run: read('query ($id: ID!) { prescription(id: $id) { id status } }', 'prescription', () => ({
      id: RX,
    })),
  },
  {
    name: 'prescriptionHistory(id)',
    allowed: RX_READERS,
    run: read(
      'query ($id: ID!) { prescriptionHistory(id: $id) { id version } }',
      'prescriptionHistory',
      () => ({ id: RX }),
    ),
  },
  {
    name: 'prescription(an id that exists nowhere)',
    allowed: [],
    run: read('query ($id: ID!) { prescription(id: $id) { id } }', 'prescription', () => ({
      id: randomUUID(),
    })),
  },
  {
    name: 'dispense(id)',
    allowed: [...RX_READERS, 'billing'],
    run: read('query ($id: ID!) { dispense(id: $id) { id quantity } }', 'dispense', () => ({
      id: DISPENSE,
    })),
  },
  {
    name: 'dispense(id).prescription (why it was dispensed)',
    allowed: RX_READERS,
    run: async (token) => {
      const r = await t.gql<{ dispense: { prescription: { id: string } | null } | null }>(
        token,
        'query ($id: ID!) { dispense(id: $id) { id prescription { id } } }',
        { id: DISPENSE },
      );
      return outcome(r, r.data?.dispense?.prescription);
    },
  },
  {
    name: 'checkPrescription',
    allowed: ['clinician', 'glassClinician'],
    run: read(
      'query ($p: ID!, $d: ID!) { checkPrescription(patientId: $p, drugRxcui: $d) { code } }',
      'checkPrescription',
      () => ({ p: P, d: METFORMIN }),
    ),
  },
  {
    // Break-the-glass opens reads and, for prescriptions, creating one (an emergency
    // prescription, `emergencyCreates`); never changes to existing ones.
    name: 'prescribe',
    allowed: ['clinician', 'glassClinician'],
    run: (token) =>
      writing(async () => {
        const r = await t.gql<{ prescribe: { prescription: { id: string } | null } }>(
          token,
          PRESCRIBE,
          { i: prescription(LISINOPRIL) },
        );
        return outcome(r, r.data?.prescribe?.prescription);
      }),
  },
  {
    name: 'changePrescriptionStatus',
    allowed: ['clinician'],
    run: (token) =>
      writing(async () => {
        const [cur] = await t.sql<{ version: number; status: string }>(
          'SELECT version, status FROM pharmacy.prescription WHERE id = $1',
          [RX_CHANGE],
        );
        const r = await t.gql<{ changePrescriptionStatus: { id: string } }>(
          token,
          /* GraphQL */ `
            mutation ($id: ID!, $v: Int!, $a: PrescriptionStatusAction!, $r: String) {
              changePrescriptionStatus(id: $id, expectedVersion: $v, action: $a, reason: $r) {
                id
                status
              }
            }
          `,
          {
            id: RX_CHANGE,
            v: cur!.version,
            a: cur!.status === 'active' ? 'hold' : 'resume',
            r: 'Awaiting kidney function tests',
          },
        );
        return outcome(r, r.data?.changePrescriptionStatus);
      }),
  },
  {
    name: 'dispenseMedication',
    allowed: ['pharmacist'],
    run: (token) =>
      writing(async () => {
        const r = await t.gql<{ dispenseMedication: { dispense: { id: string } } }>(
          token,
          DISPENSE_MED,
          {
            i: {
              prescriptionId: RX,
              facilityId: FACILITY,
              quantity: 1,
              idempotencyKey: `disp-${randomUUID()}`,
            },
          },
        );
        return outcome(r, r.data?.dispenseMedication);
      }),
  },
  {
    name: 'stock(facilityId)',
    allowed: ['pharmacist', 'admin'],
    run: read(
      'query ($f: ID!, $d: [ID!]) { stock(facilityId: $f, drugRxcuis: $d) { drugRxcui onHand } }',
      'stock',
      () => ({ f: FACILITY, d: [LISINOPRIL] }),
    ),
  },
  {
    name: 'receiveStock',
    allowed: ['pharmacist', 'admin'],
    run: (token, actor) =>
      writing(async () => {
        const r = await t.gql<{ receiveStock: { lot: { id: string } } }>(
          token,
          /* GraphQL */ `
            mutation ($i: ReceiveStockInput!) {
              receiveStock(input: $i) {
                lot {
                  id
                  onHand
                }
              }
            }
          `,
          {
            i: {
              facilityId: FACILITY,
              drugRxcui: LISINOPRIL,
              lotNumber: `MTX-${actor}`,
              expiresOn: new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10),
              quantity: 5,
              idempotencyKey: `recv-${randomUUID()}`,
            },
          },
        );
        return outcome(r, r.data?.receiveStock);
      }),
  },
  {
    name: 'drug(rxcui)',
    allowed: CATALOGUE_READERS,
    run: read('query ($r: ID!) { drug(rxcui: $r) { rxcui name } }', 'drug', () => ({
      r: LISINOPRIL,
    })),
  },
  {
    name: 'drugs(search)',
    allowed: CATALOGUE_READERS,
    run: read(
      'query { drugs(search: "lisinopril", first: 5) { edges { node { rxcui } } } }',
      'drugs',
      () => ({}),
    ),
  },
];
accessMatrix('pharmacy operations, per caller', ACTORS, OPERATIONS, tokenOf);

describe('the catalogue and the rest without a token', () => {
  it.each([
    ['drug', 'query { drug(rxcui: "314076") { rxcui } }'],
    ['drugs', 'query { drugs(first: 1) { edges { node { rxcui } } } }'],
    ['prescription', `query { prescription(id: "${randomUUID()}") { id } }`],
  ])('%s is UNAUTHENTICATED, no data', async (_name, query) => {
    const r = await t.gql<Record<string, unknown>>(undefined, query);
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(Object.values(r.data ?? {}).every((v) => v === null)).toBe(true);
  });
});

describe('the catalogue', () => {
  it('browsed without a search (drugs(first)), it answers any signed-in caller but a researcher', async () => {
    for (const actor of ['clinician', 'partner'] as const) {
      const r = await t.gql<{ drugs: { edges: { node: { rxcui: string } }[] } }>(
        tokenOf(actor),
        'query { drugs(first: 5) { edges { node { rxcui name } } } }',
      );
      expect(r.errors, `${actor}: ${JSON.stringify(r.errors)}`).toBeUndefined();
      expect(r.data!.drugs.edges).toHaveLength(5);
    }
    const refused = await t.gql<{ drugs: unknown }>(
      tokenOf('researcher'),
      'query { drugs(first: 5) { edges { node { rxcui name } } } }',
    );
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(refused.data?.drugs ?? null).toBeNull();
  });
});

describe('billing sees what was dispensed, never why', () => {
  it('the dispense is answered and its prescription is null with FORBIDDEN at dispense.prescription', async () => {
    const r = await t.gql<{
      dispense: { id: string; drugRxcui: string; prescription: { id: string } | null };
    }>(
      tokenOf('billing'),
      'query ($id: ID!) { dispense(id: $id) { id drugRxcui quantity prescription { id notes } } }',
      { id: DISPENSE },
    );
    expect(r.data?.dispense).toMatchObject({
      id: DISPENSE,
      drugRxcui: LISINOPRIL,
      prescription: null,
    });
    expect(r.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([
      ['FORBIDDEN', 'dispense.prescription'],
    ]);
  });
});

type ListField = 'prescriptions' | 'medications';
const LIST_QUERIES: Record<ListField, string> = {
  prescriptions: /* GraphQL */ `
    query ($id: ID!) {
      patient(id: $id) {
        id
        prescriptions(first: 100) {
          edges {
            node {
              id
            }
          }
        }
      }
    }
  `,
  medications: /* GraphQL */ `
    query ($id: ID!) {
      patient(id: $id) {
        id
        medications {
          source
          prescription {
            id
          }
        }
      }
    }
  `,
};
interface ListData {
  patient: {
    prescriptions?: { edges: { node: { id: string } }[] };
    medications?: { source: string; prescription: { id: string } | null }[];
  } | null;
}

/** The ids of a list as `token` sees it, sorted, or the refusal as `CODE@path`. */
async function listOf(token: string, field: ListField): Promise<string[] | string> {
  const r = await t.gql<ListData>(token, LIST_QUERIES[field], { id: P });
  expect(r.status).toBeLessThan(500);
  if (r.errors?.length) {
    expect(r.data?.patient?.[field] ?? null).toBeNull();
    const [e] = r.errors;
    return `${e!.extensions?.code}@${(e!.path ?? []).join('.')}`;
  }
  const p = r.data!.patient!;
  const ids =
    field === 'prescriptions'
      ? p.prescriptions!.edges.map((e) => e.node.id)
      : p.medications!.map((m) => m.prescription?.id ?? `outside:${m.source}`);
  return ids.sort();
}

/** What P's list holds in the store. */
async function stored(field: ListField): Promise<string[]> {
  const statuses =
    field === 'prescriptions' ? "status <> 'entered-in-error'" : "status IN ('active', 'on-hold')";
  const rows = await t.sql<{ id: string }>(
    `SELECT id FROM pharmacy.prescription WHERE patient_id = $1 AND ${statuses}`,
    [P],
  );
  return rows.map((r) => r.id).sort();
}

describe('Patient.prescriptions and Patient.medications, per caller', () => {
  /** `all`: every record; `empty`: an empty list; otherwise the refusal, `CODE@path`. */
  const both = (v: string): Record<ListField, string> => ({ prescriptions: v, medications: v });
  const EXPECTED: Record<Actor, Record<ListField, string>> = {
    patient: both('all'),
    // The patient subgraph refuses the Patient itself: pharmacy's fields are never asked.
    otherPatient: both('FORBIDDEN@patient'),
    clinician: both('all'),
    outsideClinician: both('FORBIDDEN@patient'),
    glassClinician: both('all'),
    partner: both('all'),
    otherPartner: both('FORBIDDEN@patient'),
    pharmacist: both('all'),
    // They reach the Patient; the kernel refuses pharmacy's lists (audited): empty.
    scheduler: both('empty'),
    billing: both('empty'),
    admin: both('empty'),
    researcher: both('FORBIDDEN@patient'),
    auditor: both('FORBIDDEN@patient'),
  };

  for (const actor of ACTORS)
    it(`as ${actor}: ${JSON.stringify(EXPECTED[actor])}`, async () => {
      const seen: Record<string, string> = {};
      for (const f of ['prescriptions', 'medications'] as const) {
        const ids = await listOf(tokenOf(actor), f);
        const all = await stored(f);
        expect(all.length).toBeGreaterThan(0);
        seen[f] =
          typeof ids === 'string'
            ? ids
            : ids.length === 0
              ? 'empty'
              : JSON.stringify(ids) === JSON.stringify(all)
                ? 'all'
                : `other:${JSON.stringify(ids)}`;
      }
      expect(seen).toEqual(EXPECTED[actor]);
    });
});

describe('the audit log', () => {
  it('every read of prescription(id) is audited: permits for the readers (emergency under glass), denials for everyone else', async () => {
    for (const actor of ACTORS) {
      const rows = (await audited(subOf(actor))).filter(
        (e) =>
          (e.resourceType === 'MedicationRequest' && e.action === 'read' && e.resourceId === RX) ||
          e.resourceType === 'graphql:Query.prescription',
      );
      expect(rows.length, actor).toBeGreaterThan(0);
      const outcomes = new Set(rows.map((e) => e.outcome));
      expect([...outcomes], actor).toEqual([RX_READERS.includes(actor) ? 'permit' : 'deny']);
    }
    const glass = (await audited(subOf('glassClinician'))).filter(
      (e) => e.resourceType === 'MedicationRequest' && e.resourceId === RX && e.action === 'read',
    );
    for (const e of glass)
      expect(e).toMatchObject({ patientId: P, emergency: true, purpose: 'ETREAT' });
    const outside = (await audited(subOf('outsideClinician'))).filter(
      (e) => e.resourceType === 'MedicationRequest' && e.resourceId === RX,
    );
    expect(outside[0]).toMatchObject({
      patientId: P,
      outcome: 'deny',
      reason: 'denied:compartment',
    });
  });

  it('refused dispense reads are audited as denials', async () => {
    for (const actor of ACTORS.filter((a) => ![...RX_READERS, 'billing'].includes(a))) {
      const rows = (await audited(subOf(actor))).filter(
        (e) =>
          (e.resourceType === 'MedicationDispense' && e.resourceId === DISPENSE) ||
          e.resourceType === 'graphql:Query.dispense',
      );
      expect(rows.length, actor).toBeGreaterThan(0);
      for (const e of rows) expect(e.outcome, actor).toBe('deny');
    }
  });

  it('billing’s refused read of a dispense’s prescription is audited as a denial', async () => {
    // Billing asked for Dispense.prescription (the matrix and the test above): it was refused.
    const rows = (await audited(subOf('billing'))).filter(
      (e) =>
        e.outcome === 'deny' &&
        (e.resourceType === 'MedicationRequest' || e.resourceType.startsWith('graphql:Dispense')),
    );
    expect(rows.length).toBeGreaterThan(0);
  });

  it('an empty list for a caller without reach is audited as a denial naming the patient', async () => {
    for (const actor of ['scheduler', 'billing', 'admin'] as const) {
      const rows = (await audited(subOf(actor))).filter(
        (e) => e.resourceType === 'MedicationRequest' && e.action === 'search',
      );
      expect(rows.length, actor).toBeGreaterThan(0);
      expect(
        rows.every((e) => e.outcome === 'deny' && e.patientId === P),
        actor,
      ).toBe(true);
    }
  });

  it('a refused write is audited as a denial naming the patient', async () => {
    const rows = (await audited(subOf('outsideClinician'))).filter(
      (e) => e.resourceType === 'MedicationRequest' && e.action === 'create',
    );
    expect(rows).toEqual([expect.objectContaining({ patientId: P, outcome: 'deny' })]);
  });

  it('an emergency prescription under break-the-glass is audited as emergency access (ETREAT)', async () => {
    const glass = (await audited(subOf('glassClinician'))).filter(
      (e) => e.resourceType === 'MedicationRequest' && e.action === 'create',
    );
    expect(glass).toEqual([
      expect.objectContaining({
        patientId: P,
        outcome: 'permit',
        emergency: true,
        purpose: 'ETREAT',
      }),
    ]);
  });
});

describe('a patient’s deny consent', () => {
  it('blocks a care-team clinician’s reads of P’s prescriptions (empty list, FORBIDDEN), audited as denied:consent; revoked, they see them again', async () => {
    const sub = 'rx-access-denied';
    const token = await t.token('clinician', { practitionerId: DENIED, sub });
    const all = await stored('prescriptions');
    expect(await listOf(token, 'prescriptions')).toEqual(all);

    const { recordConsent } = await ok<{ recordConsent: { id: string } }>(
      tokenOf('patient'),
      /* GraphQL */ `
        mutation ($p: ID!, $i: RecordConsentInput!) {
          recordConsent(patientId: $p, input: $i) {
            id
          }
        }
      `,
      {
        p: P,
        i: {
          scope: 'patient_privacy',
          provisions: [
            {
              type: 'deny',
              actors: [{ kind: 'practitioner', id: DENIED }],
              dataClasses: ['MedicationRequest', 'MedicationDispense'],
            },
          ],
        },
      },
    );
    await waitFor(
      'the consent in pharmacy',
      projected('consent_projection', 'id', recordConsent.id),
    );

    expect(await listOf(token, 'prescriptions')).toEqual([]);
    expect(await listOf(token, 'medications')).toEqual([]);
    const one = await t.gql(token, 'query ($id: ID!) { prescription(id: $id) { id } }', { id: RX });
    expect(outcome(one, one.data)).toEqual({ ok: false, code: 'FORBIDDEN' });
    const d = await t.gql(token, 'query ($id: ID!) { dispense(id: $id) { id } }', { id: DISPENSE });
    expect(outcome(d, d.data)).toEqual({ ok: false, code: 'FORBIDDEN' });
    // The care-team clinician not named in the consent still reads them.
    expect(await listOf(tokenOf('clinician'), 'prescriptions')).toEqual(all);

    const denied = (
      await t.sql<{ payload: string }>(
        `SELECT payload FROM audit.entry WHERE payload::jsonb -> 'actor' ->> 'sub' = $1 ORDER BY seq`,
        [sub],
      )
    ).map((r) => JSON.parse(r.payload) as AuditRow);
    const refusals = denied.filter((e) => e.outcome === 'deny');
    expect(refusals.map((e) => [e.resourceType, e.action, e.reason])).toEqual(
      expect.arrayContaining([
        ['MedicationRequest', 'search', 'denied:consent'],
        ['MedicationRequest', 'read', 'denied:consent'],
        ['MedicationDispense', 'read', 'denied:consent'],
      ]),
    );
    for (const e of refusals) expect(e.patientId).toBe(P);

    await ok(tokenOf('patient'), 'mutation ($c: ID!) { revokeConsent(consentId: $c) { id } }', {
      c: recordConsent.id,
    });
    await waitFor('the revocation in pharmacy', async () =>
      Array.isArray(await listOf(token, 'prescriptions'))
        ? (await listOf(token, 'prescriptions')).length > 0
        : false,
    );
    expect(await listOf(token, 'prescriptions')).toEqual(await stored('prescriptions'));
  });
});
