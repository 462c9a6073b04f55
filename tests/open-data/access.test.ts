import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_IDS, devPrincipal } from '../../platform/identity/dev-principal.js';
import { ROLES, type Role } from '../../platform/identity/principal.js';
import { outcome } from '../support/access-matrix.js';
import { textPartnerClients } from '../support/clients.js';
import {
  demoOverrides,
  startTestStack,
  type GqlResponse,
  type TestStack,
} from '../support/stack.js';

/**
 * Who reaches open data, through the gateway, against
 * subgraphs/open-data/permissions.ts (the shield) and access.ts (the data use
 * agreement): researchers run everything research-facing (once they accepted
 * the current agreement: before, AGREEMENT_REQUIRED with the version to
 * accept), administrators read releases and forecasts and run the steward
 * mutations, every other caller is FORBIDDEN, and a token refused at the
 * gateway is UNAUTHENTICATED. Researchers reach nothing outside open data:
 * every root field of every other subgraph, read from the supergraph so a new
 * one cannot be forgotten, is refused and audited as a denial; open data's
 * own accesses are audited as `ResearchData` with no patient.
 */
let t: TestStack;

type Caller =
  | 'patient'
  | 'partner'
  | 'clinician'
  | 'scheduler'
  | 'pharmacist'
  | 'billing'
  | 'admin'
  | 'auditor'
  | 'researcher'
  | 'newResearcher'
  | 'readOnlyResearcher'
  | 'noScopeResearcher'
  | 'wrongPurposeResearcher'
  | 'anonymous';
const CALLERS: Caller[] = [
  'patient',
  'partner',
  'clinician',
  'scheduler',
  'pharmacist',
  'billing',
  'admin',
  'auditor',
  'researcher',
  'newResearcher',
  'readOnlyResearcher',
  'noScopeResearcher',
  'wrongPurposeResearcher',
  'anonymous',
];
/** The role each caller's token carries (none: no token). */
const ROLE_OF: Record<Caller, Role | undefined> = {
  patient: 'patient',
  partner: 'partner',
  clinician: 'clinician',
  scheduler: 'scheduler',
  pharmacist: 'pharmacist',
  billing: 'billing',
  admin: 'admin',
  auditor: 'auditor',
  researcher: 'researcher',
  newResearcher: 'researcher',
  readOnlyResearcher: 'researcher',
  noScopeResearcher: 'researcher',
  wrongPurposeResearcher: 'researcher',
  anonymous: undefined,
};
/** Researchers with the research-data scope: `researcher` and `readOnlyResearcher` accepted the agreement. */
const RESEARCHERS: Caller[] = ['researcher', 'newResearcher', 'readOnlyResearcher'];
const STEWARD: Caller[] = ['admin'];
/** Tokens the gateway refuses: a researcher claiming treatment, and none at all. */
const UNAUTHENTICATED: Caller[] = ['wrongPurposeResearcher', 'anonymous'];

const subOf = (c: Caller) => `opendata-access-${c}`;

/** A token for `caller` under `sub` (undefined: no token). */
async function mint(caller: Caller, sub = subOf(caller)): Promise<string | undefined> {
  const demo = demoOverrides(t);
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'patient':
    case 'partner':
    case 'clinician':
      return t.token(caller, { ...demo[caller], sub });
    case 'readOnlyResearcher':
      return t.token('researcher', { sub, scopes: ['user/ResearchData.r'] });
    case 'noScopeResearcher':
      return t.token('researcher', { sub, scopes: ['user/Practitioner.rs'] });
    case 'wrongPurposeResearcher':
      // The dev issuer refuses to sign it; any issuer could, and the gateway must refuse it.
      return t.stack.devIssuer!.sign(devPrincipal('researcher', { sub }), {
        extraClaims: { purpose_of_use: 'TREAT' },
      });
    case 'newResearcher':
      return t.token('researcher', { sub });
    case 'scheduler':
    case 'pharmacist':
    case 'billing':
    case 'admin':
    case 'auditor':
    case 'researcher':
      return t.token(caller, { sub });
  }
}
const tokens = new Map<Caller, string | undefined>();

const AGREEMENT = /* GraphQL */ `
  query {
    dataUseAgreement {
      version
      acceptedAt
    }
  }
`;
const ACCEPT = /* GraphQL */ `
  mutation ($v: Int!) {
    acceptDataUseAgreement(version: $v) {
      version
    }
  }
`;
const ASK = /* GraphQL */ `
  mutation ($q: CountQuestionInput!) {
    askCount(question: $q) {
      requestKey
      cells {
        count
      }
    }
  }
`;

/** The current agreement's version, as stored. */
async function currentVersion(): Promise<number> {
  const [row] = await t.sql<{ v: number }>(
    'SELECT coalesce(max(version), 0)::int AS v FROM opendata.data_use_agreement',
  );
  return row!.v;
}

/** What open data's mutations write: a refused one must leave it as it was. */
async function written(): Promise<string> {
  const [row] = await t.sql<Record<string, unknown>>(
    `SELECT (SELECT count(*) FROM opendata.data_use_agreement) AS agreements,
            (SELECT count(*) FROM opendata.dua_acceptance) AS acceptances,
            (SELECT count(*) FROM opendata.privacy_ledger) AS ledger,
            (SELECT count(*) FROM opendata.release) AS releases,
            (SELECT coalesce(max(computed_at)::text, '') FROM opendata.forecast) AS forecasts`,
  );
  return JSON.stringify(row);
}

interface AuditRow {
  actor: { sub: string };
  patientId?: string;
  resourceType: string;
  resourceId?: string;
  action: string;
  outcome: string;
  purpose: string;
  reason?: string;
}
async function audited(sub: string): Promise<AuditRow[]> {
  const rows = await t.sql<{ payload: string }>(
    `SELECT payload FROM audit.entry WHERE payload::jsonb -> 'actor' ->> 'sub' = $1 ORDER BY seq`,
    [sub],
  );
  return rows.map((r) => JSON.parse(r.payload) as AuditRow);
}

/**
 * One de-identified patient with one fact, written straight into open data's
 * store: this matrix is about who reaches what, not about ingestion (the
 * research and ingestion tests cover that), and a release needs facts.
 */
async function oneFact(): Promise<void> {
  const hex = () => createHash('sha256').update(randomUUID()).digest('hex');
  const pseudonym = hex();
  await t.sql(
    "INSERT INTO opendata.subject (pseudonym, birth_year, sex, zip3) VALUES ($1, 1970, 'female', '662')",
    [pseudonym],
  );
  await t.sql(
    `INSERT INTO opendata.fact (key, pseudonym, resource_type, status, codes, year, version)
     VALUES ($1, $2, 'Appointment', 'booked', '{}', 2026, 1)`,
    [hex(), pseudonym],
  );
}

/** A release id to read: the tables release the administrator publishes in beforeAll. */
let RELEASE_ID: string;

beforeAll(async () => {
  // The partner app sends query text, so that open data's own shield is what refuses it.
  t = await startTestStack('opendata-access', textPartnerClients([DEV_IDS.partnerClient]));
  for (const c of CALLERS) tokens.set(c, await mint(c));
  const admin = tokens.get('admin')!;
  await oneFact();
  const published = await t.gql<{ publishRelease: { id: string } }>(
    admin,
    'mutation { publishRelease(kind: TABLES) { id } }',
  );
  expect(published.errors, JSON.stringify(published.errors)).toBeUndefined();
  RELEASE_ID = published.data!.publishRelease.id;
  const v = await currentVersion();
  for (const c of ['researcher', 'readOnlyResearcher'] as const) {
    const r = await t.gql(tokens.get(c), ACCEPT, { v });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  }
}, 240_000);
afterAll(() => t?.stop());

/** One open-data root field, who may run it, and whether researchers need the agreement first. */
interface OpenDataOperation {
  field: string;
  allowed: readonly Caller[];
  agreement: boolean;
  /** Runs it; the answer and the value of the field. */
  run: (token: string | undefined, caller: Caller) => Promise<GqlResponse>;
  /** A write: a refused one changes nothing, an allowed one something (`refused`: only the first). */
  write?: true | 'refused';
}

const gql =
  (query: string, vars: () => object = () => ({})) =>
  (token: string | undefined) =>
    t.gql(token, query, vars());

const OPERATIONS: OpenDataOperation[] = [
  {
    field: 'dataUseAgreement',
    allowed: [...RESEARCHERS, ...STEWARD],
    agreement: false,
    run: gql(AGREEMENT),
  },
  {
    field: 'privacyBudget',
    allowed: RESEARCHERS,
    agreement: false,
    run: gql('query { privacyBudget { total spent remaining ledger { requestKey } } }'),
  },
  {
    field: 'releases',
    allowed: [...RESEARCHERS, ...STEWARD],
    agreement: true,
    run: gql('query { releases { id kind version } }'),
  },
  {
    field: 'release',
    allowed: [...RESEARCHERS, ...STEWARD],
    agreement: true,
    run: gql('query ($id: ID!) { release(id: $id) { id rowCount csv } }', () => ({
      id: RELEASE_ID,
    })),
  },
  {
    field: 'forecasts',
    allowed: [...RESEARCHERS, ...STEWARD],
    agreement: true,
    run: gql('query { forecasts(series: ADMISSIONS) { key method } }'),
  },
  {
    field: 'acceptDataUseAgreement',
    allowed: RESEARCHERS,
    agreement: false,
    write: true,
    // A fresh subject each time: the matrix's own researchers keep their acceptance as it was.
    run: async (_token, caller) =>
      t.gql(await mint(caller, `${subOf(caller)}-accepting-${randomUUID()}`), ACCEPT, {
        v: await currentVersion(),
      }),
  },
  {
    field: 'askCount',
    allowed: ['researcher', 'newResearcher'],
    agreement: true,
    write: true,
    run: gql(ASK, () => ({
      q: {
        requestKey: `access-${randomUUID()}`,
        groupBy: ['SEX'],
        yearFrom: 2020,
        yearTo: 2026,
        epsilon: 0.1,
      },
    })),
  },
  {
    field: 'publishRelease',
    allowed: STEWARD,
    agreement: false,
    write: true,
    run: gql('mutation { publishRelease(kind: TABLES) { id version } }'),
  },
  {
    field: 'refreshForecasts',
    allowed: STEWARD,
    agreement: false,
    // One fact makes no weekly series: an allowed refresh may write nothing.
    write: 'refused',
    run: gql('mutation { refreshForecasts { key } }'),
  },
  // Last: a new version asks every researcher to accept again.
  {
    field: 'publishDataUseAgreement',
    allowed: STEWARD,
    agreement: false,
    write: true,
    run: gql(
      'mutation { publishDataUseAgreement(title: "Access matrix", body: "Terms, again.") { version } }',
    ),
  },
];

/** What a caller gets from an operation: data, or exactly one error code. */
function expectedOf(op: OpenDataOperation, caller: Caller): string {
  if (UNAUTHENTICATED.includes(caller)) return 'UNAUTHENTICATED';
  if (!op.allowed.includes(caller)) return 'FORBIDDEN';
  return op.agreement && caller === 'newResearcher' ? 'AGREEMENT_REQUIRED' : 'data';
}

/** The supergraph, as the gateway composes it: every root field of every subgraph. */
const SUPERGRAPH = buildSchema(fs.readFileSync('schema/supergraph.graphql', 'utf8'), {
  assumeValidSDL: true,
});
interface RootField {
  type: 'Query' | 'Mutation';
  field: GraphQLField<unknown, unknown>;
  graph: string;
}
function rootFields(): RootField[] {
  const of = (type: 'Query' | 'Mutation', object: GraphQLObjectType) =>
    Object.values(object.getFields()).map((field) => {
      const join = field.astNode?.directives?.find((d) => d.name.value === 'join__field');
      const graph = join?.arguments?.find((a) => a.name.value === 'graph')?.value;
      return { type, field, graph: graph?.kind === Kind.ENUM ? graph.value : '' };
    });
  return [
    ...of('Query', SUPERGRAPH.getQueryType()!),
    ...of('Mutation', SUPERGRAPH.getMutationType()!),
  ];
}
const ROOT_FIELDS = rootFields();
const nameOf = (f: RootField) => `${f.type}.${f.field.name}`;

describe('the matrix covers every caller and every open-data root field', () => {
  it('every role of platform/identity/principal.ts has a caller', () => {
    expect(new Set(CALLERS.map((c) => ROLE_OF[c]).filter(Boolean))).toEqual(new Set(ROLES));
  });

  it('the dev issuer signs no researcher token with another purpose than research (the matrix’s is forged)', async () => {
    for (const purposeOfUse of ['TREAT', 'HOPERAT', 'HSYSADMIN'] as const)
      await expect(t.token('researcher', { purposeOfUse })).rejects.toThrow(/not allowed/);
  });

  it('nothing open data answers leads into another subgraph: every type its fields reach is its own', () => {
    const seen = new Set<string>();
    const walk = (type: GraphQLOutputType): void => {
      const named = getNamedType(type);
      if (seen.has(named.name) || !isObjectType(named)) return;
      seen.add(named.name);
      const graphs = (named.astNode?.directives ?? [])
        .filter((d) => d.name.value === 'join__type')
        .map((d) => d.arguments?.find((a) => a.name.value === 'graph')?.value)
        .map((v) => (v?.kind === Kind.ENUM ? v.value : ''));
      expect(graphs, named.name).toEqual(['OPEN_DATA']);
      for (const f of Object.values(named.getFields())) walk(f.type);
    };
    for (const f of ROOT_FIELDS.filter((r) => r.graph === 'OPEN_DATA')) walk(f.field.type);
    expect(seen.size).toBeGreaterThan(10);
  });

  it('every open-data Query and Mutation field of the supergraph is an operation', () => {
    const openData = ROOT_FIELDS.filter((f) => f.graph === 'OPEN_DATA').map((f) => f.field.name);
    expect(openData.sort()).toEqual(OPERATIONS.map((o) => o.field).sort());
    // Every field is joined to a subgraph: the researcher's row below reads the graph of each.
    for (const f of ROOT_FIELDS) expect(f.graph, f.field.name).toMatch(/^[A-Z_]+$/);
  });
});

describe('open data, per caller', () => {
  for (const op of OPERATIONS)
    for (const caller of CALLERS) {
      const expected = expectedOf(op, caller);
      it(`${op.field} as ${caller}: ${expected}`, async () => {
        const before = op.write ? await written() : '';
        const r = await op.run(tokens.get(caller), caller);
        const value = r.data?.[op.field];
        const got = outcome(r, value);
        if (expected === 'data') {
          expect(got, JSON.stringify(r.errors)).toEqual({ ok: true, code: undefined });
          if (op.write === true) expect(await written()).not.toBe(before);
          return;
        }
        expect(r.errors?.map((e) => e.extensions?.code)).toEqual([expected]);
        expect(value ?? null).toBeNull();
        if (caller === 'wrongPurposeResearcher') expect(r.status).toBe(401);
        if (expected === 'AGREEMENT_REQUIRED')
          expect(r.errors![0]!.extensions).toMatchObject({ version: await currentVersion() });
        if (op.write) expect(await written()).toBe(before);
      });
    }
});

/** Plausible arguments by name; any other argument is made from its type. */
const PLAUSIBLE: Record<string, () => unknown> = {
  patientId: () => t.demo.patientId,
  practitionerId: () => t.demo.practitionerId,
  rxcui: () => '860975',
  drugRxcui: () => '860975',
  drugRxcuis: () => ['860975'],
  date: () => '2026-12-07',
  from: () => new Date(Date.now() + 86_400_000).toISOString(),
  to: () => new Date(Date.now() + 8 * 86_400_000).toISOString(),
  near: () => ({ postalCode: '66204' }),
  codes: () => ['A0428'],
  search: () => 'amox',
  url: () => 'https://example.org/hooks/carefed',
  eventTypes: () => ['appointment.booked'],
  role: () => 'primary-care',
  reason: () => 'Unresponsive on arrival in the emergency department',
};

/** A value of an input type: required fields only, enums' first value, scalars of the right form. */
function sample(type: GraphQLInputType, name: string): unknown {
  const plausible = PLAUSIBLE[name];
  if (plausible) return plausible();
  if (isNonNullType(type)) return sample(type.ofType, name);
  if (isListType(type)) return [sample(type.ofType, name)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type))
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, sample(f.type, f.name)]),
    );
  if (isScalarType(type))
    switch (type.name) {
      case 'ID':
        return randomUUID();
      case 'Int':
        return 1;
      case 'Float':
        return 1.5;
      case 'Boolean':
        return true;
      case 'DateTimeISO':
        return new Date(Date.now() + 86_400_000).toISOString();
      case 'JSONObject':
        return {};
      default:
        return 'access-matrix';
    }
  throw new Error(`no sample for ${String(type)}`);
}

/** One root field on its own, with its required arguments as variables and `__typename` selected. */
function callOf({ type, field }: RootField): { query: string; variables: Record<string, unknown> } {
  // Required arguments, and the optional ones a plausible call names (a practitioner for slots).
  const args = field.args.filter((a) => isNonNullType(a.type) || a.name in PLAUSIBLE);
  const declared = args.map((a, i) => `$a${i}: ${String(a.type)}`).join(', ');
  const passed = args.map((a, i) => `${a.name}: $a${i}`).join(', ');
  const selection = isScalarType(getNamedType(field.type)) ? '' : ' { __typename }';
  return {
    query: `${type.toLowerCase()}${declared ? ` (${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selection} }`,
    variables: Object.fromEntries(
      args.map((a, i) => [
        `a${i}`,
        // patient(id) names a patient: the demo one, so a refusal is recorded in their log.
        a.name === 'id' && field.name === 'patient' ? t.demo.patientId : sample(a.type, a.name),
      ]),
    ),
  };
}

/**
 * The one root field every caller reaches, signed in or not: the audit log's
 * public key (subgraphs/patient/permissions.ts), public material for anyone
 * verifying the log; no record.
 */
const ANSWERED_TO_EVERY_CALLER = ['Query.auditLogPublicKey'];
const OUTSIDE = ROOT_FIELDS.filter(
  (f) => f.graph !== 'OPEN_DATA' && !ANSWERED_TO_EVERY_CALLER.includes(nameOf(f)),
);

describe('a researcher reaches nothing outside open data', () => {
  it('the supergraph has root fields in every other subgraph', () => {
    expect(new Set(OUTSIDE.map((f) => f.graph))).toEqual(
      new Set(['BILLING', 'CARE_ROUTING', 'FHIR_ADAPTER', 'PATIENT', 'PHARMACY', 'SCHEDULING']),
    );
  });

  it('what a researcher still reads outside open data names no record: a public key', async () => {
    expect(
      ROOT_FIELDS.filter((f) => ANSWERED_TO_EVERY_CALLER.includes(nameOf(f))).map((f) => f.graph),
    ).toEqual(['PATIENT']);
    const r = await t.gql<{ auditLogPublicKey: string | null }>(
      tokens.get('researcher'),
      'query { auditLogPublicKey }',
    );
    expect(r.errors).toBeUndefined();
    const key = r.data!.auditLogPublicKey;
    if (key !== null) {
      const jwk = JSON.parse(key) as Record<string, unknown>;
      expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
      expect(jwk).not.toHaveProperty('d');
    }
  });

  /**
   * The demo researcher, and one whose token carries every user scope
   * (`user/*.cruds`, as an administrator's): the role, not the scopes,
   * keeps researchers out, so a too-generous issuer opens nothing.
   */
  const asResearcher = {
    researcher: () => tokens.get('researcher'),
    'researcher with every user scope': () =>
      t.token('researcher', { sub: subOf('researcher'), scopes: ['user/*.cruds'] }),
  };
  for (const [who, token] of Object.entries(asResearcher))
    for (const f of OUTSIDE)
      it(`${nameOf(f)} (${f.graph}) as ${who}: FORBIDDEN, no data`, async () => {
        const { query, variables } = callOf(f);
        const r = await t.gql<Record<string, unknown>>(await token(), query, variables);
        expect(r.status).toBeLessThan(500);
        expect(
          r.errors?.map((e) => [e.extensions?.code, e.path?.join('.')]),
          JSON.stringify(r.errors),
        ).toEqual([['FORBIDDEN', f.field.name]]);
        expect(r.data?.[f.field.name] ?? null).toBeNull();
      });
});

/** Waits for an audit condition: each subgraph appends its entries as it answers, by its own pool. */
async function untilAudited(
  sub: string,
  check: (rows: AuditRow[]) => boolean,
  ms = 10_000,
): Promise<AuditRow[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const rows = await audited(sub);
    if (check(rows) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the audit log', () => {
  it('has a denial for every root field refused to the researcher outside open data, under their research purpose', async () => {
    const refused = (rows: AuditRow[]) =>
      new Set(
        rows
          .filter((e) => e.outcome === 'deny' && e.reason === 'denied:role-or-scope')
          .map((e) => e.resourceType),
      );
    const expected = OUTSIDE.map((f) => `graphql:${nameOf(f)}`);
    const rows = await untilAudited(subOf('researcher'), (r) =>
      expected.every((x) => refused(r).has(x)),
    );
    expect(expected.filter((x) => !refused(rows).has(x))).toEqual([]);
    for (const e of rows.filter((r) => r.resourceType.startsWith('graphql:'))) {
      expect(e).toMatchObject({ outcome: 'deny', purpose: 'HRESCH' });
      expect(e.action).toBe(e.resourceType.startsWith('graphql:Query.') ? 'read' : 'update');
    }
  });

  it('records open data accesses as ResearchData with no patient: permits for the researcher, denied:agreement before the agreement', async () => {
    const research = (rows: AuditRow[]) => rows.filter((e) => e.resourceType === 'ResearchData');
    const permitted = research(
      await untilAudited(
        subOf('researcher'),
        (r) => research(r).filter((e) => e.outcome === 'permit').length >= 5,
      ),
    );
    expect(new Set(permitted.map((e) => e.reason?.split(':')[0]))).toEqual(
      new Set(['agreement', 'privacy-budget', 'releases', 'release', 'forecasts', 'dp-count']),
    );
    // Reading a release names it; nothing names a patient.
    expect(permitted.filter((e) => e.reason === 'release').map((e) => e.resourceId)).toContain(
      RELEASE_ID,
    );
    const refused = research(
      await untilAudited(
        subOf('newResearcher'),
        (r) => research(r).filter((e) => e.outcome === 'deny').length >= 4,
      ),
    );
    expect(refused.filter((e) => e.outcome === 'deny').map((e) => e.reason)).toEqual(
      Array(4).fill('denied:agreement'),
    );
    for (const e of [...permitted, ...refused]) {
      expect(e.patientId).toBeUndefined();
      expect(e.purpose).toBe('HRESCH');
    }
  });

  it('records the administrator’s stewardship as ResearchData with no patient', async () => {
    const rows = (
      await untilAudited(subOf('admin'), (r) => r.some((e) => e.reason?.startsWith('agreement:v')))
    ).filter((e) => e.resourceType === 'ResearchData');
    expect(
      rows.filter((e) => e.action !== 'search' && e.action !== 'read').map((e) => e.reason),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^release:tables:v\d+$/),
        'forecasts:refresh',
        expect.stringMatching(/^agreement:v\d+$/),
      ]),
    );
    for (const e of rows) expect(e.patientId).toBeUndefined();
  });

  it('records no open data access by the callers it refused but a shield denial', async () => {
    for (const caller of ['clinician', 'billing', 'auditor', 'noScopeResearcher'] as const) {
      const rows = await audited(subOf(caller));
      expect(
        rows.filter((e) => e.resourceType === 'ResearchData'),
        caller,
      ).toEqual([]);
      expect(
        rows.filter((e) => e.resourceType === 'graphql:Mutation.askCount').map((e) => e.outcome),
        caller,
      ).toEqual(['deny']);
    }
  });
});

describe('a new version of the agreement', () => {
  it('asks the researcher who accepted the last one again, with the version to accept', async () => {
    const token = tokens.get('researcher');
    const v = await currentVersion();
    expect(v).toBeGreaterThanOrEqual(2);
    const refused = await t.gql(token, 'query { releases { id } }');
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['AGREEMENT_REQUIRED']);
    expect(refused.errors![0]!.extensions).toMatchObject({ version: v });
    const agreement = await t.gql<{ dataUseAgreement: { version: number; acceptedAt: null } }>(
      token,
      AGREEMENT,
    );
    expect(agreement.data?.dataUseAgreement).toEqual({ version: v, acceptedAt: null });
    expect((await t.gql(token, ACCEPT, { v })).errors).toBeUndefined();
    const again = await t.gql<{ releases: { id: string }[] }>(token, 'query { releases { id } }');
    expect(again.errors).toBeUndefined();
    expect(again.data!.releases.map((r) => r.id)).toContain(RELEASE_ID);
  });
});
