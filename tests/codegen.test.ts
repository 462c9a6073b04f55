import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { codegenInputs } from '../codegen.js';
import { codegenOutputs, ROOT } from '../scripts/codegen-lib.js';

interface Manifest {
  format: string;
  version: number;
  operations: { id: string; name: string; type: string; body: string }[];
}

const outputs = await codegenOutputs();
const manifest = JSON.parse(outputs[codegenInputs.manifest]!) as Manifest;

/** The committed codegen outputs are what frontend teams and the gateway's safelist read. */
describe('codegen outputs', () => {
  it('schema/ holds exactly what `npm run codegen` writes now (run it and commit when this fails)', () => {
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'schema/api.graphql',
        'schema/generated/gql.ts',
        'schema/generated/graphql.ts',
        'schema/generated/index.ts',
        'schema/operations/manifest.json',
      ].sort(),
    );
    for (const [rel, text] of Object.entries(outputs)) {
      const file = path.join(ROOT, rel);
      expect(fs.existsSync(file), `${rel} is missing: run npm run codegen`).toBe(true);
      expect(fs.readFileSync(file, 'utf8'), `${rel} is stale: run npm run codegen`).toBe(text);
    }
    const leftovers = fs
      .readdirSync(path.join(ROOT, codegenInputs.generated))
      .map((f) => path.join(codegenInputs.generated, f))
      .filter((f) => !(f in outputs));
    expect(leftovers, 'files codegen no longer writes: delete them').toEqual([]);
  });

  it('the API schema has no federation internals left', () => {
    const api = outputs[codegenInputs.apiSchema]!;
    expect(api).not.toMatch(/join__|link__|@join|@link|_entities|_service/);
    const schema = buildSchema(api);
    expect(schema.getQueryType()?.getFields()).toHaveProperty('me');
  });

  it('the manifest is Apollo’s format, each id the SHA-256 of its body', () => {
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    expect(manifest.version).toBe(1);
    for (const op of manifest.operations) {
      expect(op.id).toBe(createHash('sha256').update(op.body).digest('hex'));
      expect(['query', 'mutation']).toContain(op.type);
      expect(op.type).toBe(op.body.trimStart().startsWith('mutation') ? 'mutation' : 'query');
    }
  });

  it('lists every operation under schema/operations, each valid against the API schema', () => {
    const dir = path.join(ROOT, 'schema', 'operations');
    const names = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .flatMap((f) => parse(fs.readFileSync(path.join(dir, f), 'utf8')).definitions)
      .flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
    expect(manifest.operations.map((o) => o.name).sort()).toEqual(names.sort());
    expect(names).toEqual(
      expect.arrayContaining([
        'PartnerPatient',
        'PatientById',
        'PatientConsents',
        'PatientAccessLog',
        'PatientAppointments',
      ]),
    );
    const schema = buildSchema(outputs[codegenInputs.apiSchema]!);
    for (const op of manifest.operations)
      expect(validate(schema, parse(op.body)), op.name).toEqual([]);
  });
});
