import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack('fhir-synthea', { SEED_CLINICAL_RECORD: 'on' });
}, 240_000);

afterAll(async () => {
  await t?.stop();
});

describe('the Synthea set imports through the one path', () => {
  it('stores every clinical resource, counted per type', async () => {
    const rows = await t.sql<{ type: string; n: number }>(
      'SELECT type, count(*)::int AS n FROM fhir.resource GROUP BY type ORDER BY type',
    );
    console.log(rows);
    expect(rows.length).toBeGreaterThan(5);
  });
});
