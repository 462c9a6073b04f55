import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  checkImportBatch,
  planImport,
  practitionerRow,
  type ImportEntry,
  type PractitionerRow,
} from './practitioner-import.js';

const entry = (n: number, over: Partial<ImportEntry> = {}): ImportEntry => ({
  sourceKey: `src-${n}`,
  npi: String(9_999_900_000 + n),
  family: `Family${n}`,
  given: ['Given'],
  ...over,
});

function refusal(run: () => void): { code: unknown; field: unknown; message: string } {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(GraphQLError);
    const e = err as GraphQLError;
    return { code: e.extensions.code, field: e.extensions.field, message: e.message };
  }
  throw new Error('accepted');
}

describe('checkImportBatch', () => {
  it('accepts 1 to 200 entries', () => {
    expect(() => checkImportBatch([entry(1)])).not.toThrow();
    expect(() => checkImportBatch(Array.from({ length: 200 }, (_, i) => entry(i)))).not.toThrow();
  });

  it('refuses an empty batch and one of 201', () => {
    expect(refusal(() => checkImportBatch([]))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(
      refusal(() => checkImportBatch(Array.from({ length: 201 }, (_, i) => entry(i)))),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'practitioners' });
  });

  it.each([
    ['npi', { npi: '123456789' }],
    ['npi', { npi: '12345678901' }],
    ['npi', { npi: '12345abcde' }],
    ['sourceKey', { sourceKey: '' }],
    ['sourceKey', { sourceKey: 'k'.repeat(201) }],
    ['id', { id: 'not/a/fhir/id' }],
    ['family', { family: '' }],
    ['given[0]', { given: [''] }],
    ['prefix', { prefix: '' }],
    ['specialties', { specialties: Array.from({ length: 21 }, () => 'x') }],
    ['facilityIds[0]', { facilityIds: ['a b'] }],
  ])('refuses a malformed %s, naming the field and not the value', (field, over) => {
    const r = refusal(() => checkImportBatch([entry(0), entry(1, over)]));
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT', field: `practitioners[1].${field}` });
    for (const v of Object.values(over).flat())
      if (String(v).length > 2) expect(r.message).not.toContain(String(v));
  });

  it.each(['npi', 'sourceKey', 'id'] as const)('refuses a repeated %s', (key) => {
    const a = entry(1, { id: 'a' });
    const b = entry(2, { id: 'b', [key]: a[key] });
    expect(refusal(() => checkImportBatch([a, b]))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: `practitioners[1].${key}`,
    });
  });
});

describe('planImport', () => {
  let n = 0;
  const newId = () => `new-${++n}`;
  const stored = (e: ImportEntry, id: string): PractitionerRow => practitionerRow(id, e);

  it('creates unknown NPIs under the wanted id when free, else a fresh one', () => {
    n = 0;
    const taken = stored(entry(9), 'taken');
    const plan = planImport(
      [entry(1, { id: 'wanted' }), entry(2, { id: 'taken' }), entry(3)],
      [taken],
      newId,
    );
    expect(plan.results).toEqual([
      { sourceKey: 'src-1', id: 'wanted', outcome: 'CREATED' },
      { sourceKey: 'src-2', id: 'new-1', outcome: 'CREATED' },
      { sourceKey: 'src-3', id: 'new-2', outcome: 'CREATED' },
    ]);
    expect(plan.inserts.map((r) => r.id)).toEqual(['wanted', 'new-1', 'new-2']);
    expect(plan.inserts[2]).toMatchObject({
      prefix: null,
      specialties: [],
      facilityIds: [],
      active: true,
    });
    expect(plan.updates).toEqual([]);
  });

  it('writes nothing for the same data and replaces other data, keeping the stored id', () => {
    const same = entry(1, { specialties: ['A'], facilityIds: ['f'] });
    const changed = entry(2, { given: ['Other'] });
    const plan = planImport(
      [{ ...same, id: 'ignored' }, changed],
      [stored(same, 'id-1'), stored(entry(2), 'id-2')],
      newId,
    );
    expect(plan.results).toEqual([
      { sourceKey: 'src-1', id: 'id-1', outcome: 'UNCHANGED' },
      { sourceKey: 'src-2', id: 'id-2', outcome: 'UPDATED' },
    ]);
    expect(plan.inserts).toEqual([]);
    expect(plan.updates).toEqual([practitionerRow('id-2', changed)]);
  });

  it('counts an omitted optional field as its default, not as the stored value', () => {
    const withRole = entry(1, { specialties: ['A'], active: false });
    const plan = planImport([entry(1)], [stored(withRole, 'id-1')], newId);
    expect(plan.results[0]!.outcome).toBe('UPDATED');
    expect(plan.updates[0]).toMatchObject({ specialties: [], active: true });
  });

  it('treats list order as data', () => {
    const plan = planImport(
      [entry(1, { given: ['B', 'A'] })],
      [stored(entry(1, { given: ['A', 'B'] }), 'id-1')],
      newId,
    );
    expect(plan.results[0]!.outcome).toBe('UPDATED');
  });
});
