import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_TOKEN_HEADER } from '../../platform/federation/subgraph-server.js';
import { restOperation } from '../../platform/federation/rest-operation.js';
import { devPrincipal } from '../../platform/identity/dev-principal.js';
import { loadGatewaySigner } from '../../platform/identity/service-keys.js';
import { bodyContext } from '../../subgraphs/fhir-adapter/store/resource-cipher.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * FHIR transaction and batch bundles through the gateway: a transaction is
 * all or nothing (an invalid, refused or unmapped entry writes nothing), a
 * batch answers per entry; `urn:uuid` references resolve within a bundle;
 * posting the same bundle again changes nothing; access is the kernel's
 * (care team, role) and refusals are audited; security labels follow the
 * codes.
 */
let t: TestStack;
let clinician: string;
let admin: string;
let gateway: string;

const SNOMED = 'http://snomed.info/sct';
const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

type Json = Record<string, unknown>;
interface Issue {
  severity: string;
  code: string;
  diagnostics: string;
  expression?: string[];
}
interface Outcome {
  resourceType: 'OperationOutcome';
  issue: Issue[];
}
interface ResponseEntry {
  response: { status: string; location?: string; etag?: string; outcome?: Outcome };
}
interface ResponseBundle {
  resourceType: 'Bundle';
  type: string;
  entry: ResponseEntry[];
}

const condition = (patientRef: string, code = { system: SNOMED, code: '38341003' }): Json => ({
  resourceType: 'Condition',
  clinicalStatus: {
    coding: [
      { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' },
    ],
  },
  code: { coding: [code] },
  subject: { reference: patientRef },
  onsetDateTime: '2021-03-04',
});

const allergy = (patientRef: string): Json => ({
  resourceType: 'AllergyIntolerance',
  clinicalStatus: {
    coding: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
        code: 'active',
      },
    ],
  },
  code: { coding: [{ system: SNOMED, code: '91935009', display: 'Allergy to peanut' }] },
  patient: { reference: patientRef },
});

const entry = (resource: Json, fullUrl = `urn:uuid:${randomUUID()}`): Json => ({
  fullUrl,
  resource,
  request: { method: 'POST', url: String(resource.resourceType) },
});

const bundle = (type: string, entries: Json[]): Json => ({
  resourceType: 'Bundle',
  type,
  entry: entries,
});

/** A POST to the gateway's FHIR base; the body as given (a string is sent as it is). */
async function post(
  token: string | undefined,
  body: unknown,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${gateway}/fhir/R4`, {
    method: 'POST',
    headers: {
      'content-type': 'application/fhir+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** What a write would change: resources, versions, the source map and the outbox. */
interface Written {
  resources: number;
  versions: number;
  sources: number;
  events: number;
}
async function written(): Promise<Written> {
  const [row] = await t.sql<Written & Record<string, number>>(
    `SELECT (SELECT count(*) FROM fhir.resource)::int AS resources,
            (SELECT count(*) FROM fhir.resource_version)::int AS versions,
            (SELECT count(*) FROM fhir.source_map)::int AS sources,
            (SELECT count(*) FROM fhir.outbox WHERE type = 'clinical.changed')::int AS events`,
  );
  return row!;
}

/** A stored resource's current body, decrypted with the subgraph's cipher. */
async function stored(id: string): Promise<Json & { meta: { security: Json[] } }> {
  const [row] = await t.sql<{ body: string }>('SELECT body FROM fhir.resource WHERE id = $1', [id]);
  const text = t.stack.subgraph('fhir-adapter').cipher.decryptSync(row!.body, bodyContext(id))!;
  return JSON.parse(text) as Json & { meta: { security: Json[] } };
}

/** `Type/id/_history/v` or `Type/id` → id. */
const idOf = (location: string | undefined) => location!.split('/')[1]!;

const expressions = (o: Outcome) => o.issue.flatMap((i) => i.expression ?? []);

beforeAll(async () => {
  t = await startTestStack('fhir-bundles');
  gateway = new URL(t.stack.gatewayUrl).origin;
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  admin = await t.token('admin', { sub: 'bundle-admin' });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('transaction and batch bundles', () => {
  const patient = () => `Patient/${t.demo.patientId}`;
  const invalid = () => ({
    ...condition(patient()),
    code: { coding: [{ system: 5 }] },
  });

  it('fails a transaction with an invalid entry as a whole, naming the entry and path', async () => {
    const before = await written();
    const r = await post(
      clinician,
      bundle('transaction', [
        entry(condition(patient())),
        entry(invalid()),
        entry(allergy(patient())),
      ]),
    );
    expect(r.status).toBe(400);
    const outcome = r.body as Outcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.length).toBeGreaterThan(0);
    for (const i of outcome.issue) expect(i.diagnostics).toMatch(/^Bundle\.entry\[1\]: /);
    expect(expressions(outcome)).toContain('Bundle.entry[1].resource.code.coding[0].system');
    expect(outcome.issue.map((i) => i.diagnostics).join('\n')).toContain(
      'Bundle.entry[1]: Condition.code.coding[0].system',
    );
    expect(await written()).toEqual(before);
  });

  it('answers a batch per entry: the valid written and readable, the invalid refused', async () => {
    const before = await written();
    const r = await post(
      clinician,
      bundle('batch', [entry(condition(patient())), entry(invalid()), entry(allergy(patient()))]),
    );
    expect(r.status).toBe(200);
    const b = r.body as ResponseBundle;
    expect(b.type).toBe('batch-response');
    expect(b.entry.map((e) => e.response.status)).toEqual([
      '201 Created',
      '400 Bad Request',
      '201 Created',
    ]);
    expect(b.entry[0]!.response.location).toMatch(/^Condition\/[0-9a-f-]{36}\/_history\/1$/);
    expect(b.entry[2]!.response.location).toMatch(
      /^AllergyIntolerance\/[0-9a-f-]{36}\/_history\/1$/,
    );
    const refused = b.entry[1]!.response.outcome!;
    expect(refused.resourceType).toBe('OperationOutcome');
    expect(expressions(refused)).toContain('Condition.code.coding[0].system');
    const after = await written();
    expect(after.resources).toBe(before.resources + 2);
    expect(after.events).toBe(before.events + 2);

    for (const i of [0, 2]) {
      const read = await t.gql<{ clinicalResource: { id: string; version: number; fhir: Json } }>(
        clinician,
        /* GraphQL */ `
          query ($id: ID!) {
            clinicalResource(id: $id) {
              id
              version
              fhir
            }
          }
        `,
        { id: idOf(b.entry[i]!.response.location) },
      );
      expect(read.errors).toBeUndefined();
      expect(read.data!.clinicalResource.version).toBe(1);
      expect(read.data!.clinicalResource.fhir.resourceType).toBe(
        i === 0 ? 'Condition' : 'AllergyIntolerance',
      );
    }
  });

  describe('urn:uuid references in a transaction', () => {
    const mrn = `MRN-BUNDLE-${randomUUID().slice(0, 8)}`;
    const [p, e, c] = [randomUUID(), randomUUID(), randomUUID()].map((u) => `urn:uuid:${u}`) as [
      string,
      string,
      string,
    ];
    const tx = () =>
      bundle('transaction', [
        entry(
          {
            resourceType: 'Patient',
            identifier: [
              {
                type: {
                  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }],
                },
                system: 'https://carefed.example/mrn',
                value: mrn,
              },
            ],
            name: [{ family: 'Okonkwo', given: ['Ada'] }],
            birthDate: '1984-07-12',
            gender: 'female',
          },
          p,
        ),
        entry(
          {
            resourceType: 'Encounter',
            status: 'finished',
            class: { system: ACT_CODE, code: 'AMB' },
            subject: { reference: p },
            period: { start: '2024-03-01T10:00:00Z', end: '2024-03-01T10:30:00Z' },
          },
          e,
        ),
        entry({ ...condition(p), encounter: { reference: e } }, c),
      ]);
    let ids: string[] = [];

    it('creates the patient through the patient subgraph and points the records at it', async () => {
      const r = await post(admin, tx());
      expect(r.status).toBe(200);
      const b = r.body as ResponseBundle;
      expect(b.type).toBe('transaction-response');
      expect(b.entry.map((x) => x.response.status)).toEqual([
        '201 Created',
        '201 Created',
        '201 Created',
      ]);
      ids = b.entry.map((x) => idOf(x.response.location));
      expect(b.entry[0]!.response.location).toBe(`Patient/${ids[0]}`);
      const [patientId, encounterId, conditionId] = ids as [string, string, string];

      const stored_ = await stored(conditionId);
      expect(stored_.subject).toEqual({ reference: `Patient/${patientId}` });
      expect(stored_.encounter).toEqual({ reference: `Encounter/${encounterId}` });
      expect((await stored(encounterId)).subject).toEqual({ reference: `Patient/${patientId}` });
      expect(
        await t.sql(
          'SELECT type, patient_id FROM fhir.resource WHERE id = ANY($1::uuid[]) ORDER BY type',
          [[encounterId, conditionId]],
        ),
      ).toEqual([
        { type: 'Condition', patient_id: patientId },
        { type: 'Encounter', patient_id: patientId },
      ]);

      const read = await t.gql<{ patient: { id: string; mrn: string } }>(
        admin,
        /* GraphQL */ `
          query ($id: ID!) {
            patient(id: $id) {
              id
              mrn
            }
          }
        `,
        { id: patientId },
      );
      expect(read.errors).toBeUndefined();
      expect(read.data!.patient).toEqual({ id: patientId, mrn });
    });

    it('leaves everything as it is when the same transaction comes again', async () => {
      expect(ids).toHaveLength(3);
      const before = await written();
      const r = await post(admin, tx());
      expect(r.status).toBe(200);
      const b = r.body as ResponseBundle;
      expect(b.entry.map((x) => x.response.status)).toEqual(['200 OK', '200 OK', '200 OK']);
      expect(b.entry.map((x) => idOf(x.response.location))).toEqual(ids);
      expect(await written()).toEqual(before);
    });
  });

  describe('access', () => {
    it('refuses a clinician a patient off their care team, writes nothing and audits the refusal', async () => {
      const other = t.demo.otherPatientId;
      const audited = async () =>
        (
          await t.sql<{ n: number }>(
            `SELECT count(*)::int AS n FROM audit.entry
              WHERE payload::jsonb ->> 'patientId' = $1
                AND payload::jsonb ->> 'resourceType' = 'Condition'
                AND payload::jsonb ->> 'action' = 'create'
                AND payload::jsonb ->> 'outcome' = 'deny'`,
            [other],
          )
        )[0]!.n;
      const [before, deniedBefore] = [await written(), await audited()];
      const r = await post(
        clinician,
        bundle('transaction', [entry(condition(`Patient/${other}`))]),
      );
      expect(r.status).toBe(403);
      const outcome = r.body as Outcome;
      expect(outcome.issue.map((i) => i.code)).toEqual(['forbidden']);
      expect(expressions(outcome)[0]).toMatch(/^Bundle\.entry\[0\]/);
      expect(await written()).toEqual(before);
      expect(await audited()).toBe(deniedBefore + 1);
    });

    it('lets only importers import a Patient', async () => {
      const before = await written();
      const r = await post(
        clinician,
        bundle('batch', [
          entry({
            resourceType: 'Patient',
            name: [{ family: 'Nobody' }],
            birthDate: '1990-01-01',
            gender: 'male',
          }),
          entry(condition(`Patient/${t.demo.patientId}`)),
        ]),
      );
      expect(r.status).toBe(200);
      const b = r.body as ResponseBundle;
      expect(b.entry.map((x) => x.response.status)).toEqual(['403 Forbidden', '201 Created']);
      expect(b.entry[0]!.response.outcome!.issue[0]!.code).toBe('forbidden');
      expect((await written()).resources).toBe(before.resources + 1);
    });

    it('refuses the front desk and researchers, and a call without a token', async () => {
      const before = await written();
      const tx = bundle('transaction', [entry(condition(`Patient/${t.demo.patientId}`))]);
      for (const role of ['scheduler', 'researcher'] as const) {
        const r = await post(await t.token(role), tx);
        expect(r.status, role).toBe(403);
        expect((r.body as Outcome).resourceType).toBe('OperationOutcome');
      }
      const anonymous = await post(undefined, tx);
      expect(anonymous.status).toBe(401);
      expect((anonymous.body as Outcome).issue[0]!.code).toBe('login');
      expect(await written()).toEqual(before);
    });

    it('accepts at the subgraph only a token the gateway signed for that very call', async () => {
      const direct = `${new URL(t.stack.subgraph('fhir-adapter').url).origin}/fhir/R4`;
      const signer = await loadGatewaySigner(t.config);
      const signed = Buffer.from(
        JSON.stringify(bundle('batch', [entry(condition(`Patient/${t.demo.patientId}`))])),
      );
      const token = signer.signNow(devPrincipal('admin', { sub: 'bundle-admin' }), {
        requestId: randomUUID(),
        subgraph: 'fhir-adapter',
        operation: restOperation('POST', '/fhir/R4', signed),
      });
      const send = (body: Buffer, header?: string) =>
        fetch(direct, {
          method: 'POST',
          headers: {
            'content-type': 'application/fhir+json',
            ...(header ? { [INTERNAL_TOKEN_HEADER]: header } : {}),
          },
          body,
        });
      const before = await written();
      const other = Buffer.from(
        JSON.stringify(bundle('batch', [entry(condition(`Patient/${t.demo.otherPatientId}`))])),
      );
      expect((await send(signed)).status).toBe(401);
      expect((await send(other, token)).status).toBe(401);
      expect(await written()).toEqual(before);
      // The same token with the body it was signed for is accepted: the refusals were the binding.
      const ok = await send(signed, token);
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as ResponseBundle).entry[0]!.response.status).toBe('201 Created');
    });
  });

  describe('bad input', () => {
    it('refuses a body that is not JSON, a document bundle and a DELETE entry', async () => {
      const before = await written();
      const notJson = await post(admin, '{"resourceType": "Bundle", ');
      expect(notJson.status).toBe(400);
      expect((notJson.body as Outcome).issue[0]!.code).toBe('structure');

      const document = await post(
        admin,
        bundle('document', [entry(condition(`Patient/${t.demo.patientId}`))]),
      );
      expect(document.status).toBe(400);
      expect((document.body as Outcome).resourceType).toBe('OperationOutcome');
      expect((document.body as Outcome).issue[0]!.code).toBe('invalid');

      const del = await post(
        clinician,
        bundle('batch', [
          {
            request: { method: 'DELETE', url: `Condition/${randomUUID()}` },
          },
        ]),
      );
      expect(del.status).toBe(200);
      const entries = (del.body as ResponseBundle).entry;
      expect(entries).toHaveLength(1);
      expect(entries[0]!.response.status).toBe('400 Bad Request');
      expect(entries[0]!.response.outcome!.issue[0]!.diagnostics).toMatch(/POST and PUT/);
      expect(await written()).toEqual(before);
    });

    it('refuses a body over 50 MB at the gateway', async () => {
      const huge = JSON.stringify(
        bundle('batch', [
          entry({
            ...condition(`Patient/${t.demo.patientId}`),
            note: [{ text: 'x'.repeat(60 * 1024 * 1024) }],
          }),
        ]),
      );
      const r = await post(admin, huge);
      expect(r.status).toBe(413);
    });
  });

  describe('unmapped types', () => {
    const organization = { resourceType: 'Organization', name: 'Riverside Clinic' };
    const location = { resourceType: 'Location', name: 'Riverside Clinic, Ward 3' };

    it('reports them per entry in a batch, with the reason', async () => {
      const before = await written();
      const r = await post(admin, bundle('batch', [entry(organization), entry(location)]));
      expect(r.status).toBe(200);
      const entries = (r.body as ResponseBundle).entry;
      for (const e of entries) {
        expect(e.response.status).toBe('422 Unprocessable Entity');
        expect(e.response.outcome!.issue[0]!.code).toBe('not-supported');
        expect(e.response.outcome!.issue[0]!.diagnostics).toMatch(/care routing/);
      }
      expect(await written()).toEqual(before);
    });

    it('fails a transaction that holds one', async () => {
      const before = await written();
      const r = await post(
        admin,
        bundle('transaction', [
          entry(condition(`Patient/${t.demo.patientId}`)),
          entry(organization),
        ]),
      );
      expect(r.status).toBe(400);
      const outcome = r.body as Outcome;
      expect(outcome.issue.map((i) => i.code)).toEqual(['not-supported']);
      expect(expressions(outcome)[0]).toMatch(/^Bundle\.entry\[1\]/);
      expect(await written()).toEqual(before);
    });
  });

  describe('security labels', () => {
    it('labels a substance-use diagnosis ETH, 42 CFR Part 2 and restricted; a plain one normal', async () => {
      const r = await post(
        clinician,
        bundle('batch', [
          entry(condition(`Patient/${t.demo.patientId}`, { system: ICD10CM, code: 'F11.20' })),
          entry(condition(`Patient/${t.demo.patientId}`, { system: ICD10CM, code: 'I10' })),
        ]),
      );
      expect(r.status).toBe(200);
      const entries = (r.body as ResponseBundle).entry;
      expect(entries.map((e) => e.response.status)).toEqual(['201 Created', '201 Created']);
      const [sud, plain] = entries.map((e) => idOf(e.response.location));

      const labels = async (id: string) =>
        (await stored(id)).meta.security.map((s) => `${String(s.system)}|${String(s.code)}`).sort();
      expect(await labels(sud!)).toEqual(
        [`${ACT_CODE}|42CFRPart2`, `${ACT_CODE}|ETH`, `${CONFIDENTIALITY}|R`].sort(),
      );
      expect(await labels(plain!)).toEqual([`${CONFIDENTIALITY}|N`]);

      const index = await t.sql<{ id: string; n: number }>(
        'SELECT id, cardinality(label_index)::int AS n FROM fhir.resource WHERE id = ANY($1::uuid[])',
        [[sud, plain]],
      );
      expect(Object.fromEntries(index.map((i) => [i.id, i.n]))).toEqual({
        [sud!]: expect.any(Number),
        [plain!]: 0,
      });
      expect(index.find((i) => i.id === sud)!.n).toBeGreaterThan(0);
    });
  });
});

describe('a source id is bound to its source, its patient and its type', () => {
  /** A batch from `source` (as the query parameter) holding one Condition with source id `id`. */
  async function postAs(token: string, source: string, id: string, patientId: string) {
    const res = await fetch(`${gateway}/fhir/R4?source=${source}`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: JSON.stringify(bundle('batch', [entry({ ...condition(`Patient/${patientId}`), id })])),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as ResponseBundle).entry[0]!.response;
  }

  it('refuses a source id re-sent for another patient, and leaves the first record where it was', async () => {
    const [a, b] = [t.demo.patientId, t.demo.otherPatientId];
    const first = await postAs(admin, 'ehr-one', 'cond-77', a);
    expect(first.status).toBe('201 Created');
    const before = await written();
    const moved = await postAs(admin, 'ehr-one', 'cond-77', b);
    expect(moved.status).toBe('400 Bad Request');
    expect(moved.outcome!.issue[0]).toMatchObject({ code: 'conflict' });
    expect(await written()).toEqual(before);
    const [row] = await t.sql<{ patient_id: string }>(
      'SELECT patient_id FROM fhir.resource WHERE id = $1',
      [idOf(first.location)],
    );
    expect(row!.patient_id).toBe(a);
  });

  it("a clinician's ?source= is ignored: their ids are their own client's, never another source's", async () => {
    const first = await postAs(admin, 'ehr-two', 'cond-88', t.demo.patientId);
    const mine = await postAs(clinician, 'ehr-two', 'cond-88', t.demo.patientId);
    expect(mine.status).toBe('201 Created');
    expect(idOf(mine.location)).not.toBe(idOf(first.location));
    const [row] = await t.sql<{ version: number }>(
      'SELECT version FROM fhir.resource WHERE id = $1',
      [idOf(first.location)],
    );
    expect(row!.version).toBe(1);
  });
});
