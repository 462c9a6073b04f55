import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementsOf } from '../support/statements.js';
import { demoOverrides, startTestStack, type TestStack } from '../support/stack.js';

/**
 * Lists are batched by DataLoaders: the SQL statements a query costs do not
 * grow with the length of its lists. Counted from the patient subgraph's own
 * `carefed_db_statements_total`, read over HTTP around each query.
 */
let t: TestStack;
beforeAll(async () => {
  // No periodic audit-head signing in the middle of a count.
  t = await startTestStack('batching', { AUDIT_HEAD_INTERVAL: '3600' });
  const admin = await t.token('admin');
  for (let i = 0; i < 50; i++) {
    const created = await t.gql<{ createPatient: { id: string } }>(
      admin,
      /* GraphQL */ `
        mutation ($input: CreatePatientInput!) {
          createPatient(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          mrn: `BATCH-${i}`,
          name: { family: 'Batch', given: [`P${i}`] },
          birthDate: '1980-05-05',
          gender: 'male',
        },
      },
    );
    await t.gql(
      admin,
      'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary-care") { id } }',
      {
        p: created.data!.createPatient.id,
        pr: t.demo.practitionerId,
      },
    );
  }
});
afterAll(() => t?.stop());

const LIST = /* GraphQL */ `
  query ($n: Int!) {
    patients(first: $n) {
      edges {
        node {
          id
          name {
            family
          }
          birthDate
          careTeam {
            practitionerId
            role
          }
          consents {
            id
            status
          }
          history(first: 2) {
            version
            record {
              birthDate
            }
          }
        }
      }
    }
  }
`;

/**
 * The patient subgraph's statements for one `patients(first: n)` request,
 * counted once the stack is idle (`statementsOf`: background work such as the
 * access-facts heartbeat or the audit sealer can only add, so the smallest of
 * its runs is the request's own).
 */
async function statementsFor(
  token: string,
  n: number,
): Promise<{ statements: number; rows: number }> {
  const { result: r, statements } = await statementsOf(t, ['patient'], () =>
    t.gql<{ patients: { edges: { node: { careTeam: unknown[] } }[] } }>(token, LIST, { n }),
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.patients.edges.every((e) => e.node.careTeam.length > 0)).toBe(true);
  return { statements: statements.patient!, rows: r.data!.patients.edges.length };
}

describe('patients with their care teams, consents and history', () => {
  it('as admin: 50 patients cost as many statements as 1', async () => {
    const admin = await t.token('admin');
    const one = await statementsFor(admin, 1);
    const fifty = await statementsFor(admin, 50);
    expect(one.rows).toBe(1);
    expect(fifty.rows).toBe(50);
    expect(one.statements).toBeGreaterThan(0);
    expect(fifty.statements).toBe(one.statements);
  });

  it('as a clinician (care-team bound, consent and grants checked per record): 50 cost as many as 1', async () => {
    const clinician = await t.token('clinician', demoOverrides(t).clinician);
    const one = await statementsFor(clinician, 1);
    const fifty = await statementsFor(clinician, 50);
    expect(fifty.rows).toBe(50);
    expect(fifty.statements).toBe(one.statements);
  });
});
