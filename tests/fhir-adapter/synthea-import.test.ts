import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA_DIR } from '../../scripts/stack.js';
import { bodyContext, versionContext } from '../../subgraphs/fhir-adapter/store/resource-cipher.js';
import { validateResource } from '../../subgraphs/fhir-adapter/validation/fhir-schema.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The demo clinical record (the Synthea export) imported at start through
 * the one import path: every clinical resource stored and readable in the
 * graph, the unmapped reported; importing it again changes nothing; a
 * changed resource becomes a new version; what is stored is valid FHIR R4,
 * labelled, encrypted, and its references point at Carefed ids.
 */
let t: TestStack;
let admin: string;

/** Each clinical type of the export and the `Patient` list that reads it. */
const LISTS = {
  AllergyIntolerance: 'allergies',
  Condition: 'conditions',
  Device: 'devices',
  DocumentReference: 'documents',
  Encounter: 'encounters',
  Immunization: 'immunizations',
  MedicationRequest: 'medicationHistory',
  Procedure: 'procedures',
} as const;
type ListedType = keyof typeof LISTS;
const TYPES = Object.keys(LISTS) as ListedType[];

interface Fhir {
  resourceType: string;
  id?: string;
  meta?: {
    versionId?: string;
    lastUpdated?: string;
    security?: { system?: string; code?: string }[];
  };
  [k: string]: unknown;
}

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const file = (type: string) => path.join(DEMO_DATA_DIR, `${type}.000.ndjson`);
const linesOf = (type: string) =>
  fs
    .readFileSync(file(type), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
const fileCount = (type: string) => linesOf(type).length;

/** Every stored current body, decrypted with the running subgraph's cipher. */
async function currentBodies(): Promise<{ id: string; patientId: string; fhir: Fhir }[]> {
  const cipher = t.stack.subgraph('fhir-adapter').cipher;
  const rows = await t.sql<{ id: string; patient_id: string; body: string }>(
    'SELECT id, patient_id, body FROM fhir.resource ORDER BY id',
  );
  return rows.map((r) => ({
    id: r.id,
    patientId: r.patient_id,
    fhir: JSON.parse(cipher.decryptSync(r.body, bodyContext(r.id))!) as Fhir,
  }));
}

/** The whole clinical store, to show an import wrote nothing. */
async function storeState(): Promise<Record<string, string>> {
  const [row] = await t.sql<Record<string, string>>(
    `SELECT (SELECT count(*) FROM fhir.resource)::text AS resources,
            (SELECT count(*) FROM fhir.resource_version)::text AS versions,
            (SELECT count(*) FROM fhir.source_map)::text AS sources,
            (SELECT md5(string_agg(body, '' ORDER BY id)) FROM fhir.resource) AS bodies,
            (SELECT md5(string_agg(body, '' ORDER BY id, version)) FROM fhir.resource_version) AS history`,
  );
  return row!;
}

interface ImportStatus {
  status: string;
  processed: number;
  total: number;
  report: {
    total: number;
    created: Record<string, number>;
    updated: Record<string, number>;
    unchanged: Record<string, number>;
    unmapped: Record<string, Record<string, number>>;
  };
  errors: { issue: unknown[] };
}

/** One bulk NDJSON import through the gateway, followed until its report is ready. */
async function bulkImport(name: string, ndjson: string): Promise<ImportStatus> {
  const origin = new URL(t.stack.gatewayUrl).origin;
  const accepted = await fetch(`${origin}/fhir/R4/$import?source=synthea&file=${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/fhir+ndjson' },
    body: ndjson,
  });
  expect(accepted.status).toBe(202);
  const location = accepted.headers.get('content-location')!;
  expect(location).toMatch(/^\/fhir\/R4\/\$import-status\/[0-9a-f-]{36}$/);
  for (;;) {
    const res = await fetch(`${origin}${location}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    if (res.status === 200) return (await res.json()) as ImportStatus;
    expect(res.status).toBe(202);
    expect(res.headers.get('x-progress')).toMatch(/^\d+\/\d+$/);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A clinician on the patient's care team (the seed's teams). */
function careTeamClinician(patientId: string): Promise<string> {
  const practitionerId = t.stack.seed!.careTeams.get(patientId)?.[0];
  expect(practitionerId, `patient ${patientId} has a care team`).toBeDefined();
  return t.token('clinician', { practitionerId });
}

interface Page {
  edges: { node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The ids of every list of one patient, paged 100 at a time, as one clinician reads them. */
async function listedIds(token: string, patientId: string): Promise<Record<ListedType, string[]>> {
  const ids = Object.fromEntries(TYPES.map((k) => [k, [] as string[]])) as Record<
    ListedType,
    string[]
  >;
  let open = new Map<ListedType, string | null>(TYPES.map((k) => [k, null]));
  while (open.size) {
    const fields = [...open].map(
      ([type, after]) =>
        `${type}: ${LISTS[type]}(first: 100${after ? `, after: ${JSON.stringify(after)}` : ''}) {
          edges { node { id } } pageInfo { hasNextPage endCursor } }`,
    );
    const r = await t.gql<{ patient: Record<ListedType, Page> }>(
      token,
      /* GraphQL */ `query ($id: ID!) { patient(id: $id) { ${fields.join('\n')} } }`,
      { id: patientId },
    );
    expect(r.errors).toBeUndefined();
    const next = new Map<ListedType, string | null>();
    for (const type of open.keys()) {
      const page = r.data!.patient[type];
      ids[type].push(...page.edges.map((e) => e.node.id));
      if (page.pageInfo.hasNextPage) next.set(type, page.pageInfo.endCursor);
    }
    open = next;
  }
  return ids;
}

/** Per type, what the graph lists across these patients, each read by a clinician on their team. */
async function graphCounts(patients: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await Promise.all(
    patients.map(async (p) => {
      const ids = await listedIds(await careTeamClinician(p), p);
      for (const type of TYPES) {
        expect(new Set(ids[type]).size).toBe(ids[type].length);
        counts[type] = (counts[type] ?? 0) + ids[type].length;
      }
    }),
  );
  return counts;
}

const securityCodes = (r: Fhir) => (r.meta?.security ?? []).map((s) => s.code);

beforeAll(async () => {
  t = await startTestStack('fhir-synthea', { SEED_CLINICAL_RECORD: 'on' });
  admin = await t.token('admin', { sub: 'synthea-importer' });
}, 240_000);

afterAll(async () => {
  await t?.stop();
});

describe('the Synthea set imports through the one path', () => {
  it('stores every clinical resource, reports the unmapped, and lists each in the graph', async () => {
    const files = Object.fromEntries(TYPES.map((k) => [k, fileCount(k)]));
    const rows = await t.sql<{ type: string; n: number }>(
      'SELECT type, count(*)::int AS n FROM fhir.resource GROUP BY type ORDER BY type',
    );
    expect(Object.fromEntries(rows.map((r) => [r.type, r.n]))).toEqual(files);
    // Every stored resource is version 1 (the seed imported each once).
    expect(
      await t.sql('SELECT count(*)::int AS n FROM fhir.resource_version WHERE version <> 1'),
    ).toEqual([{ n: 0 }]);

    const seeded = t
      .logs()
      .split('\n')
      .filter((l) => l.includes('demo clinical record imported'))
      .map(
        (l) =>
          JSON.parse(l) as {
            created: Record<string, number>;
            unmapped: Record<string, Record<string, number>>;
            errors: number;
          },
      );
    expect(seeded).toHaveLength(1);
    const sum = (m: Record<string, number> | undefined) =>
      Object.values(m ?? {}).reduce((a, b) => a + b, 0);
    expect(sum(seeded[0]!.unmapped.Organization)).toBe(fileCount('Organization'));
    expect(sum(seeded[0]!.unmapped.Location)).toBe(fileCount('Location'));
    expect(Object.keys(seeded[0]!.unmapped).sort()).toEqual(['Location', 'Organization']);
    expect(seeded[0]!.errors).toBe(0);
    for (const type of TYPES) expect(seeded[0]!.created[type]).toBe(files[type]);

    // The export's patients: the patient subgraph's seed holds each under its Synthea id.
    const patients = (
      await t.sql<{ patient_id: string }>('SELECT DISTINCT patient_id FROM fhir.resource')
    ).map((r) => r.patient_id);
    expect(patients).toHaveLength(fileCount('Patient'));
    for (const p of patients) expect(t.stack.seed!.patientIds).toContain(p);

    // Without a consent naming ETH, substance-use records are withheld from the lists.
    const eth: Record<string, number> = Object.fromEntries(TYPES.map((k) => [k, 0]));
    for (const b of await currentBodies())
      if (securityCodes(b.fhir).includes('ETH')) eth[b.fhir.resourceType]! += 1;
    const withheld = await graphCounts(patients);
    for (const type of TYPES) expect(withheld[type], type).toBe(files[type]! - eth[type]!);

    // Each patient permits ETH disclosure: then the lists hold every resource of the files.
    for (const p of patients) {
      const r = await t.gql(
        await t.token('patient', { patientId: p, sub: `synthea-patient-${p}` }),
        /* GraphQL */ `
          mutation ($p: ID!, $input: RecordConsentInput!) {
            recordConsent(patientId: $p, input: $input) {
              id
            }
          }
        `,
        {
          p,
          input: {
            scope: 'patient_privacy',
            provisions: [{ type: 'permit', securityLabels: ['ETH'] }],
          },
        },
      );
      expect(r.errors).toBeUndefined();
    }
    for (;;) {
      const [row] = await t.sql<{ n: number }>(
        `SELECT count(DISTINCT patient_id)::int AS n FROM fhir.consent_projection
          WHERE status = 'active' AND patient_id = ANY($1::uuid[])`,
        [patients],
      );
      if (row!.n === patients.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await graphCounts(patients)).toEqual(files);
  }, 60_000);

  it('imports the same files again as unchanged: nothing is written', async () => {
    const before = await storeState();
    const jobs: [string, string[]][] = [
      ['Patient.000.ndjson', ['Patient']],
      // A role is imported with its practitioner: the two files go in one request.
      ['Practitioner.000.ndjson', ['Practitioner', 'PractitionerRole']],
      ['Encounter.000.ndjson', ['Encounter']],
      ...TYPES.filter((k) => k !== 'Encounter').map((k): [string, string[]] => [
        `${k}.000.ndjson`,
        [k],
      ]),
      ['Organization.000.ndjson', ['Organization']],
      ['Location.000.ndjson', ['Location']],
    ];
    for (const [name, types] of jobs) {
      const done = await bulkImport(name, types.map((k) => linesOf(k).join('\n')).join('\n'));
      const total = types.reduce((n, k) => n + fileCount(k), 0);
      expect(done.status, name).toBe('completed');
      expect(done.processed).toBe(total);
      expect(done.report.total).toBe(total);
      expect(done.errors.issue).toEqual([]);
      expect(done.report.created).toEqual({});
      expect(done.report.updated).toEqual({});
      if (types[0] === 'Organization' || types[0] === 'Location') {
        expect(done.report.unchanged).toEqual({});
        expect(Object.values(done.report.unmapped[types[0]]!)).toEqual([total]);
      } else {
        expect(done.report.unmapped).toEqual({});
        expect(done.report.unchanged).toEqual(
          Object.fromEntries(types.map((k) => [k, fileCount(k)])),
        );
      }
    }
    expect(await storeState()).toEqual(before);
  }, 60_000);

  it('stores a changed resource as version 2, with version 1 in its history', async () => {
    const line = linesOf('Condition').find((l) => !l.includes('"note"'))!;
    const original = JSON.parse(line) as Fhir;
    const changed = { ...original, note: [{ text: 'Reviewed at follow-up' }] };
    const [row] = await t.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM fhir.resource_version',
    );

    const done = await bulkImport('Condition.000.ndjson', JSON.stringify(changed));
    expect(done.status).toBe('completed');
    expect(done.report.updated).toEqual({ Condition: 1 });
    expect(done.report.created).toEqual({});
    const [stored] = await t.sql<{ id: string; patient_id: string; version: number }>(
      'SELECT id, patient_id, version FROM fhir.resource WHERE version = 2',
    );
    expect(stored?.version).toBe(2);
    expect(await t.sql('SELECT count(*)::int AS n FROM fhir.resource_version')).toEqual([
      { n: row!.n + 1 },
    ]);

    const token = await careTeamClinician(stored!.patient_id);
    const r = await t.gql<{
      clinicalHistory: { version: number; fhir: Fhir }[];
      clinicalResource: { version: number; fhir: Fhir };
    }>(
      token,
      /* GraphQL */ `
        query ($id: ID!) {
          clinicalHistory(id: $id) {
            version
            fhir
          }
          clinicalResource(id: $id) {
            version
            fhir
          }
        }
      `,
      { id: stored!.id },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.clinicalHistory.map((v) => v.version)).toEqual([2, 1]);
    expect(r.data!.clinicalHistory.map((v) => v.fhir.meta?.versionId)).toEqual(['2', '1']);
    expect(r.data!.clinicalHistory[0]!.fhir.note).toEqual(changed.note);
    expect(r.data!.clinicalHistory[1]!.fhir.note).toBeUndefined();
    expect(r.data!.clinicalResource.version).toBe(2);
    expect(r.data!.clinicalResource.fhir.meta?.versionId).toBe('2');
    expect(r.data!.clinicalResource.fhir.onsetDateTime).toBe(original.onsetDateTime);
  });

  it('stores only valid FHIR R4, each version with its meta and a confidentiality label', async () => {
    const cipher = t.stack.subgraph('fhir-adapter').cipher;
    const versions = await t.sql<{ id: string; version: number; body: string }>(
      'SELECT id, version, body FROM fhir.resource_version',
    );
    const bodies = [
      ...(await currentBodies()).map((b) => b.fhir),
      ...versions.map(
        (v) => JSON.parse(cipher.decryptSync(v.body, versionContext(v.id, v.version))!) as Fhir,
      ),
    ];
    expect(bodies.length).toBeGreaterThan(2 * 6900);
    const invalid = bodies.flatMap((b) => {
      const issues = validateResource(b);
      return issues.length ? [{ type: b.resourceType, issues }] : [];
    });
    expect(invalid).toEqual([]);
    for (const b of bodies) {
      expect(b.meta?.versionId).toMatch(/^[1-9]\d*$/);
      expect(Number.isNaN(Date.parse(b.meta!.lastUpdated!))).toBe(false);
      const confidentiality = (b.meta!.security ?? []).filter((s) => s.system === CONFIDENTIALITY);
      expect(confidentiality).toHaveLength(1);
      expect(['N', 'R', 'V']).toContain(confidentiality[0]!.code);
    }
  });

  it('keeps no clinical content in the clear in any table of the fhir schema', async () => {
    const condition = JSON.parse(linesOf('Condition')[0]!) as {
      code: { coding: { code: string; display: string }[] };
    };
    const procedure = JSON.parse(linesOf('Procedure')[0]!) as {
      code: { coding: { code: string; display: string }[] };
    };
    const patient = JSON.parse(linesOf('Patient')[0]!) as { name: { family: string }[] };
    const practitioner = JSON.parse(linesOf('Practitioner')[0]!) as {
      name: { family: string }[];
    };
    const texts = [
      condition.code.coding[0]!.display,
      procedure.code.coding[0]!.display,
      patient.name[0]!.family,
      practitioner.name[0]!.family,
      'Full-time employment',
    ];
    const codes = [condition.code.coding[0]!.code, procedure.code.coding[0]!.code];
    const tables = (
      await t.sql<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'fhir' AND table_type = 'BASE TABLE'`,
      )
    ).map((r) => r.table_name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'resource',
        'resource_version',
        'source_map',
        'import_job',
        'outbox',
      ]),
    );
    // One scan per table: which of the needles its rows contain, as text.
    const found = async (table: string, needles: string[]) =>
      (
        await t.sql<{ n: string }>(
          `SELECT DISTINCT n FROM (SELECT lower(x::text) AS s FROM fhir.${table} x) r,
                  unnest($1::text[]) AS n WHERE strpos(r.s, lower(n)) > 0`,
          [needles],
        )
      ).map((r) => r.n);
    for (const table of tables)
      // `clinical.changed` carries codes by design (ids, codes, dates, labels); nothing else may.
      expect(await found(table, table === 'outbox' ? texts : [...texts, ...codes]), table).toEqual(
        [],
      );
    expect((await found('outbox', codes)).sort()).toEqual([...codes].sort());
  });

  it('resolves references to Carefed ids: patients, encounters and practitioners', async () => {
    const bodies = await currentBodies();
    const byId = new Map(bodies.map((b) => [b.id, b]));
    const encounter = bodies.find(
      (b) => b.fhir.resourceType === 'Encounter' && Array.isArray(b.fhir.participant),
    )!;
    expect((encounter.fhir.subject as { reference: string }).reference).toBe(
      `Patient/${encounter.patientId}`,
    );
    for (const b of bodies)
      expect((b.fhir.subject ?? b.fhir.patient) as { reference: string }).toMatchObject({
        reference: `Patient/${b.patientId}`,
      });

    const conditions = bodies.filter((b) => b.fhir.resourceType === 'Condition');
    expect(conditions.length).toBe(fileCount('Condition'));
    for (const c of conditions) {
      const ref = (c.fhir.encounter as { reference: string }).reference;
      expect(ref).toMatch(/^Encounter\/[0-9a-f-]{36}$/);
      const target = byId.get(ref.slice('Encounter/'.length));
      expect(target?.fhir.resourceType).toBe('Encounter');
      expect(target?.patientId).toBe(c.patientId);
    }

    // Synthea names practitioners by NPI (`Practitioner?identifier=…`): every one became a Carefed id.
    const practitioners = new Set(
      (await t.sql<{ id: string }>('SELECT id FROM scheduling.practitioner')).map((r) => r.id),
    );
    const named = bodies.flatMap((b) =>
      [...JSON.stringify(b.fhir).matchAll(/"reference":"(Practitioner[^"]*)"/g)].map((m) => m[1]!),
    );
    expect(named.length).toBe(
      fileCount('Encounter') + fileCount('DocumentReference') + fileCount('MedicationRequest'),
    );
    for (const ref of named) {
      expect(ref).toMatch(/^Practitioner\/[0-9a-f-]{36}$/);
      expect(practitioners.has(ref.slice('Practitioner/'.length)), ref).toBe(true);
    }

    const r = await t.gql<{
      clinicalResource: { id: string; practitionerId: string; practitioner: { id: string } };
    }>(
      await careTeamClinician(encounter.patientId),
      /* GraphQL */ `
        query ($id: ID!) {
          clinicalResource(id: $id) {
            id
            ... on Encounter {
              practitionerId
              practitioner {
                id
              }
            }
          }
        }
      `,
      { id: encounter.id },
    );
    expect(r.errors).toBeUndefined();
    const practitionerId = r.data!.clinicalResource.practitioner.id;
    expect(r.data!.clinicalResource.practitionerId).toBe(practitionerId);
    expect(practitioners.has(practitionerId)).toBe(true);
    expect(practitionerId).toBe(
      /Practitioner\/([0-9a-f-]{36})/.exec(JSON.stringify(encounter.fhir.participant))![1],
    );
  });
});
