import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientApp } from '../../gateway/clients/registry.js';
import { hashClientSecret, newClientSecret } from '../../gateway/clients/secret.js';
import { readNdjson } from '../../platform/data/ndjson.js';
import { DEV_IDS } from '../../platform/identity/dev-principal.js';
import { DEMO_DATA_DIR } from '../../scripts/stack.js';
import {
  npiOf,
  practitionerFromFhir,
  rolesByNpi,
  type FhirPractitioner,
  type FhirPractitionerRole,
} from '../../subgraphs/contracts/fhir-practitioner.js';
import { textPartnerClients } from '../support/clients.js';
import { statementsOf } from '../support/statements.js';
import {
  demoOverrides,
  startTestStack,
  type GqlResponse,
  type TestStack,
} from '../support/stack.js';

/**
 * The directory import through the gateway, as the FHIR adapter calls it: a
 * first-party system client with a client-credentials token (role partner,
 * no patient, `system/Practitioner.cru`). The Synthea files the seed loaded
 * import as UNCHANGED; new and changed practitioners are CREATED and UPDATED;
 * only admins and system clients may import; bad batches write nothing; a
 * batch costs the same statements whatever its size.
 */
const IMPORTER = 'fhir-import-test';
const STRANGER_APP = 'system-no-directory';
let t: TestStack;
let admin: string;
let system: string;
const secret = newClientSecret();

interface Result {
  sourceKey: string;
  id: string;
  outcome: 'CREATED' | 'UPDATED' | 'UNCHANGED';
}
type Entry = Record<string, unknown> & { sourceKey: string; npi: string };

const IMPORT = /* GraphQL */ `
  mutation ($practitioners: [ImportPractitionerInput!]!) {
    importPractitioners(practitioners: $practitioners) {
      sourceKey
      id
      outcome
    }
  }
`;

const run = (token: string, practitioners: Entry[]) =>
  t.gql<{ importPractitioners: Result[] }>(token, IMPORT, { practitioners });

function ok(r: GqlResponse<{ importPractitioners: Result[] }>): Result[] {
  expect(r.errors).toBeUndefined();
  return r.data!.importPractitioners;
}

function code(r: GqlResponse<unknown>): string | undefined {
  expect(r.status).toBeLessThan(500);
  return r.errors?.[0]?.extensions?.code;
}

/** The whole directory, to show a call wrote nothing. */
async function directory(): Promise<string> {
  const [row] = await t.sql<{ h: string }>(
    `SELECT count(*) || ':' || md5(coalesce(string_agg(p::text, ',' ORDER BY id), '')) AS h
       FROM scheduling.practitioner p`,
  );
  return row!.h;
}

// Fresh NPIs in the 888 range (Synthea's are 999…), distinct across runs on one database.
const NPI_BASE = 8_880_000_000 + (Date.now() % 1_000) * 1_000;
let npiSeq = 0;
function entry(over: Partial<Entry> = {}): Entry {
  const npi = String(NPI_BASE + ++npiSeq);
  return {
    sourceKey: `Practitioner/import-${npi}`,
    npi,
    family: 'Import',
    given: ['Ada'],
    prefix: 'Dr.',
    specialties: ['Family Medicine'],
    facilityIds: ['fac-import'],
    ...over,
  };
}

async function clientToken(client: string, scope?: string): Promise<string> {
  const res = await fetch(`${new URL(t.stack.gatewayUrl).origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client,
      client_secret: secret,
      ...(scope ? { scope } : {}),
    }).toString(),
  });
  const body = (await res.json()) as { access_token?: string; patient?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.patient).toBeUndefined();
  return body.access_token!;
}

beforeAll(async () => {
  const secretHash = await hashClientSecret(secret);
  const systemClient = (id: string, allowedScopes: string[]): ClientApp => ({
    id,
    secretHash,
    allowedScopes,
    persistedOnly: false,
    rateLimitTier: 'standard',
  });
  t = await startTestStack('sched-import', {
    // No periodic audit-head signing in the middle of a statement count.
    AUDIT_HEAD_INTERVAL: '3600',
    ...textPartnerClients(
      [DEV_IDS.partnerClient],
      [
        systemClient(IMPORTER, ['system/Practitioner.cru', 'system/PractitionerRole.cru']),
        systemClient(STRANGER_APP, ['system/Appointment.rs']),
      ],
    ),
  });
  admin = await t.token('admin');
  system = await clientToken(IMPORTER, 'system/Practitioner.cru system/PractitionerRole.cru');
});
afterAll(() => t?.stop());

describe('importPractitioners', () => {
  it('imports the Synthea practitioners the seed loaded as UNCHANGED, writing nothing', async () => {
    const roles = rolesByNpi(
      readNdjson<FhirPractitionerRole>(path.join(DEMO_DATA_DIR, 'PractitionerRole.000.ndjson')),
    );
    const entries = readNdjson<FhirPractitioner>(
      path.join(DEMO_DATA_DIR, 'Practitioner.000.ndjson'),
    ).map((p) => ({
      ...practitionerFromFhir(p, roles.get(npiOf(p))),
      sourceKey: `Practitioner/${p.id}`,
    }));
    const before = await directory();
    const results = ok(await run(system, entries));
    expect(results).toEqual(
      entries.map((e) => ({ sourceKey: e.sourceKey, id: e.id, outcome: 'UNCHANGED' })),
    );
    expect(await directory()).toBe(before);
  });

  it('creates a new practitioner under its FHIR id, queryable as practitioner(id)', async () => {
    const e = entry({ id: 'fhir-new-1' });
    expect(ok(await run(system, [e]))).toEqual([
      { sourceKey: e.sourceKey, id: 'fhir-new-1', outcome: 'CREATED' },
    ]);
    const r = await t.gql<{ practitioner: Record<string, unknown> }>(
      admin,
      /* GraphQL */ `
        query ($id: ID!) {
          practitioner(id: $id) {
            id
            npi
            name {
              family
              given
              text
            }
            specialties
            facilityIds
          }
        }
      `,
      { id: 'fhir-new-1' },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.practitioner).toEqual({
      id: 'fhir-new-1',
      npi: e.npi,
      name: { family: 'Import', given: ['Ada'], text: 'Dr. Ada Import' },
      specialties: ['Family Medicine'],
      facilityIds: ['fac-import'],
    });
    // The same entry again: nothing to do.
    expect(ok(await run(system, [e]))[0]!.outcome).toBe('UNCHANGED');
  });

  it('gives a new practitioner a fresh UUID when its wanted id is taken', async () => {
    const [seeded] = await t.sql<{ id: string }>('SELECT id FROM scheduling.practitioner LIMIT 1');
    const [r] = ok(await run(admin, [entry({ id: seeded!.id })]));
    expect(r!.outcome).toBe('CREATED');
    expect(r!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r!.id).not.toBe(seeded!.id);
  });

  it('updates a changed name, keeping the id, and reports the rest of the batch', async () => {
    const e = entry({ id: 'fhir-rename' });
    ok(await run(system, [e]));
    const other = entry();
    const results = ok(await run(system, [{ ...e, family: 'Renamed', id: 'ignored' }, other]));
    expect(results).toEqual([
      { sourceKey: e.sourceKey, id: 'fhir-rename', outcome: 'UPDATED' },
      { sourceKey: other.sourceKey, id: expect.any(String), outcome: 'CREATED' },
    ]);
    const [row] = await t.sql<{ family: string; npi: string }>(
      'SELECT family, npi FROM scheduling.practitioner WHERE id = $1',
      ['fhir-rename'],
    );
    expect(row).toEqual({ family: 'Renamed', npi: e.npi });
  });

  it('costs BEGIN, one SELECT, one write and COMMIT, for 1 practitioner as for 50', async () => {
    const one = await statementsOf(t, ['scheduling'], () => run(system, [entry()]));
    const fifty = await statementsOf(t, ['scheduling'], () =>
      run(
        system,
        Array.from({ length: 50 }, () => entry()),
      ),
    );
    expect(ok(fifty.result)).toHaveLength(50);
    expect(one.statements.scheduling).toBe(4);
    expect(fifty.statements.scheduling).toBe(4);
  });
});

describe('who may import', () => {
  const refused: [string, () => Promise<string>][] = [
    ['clinician', () => t.token('clinician', demoOverrides(t).clinician)],
    ['scheduler', () => t.token('scheduler')],
    ['patient', () => t.token('patient', demoOverrides(t).patient)],
    [
      'a patient-bound partner, even with system scopes',
      () =>
        t.token('partner', {
          ...demoOverrides(t).partner,
          scopes: ['system/Practitioner.cru', 'patient/Practitioner.cru'],
        }),
    ],
    ['a system client without Practitioner scopes', () => clientToken(STRANGER_APP)],
    [
      'an admin without Practitioner.u',
      () => t.token('admin', { scopes: ['user/Practitioner.crs'] }),
    ],
  ];

  it.each(refused)('refuses %s (FORBIDDEN, nothing written)', async (_who, token) => {
    const before = await directory();
    const r = await run(await token(), [entry()]);
    expect(code(r)).toBe('FORBIDDEN');
    expect(r.data?.importPractitioners ?? null).toBeNull();
    expect(await directory()).toBe(before);
  });

  it.each([
    ['an admin', () => Promise.resolve(admin)],
    ['a system client', () => Promise.resolve(system)],
  ])('allows %s', async (_who, token) => {
    expect(ok(await run(await token(), [entry()]))[0]!.outcome).toBe('CREATED');
  });
});

describe('bad batches write nothing', () => {
  const cases: [string, () => Entry[], string][] = [
    ['a malformed NPI', () => [entry(), entry({ npi: '12345' })], 'practitioners[1].npi'],
    ['an 11-digit NPI', () => [entry(), entry({ npi: '99999083921' })], 'practitioners[1].npi'],
    ['201 entries', () => Array.from({ length: 201 }, () => entry()), 'practitioners'],
    [
      'a repeated NPI',
      () => {
        const a = entry();
        return [a, entry({ npi: a.npi })];
      },
      'practitioners[1].npi',
    ],
    ['an empty family name', () => [entry(), entry({ family: '' })], 'practitioners[1].family'],
  ];

  it.each(cases)('%s is BAD_USER_INPUT', async (_what, batch, field) => {
    const before = await directory();
    const r = await run(system, batch());
    expect(code(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.field).toBe(field);
    expect(await directory()).toBe(before);
  });
});
