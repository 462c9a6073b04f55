import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { republishAccessFacts } from '../../subgraphs/patient/events.js';
import { coverageFor, newPatient } from '../support/billing.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * A subgraph that starts consuming consent.changed after consents exist learns
 * them from `npm run access-facts:republish` (republishAccessFacts): simulated here by
 * emptying billing's projection, as a freshly deployed billing would have it.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('consent-republish');
});
afterAll(() => t?.stop());

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const projected = async (consentId: string): Promise<string | undefined> =>
  (
    await t.sql<{ status: string }>('SELECT status FROM billing.consent_projection WHERE id = $1', [
      consentId,
    ])
  )[0]?.status;

describe('access-facts:republish (consents)', () => {
  it('brings a consent recorded before billing knew it into billing’s projection, which then enforces it', async () => {
    const patientId = await newPatient(t, 'republish');
    const coverageId = await coverageFor(t, patientId);
    const patient = await t.token('patient', {
      patientId,
      sub: `p-${randomBytes(4).toString('hex')}`,
    });
    const recorded = await t.gql<{ recordConsent: { id: string } }>(
      patient,
      `mutation ($p: ID!, $input: RecordConsentInput!) { recordConsent(patientId: $p, input: $input) { id } }`,
      {
        p: patientId,
        input: {
          scope: 'patient_privacy',
          provisions: [
            {
              type: 'deny',
              actors: [{ kind: 'organization', id: 'demo-org' }],
              dataClasses: ['Coverage'],
            },
          ],
        },
      },
    );
    expect(recorded.errors).toBeUndefined();
    const consentId = recorded.data!.recordConsent.id;
    await waitFor(async () => (await projected(consentId)) === 'active');

    // As a billing deployed after the consent was recorded: its projection knows nothing.
    await t.sql('DELETE FROM billing.consent_projection WHERE id = $1', [consentId]);
    const billing = await t.token('billing');
    const read = `query ($id: ID!) { coverage(id: $id) { id } }`;
    expect((await t.gql(billing, read, { id: coverageId })).errors).toBeUndefined();

    const count = await republishAccessFacts(t.stack.subgraph('patient').orm.em.fork(), [
      'billing:access-facts',
    ]);
    expect(count.consents).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await projected(consentId)) === 'active');
    const refused = await t.gql(billing, read, { id: coverageId });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Running it again is harmless: still one row, same state.
    await republishAccessFacts(t.stack.subgraph('patient').orm.em.fork(), ['billing:access-facts']);
    const events = await t.sql<{ id: string }>(
      'SELECT id FROM patient.outbox WHERE aggregate_id = $1',
      [consentId],
    );
    expect(events).toHaveLength(3);
    const ids = events.map((e) => e.id);
    const applied = async (schema: string) =>
      (
        await t.sql<{ event_id: string }>(
          `SELECT DISTINCT event_id FROM ${schema}.inbox WHERE event_id = ANY($1::uuid[])`,
          [ids],
        )
      ).length;
    await waitFor(async () => (await applied('billing')) === 3);
    // Only the named consumer was sent them: scheduling (each of its consumers) applied the
    // original event alone.
    expect(await applied('scheduling')).toBe(1);
    expect(await projected(consentId)).toBe('active');
  });
});
