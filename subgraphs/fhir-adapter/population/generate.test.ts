import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSensitive } from './conditions-catalogue.js';
import { sharedDataDir } from './data-dir.js';
import type { Resource } from './fhir.js';
import { DEFAULT_UNTIL, generatePatient, windowOf, writePopulation } from './generate.js';
import { loadReferenceData, type ReferenceData } from './reference-data.js';
import { RESOURCE_TYPES } from './writer.js';

let ref: ReferenceData;
let tmp: string;

beforeAll(() => {
  ref = loadReferenceData(sharedDataDir());
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'population-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const opts = { seed: 1, years: 5, until: DEFAULT_UNTIL };

function population(patients: number, seed = 1): Resource[] {
  const out: Resource[] = [];
  for (let i = 0; i < patients; i++) generatePatient(ref, { ...opts, seed }, i, (r) => out.push(r));
  return out;
}

/** SHA-256 of each file written (comparing digests, not megabytes of buffers). */
async function write(
  name: string,
  patients: number,
  seed: number,
): Promise<Record<string, string>> {
  const dir = path.join(tmp, name);
  await writePopulation(ref, { ...opts, patients, seed }, dir);
  return Object.fromEntries(
    fs.readdirSync(dir).map((f) => [
      f,
      createHash('sha256')
        .update(fs.readFileSync(path.join(dir, f)))
        .digest('hex'),
    ]),
  );
}

describe('writePopulation', () => {
  it('writes the same bytes for the same seed, and different bytes for another', async () => {
    const a = await write('a', 150, 7);
    const b = await write('b', 150, 7);
    const c = await write('c', 150, 8);
    expect(Object.keys(a).sort()).toEqual(RESOURCE_TYPES.map((t) => `${t}.000.ndjson`).sort());
    expect(b).toEqual(a);
    expect(c['Patient.000.ndjson']).not.toEqual(a['Patient.000.ndjson']);
  });

  it('writes one resource of the named type per line', async () => {
    const dir = path.join(tmp, 'd');
    await writePopulation(ref, { ...opts, patients: 40, seed: 2 }, dir);
    for (const file of fs.readdirSync(dir)) {
      const type = file.split('.')[0];
      const lines = fs.readFileSync(path.join(dir, file), 'utf8').trimEnd().split('\n');
      const types = new Set(lines.map((line) => (JSON.parse(line) as Resource).resourceType));
      expect([...types]).toEqual([type]);
    }
  });
});

describe('a generated population', () => {
  let all: Resource[];
  const byType = (type: string) => all.filter((r) => r.resourceType === type);
  beforeAll(() => {
    all = population(2000);
  });

  it('averages 30 to 60 resources a patient, and scales with the patient count', () => {
    expect(all.length / 2000).toBeGreaterThan(30);
    expect(all.length / 2000).toBeLessThan(60);
    const small = population(500);
    // Each patient has its own stream: a smaller population is a prefix of a larger one.
    expect(small).toEqual(all.slice(0, small.length));
    expect(all.length / small.length).toBeGreaterThan(3.5);
    expect(all.length / small.length).toBeLessThan(4.5);
    for (const type of RESOURCE_TYPES) expect(byType(type).length, type).toBeGreaterThan(0);
  });

  it('gives every resource a unique v4-shaped id', () => {
    const ids = all.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('has the elements FHIR R4 requires of each type', () => {
    const missing = new Set<string>();
    const has = (r: Resource, ...keys: string[]) => {
      for (const k of keys) if (r[k] === undefined) missing.add(`${r.resourceType}.${k}`);
    };
    for (const r of all) {
      switch (r.resourceType) {
        case 'Patient':
          has(r, 'identifier', 'name', 'gender', 'birthDate', 'address', 'telecom');
          break;
        case 'Encounter':
          has(r, 'status', 'class', 'subject', 'period');
          break;
        case 'Condition':
          has(r, 'subject', 'code', 'clinicalStatus', 'verificationStatus');
          break;
        case 'Observation':
          has(r, 'status', 'code', 'category', 'subject', 'effectiveDateTime');
          if (!r.valueQuantity && !r.component) missing.add('Observation.value[x]');
          break;
        case 'Procedure':
          has(r, 'status', 'subject', 'code');
          break;
        case 'Immunization':
          has(r, 'status', 'vaccineCode', 'patient', 'occurrenceDateTime');
          break;
        case 'MedicationRequest':
          has(r, 'status', 'intent', 'subject', 'medicationCodeableConcept', 'authoredOn');
          if (!['active', 'stopped', 'completed'].includes(r.status as string))
            missing.add(`MedicationRequest.status ${String(r.status)}`);
          break;
        case 'MedicationStatement':
          has(r, 'status', 'medicationCodeableConcept', 'subject');
          break;
        case 'AllergyIntolerance':
          has(r, 'patient', 'code');
          break;
        default:
          throw new Error(`unexpected type ${r.resourceType}`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('gives each patient an MRN identifier, as Synthea does', () => {
    for (const p of byType('Patient')) {
      const ids = p.identifier as { type?: { coding: { code: string }[] }; value: string }[];
      expect(ids.find((i) => i.type?.coding[0]?.code === 'MR')?.value).toBe(p.id);
    }
  });

  it('resolves every patient and encounter reference', () => {
    const patients = new Set(byType('Patient').map((p) => `Patient/${p.id}`));
    const encounters = new Set(byType('Encounter').map((e) => `Encounter/${e.id}`));
    const conditions = new Set(byType('Condition').map((c) => `Condition/${c.id}`));
    const ref = (r: Resource, key: string) =>
      (r[key] as { reference: string } | undefined)?.reference;
    const dangling: string[] = [];
    const resolve = (set: Set<string>, reference: string | undefined) => {
      if (!reference || !set.has(reference)) dangling.push(String(reference));
    };
    for (const r of all) {
      if (r.resourceType === 'Patient') continue;
      resolve(patients, ref(r, 'subject') ?? ref(r, 'patient'));
      const enc = ref(r, 'encounter') ?? ref(r, 'context');
      if (enc) resolve(encounters, enc);
      for (const reason of (r.reasonReference as { reference: string }[] | undefined) ?? [])
        resolve(conditions, reason.reference);
    }
    expect(dangling).toEqual([]);
  });

  it('dates every event within the window', () => {
    const w = windowOf(opts);
    const [lo, hi] = [w.start * 1000, w.until * 1000];
    const fields = /DateTime$|^authoredOn$|^recordedDate$|^dateAsserted$|^start$|^end$/;
    const outside: string[] = [];
    const check = (value: unknown, key: string): void => {
      if (typeof value === 'string' && fields.test(key)) {
        const t = Date.parse(value);
        if (!(t >= lo && t <= hi)) outside.push(`${key} ${value}`);
      } else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) check(v, Array.isArray(value) ? key : k);
    };
    for (const r of all) if (r.resourceType !== 'Patient') check(r, '');
    expect(outside).toEqual([]);
    for (const p of byType('Patient')) expect(Date.parse(p.birthDate as string)).toBeLessThan(hi);
  });

  it('has a US-like age mix, with patients over 89', () => {
    const ages = byType('Patient').map(
      (p) => (DEFAULT_UNTIL * 1000 - Date.parse(p.birthDate as string)) / (365.25 * 86_400_000),
    );
    const share = (f: (a: number) => boolean) => ages.filter(f).length / ages.length;
    expect(share((a) => a > 89)).toBeGreaterThan(0.002);
    expect(share((a) => a < 18)).toBeGreaterThan(0.17);
    expect(share((a) => a < 18)).toBeLessThan(0.28);
    expect(share((a) => a >= 65)).toBeGreaterThan(0.12);
    expect(share((a) => a >= 65)).toBeLessThan(0.22);
  });

  it('codes conditions in ICD-10-CM, common chronic ones often and sensitive ones rarely', () => {
    const codes = byType('Condition').map((c) => {
      const coding = (c.code as { coding: { system: string; code: string }[] }).coding[0]!;
      expect(coding.system).toBe('http://hl7.org/fhir/sid/icd-10-cm');
      return coding.code;
    });
    const count = (cat: string) => codes.filter((c) => c.startsWith(cat)).length;
    for (const cat of ['E11', 'I10', 'J45', 'E78', 'F32', 'F41', 'M54', 'K21', 'J06'])
      expect(count(cat), cat).toBeGreaterThan(20);
    const sensitive = codes.filter(isSensitive);
    expect(sensitive.length / codes.length).toBeGreaterThan(0.005);
    expect(sensitive.length / codes.length).toBeLessThan(0.08);
    for (const prefix of ['F1', 'B20', 'A5', 'O'])
      expect(
        sensitive.some((c) => c.startsWith(prefix)),
        prefix,
      ).toBe(true);
  });

  it('records vital signs in UCUM and an HbA1c for diabetics', () => {
    const obs = byType('Observation');
    const code = (o: Resource) => (o.code as { coding: { code: string }[] }).coding[0]!.code;
    for (const loinc of ['8867-4', '85354-9', '29463-7', '8302-2', '39156-5', '4548-4'])
      expect(
        obs.some((o) => code(o) === loinc),
        loinc,
      ).toBe(true);
    for (const o of obs) {
      const q = (o.valueQuantity ??
        (o.component as { valueQuantity: unknown }[])[0]!.valueQuantity) as {
        system: string;
      };
      expect(q.system).toBe('http://unitsofmeasure.org');
    }
    const bp = obs.find((o) => code(o) === '85354-9')!;
    expect(
      (bp.component as { code: { coding: { code: string }[] } }[]).map(
        (c) => c.code.coding[0]!.code,
      ),
    ).toEqual(['8462-4', '8480-6']);
  });
});
