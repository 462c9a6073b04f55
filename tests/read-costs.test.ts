import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visit, waitForCharges } from './support/billing.js';
import { demoOverrides, startTestStack, untilKnown, type TestStack } from './support/stack.js';
import { statementsOf } from './support/statements.js';

/**
 * What the hot reads cost in SQL (issue 12, "reads that cost what they
 * must"): the statements each subgraph sends for one request, counted from
 * its own `carefed_db_statements_total`, and the audit rows the request
 * appends. Every count here may only go down.
 */
let t: TestStack;
const SUBGRAPHS = ['patient', 'scheduling', 'billing'] as const;

beforeAll(async () => {
  // No periodic audit-head signing, and heartbeats as rare as allowed, in the middle of a count.
  t = await startTestStack('read-costs', {
    AUDIT_HEAD_INTERVAL: '3600',
    ACCESS_FACTS_HEARTBEAT_MS: '60000',
  });
  const admin = await t.token('admin');
  // 50 patients on the demo clinician's care team, so a page of 50 is full.
  const created: string[] = [];
  for (let i = 0; i < 50; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, async (_, j) => {
        const r = await t.gql<{ createPatient: { id: string } }>(
          admin,
          'mutation ($i: CreatePatientInput!) { createPatient(input: $i) { id } }',
          {
            i: {
              mrn: `COST-${i + j}`,
              name: { family: 'Cost', given: [`P${i + j}`] },
              birthDate: '1980-05-05',
              gender: 'female',
            },
          },
        );
        expect(r.errors).toBeUndefined();
        const id = r.data!.createPatient.id;
        created.push(id);
        const link = await t.gql(
          admin,
          'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary-care") { id } }',
          { p: id, pr: t.demo.practitionerId },
        );
        expect(link.errors).toBeUndefined();
      }),
    );
  }
  await untilKnown(t, created);
  // The demo patient has a completed visit, so `me` shows an appointment and a balance.
  await waitForCharges(t, await visit(t, t.demo.patientId));
}, 180_000);
afterAll(() => t?.stop());

async function auditRows(): Promise<number> {
  const [row] = await t.sql<{ n: string }>('select count(*) n from audit.entry');
  return Number(row!.n);
}

/** One request's statements per subgraph, and the audit rows it appended. */
async function costOf<T>(token: string, query: string, variables: object = {}) {
  let audits = 0;
  const { result, statements } = await statementsOf(t, SUBGRAPHS, async () => {
    const before = await auditRows();
    const r = await t.gql<T>(token, query, variables);
    audits = (await auditRows()) - before;
    return r;
  });
  expect(result.errors).toBeUndefined();
  return { data: result.data!, statements, audits };
}

describe('the SQL a hot read costs', () => {
  it('clinician patient(id)', async () => {
    const clinician = await t.token('clinician', demoOverrides(t).clinician);
    const { data, statements, audits } = await costOf<{
      patient: { id: string; name: { text: string }; birthDate: string };
    }>(
      clinician,
      /* GraphQL */ `
        query ($id: ID!) {
          patient(id: $id) {
            id
            name {
              text
            }
            birthDate
            telecom {
              value
            }
          }
        }
      `,
      { id: t.demo.patientId },
    );
    console.log('patient(id) statements', statements);
    expect(data.patient.id).toBe(t.demo.patientId);
    expect(data.patient.name.text).toMatch(/\S/);
    expect(audits).toBe(1);
    expect(statements).toEqual({ patient: 2, scheduling: 0, billing: 0 });
  });

  it('clinician patients(first: 50) with care teams', async () => {
    const clinician = await t.token('clinician', demoOverrides(t).clinician);
    const { data, statements, audits } = await costOf<{
      patients: { edges: { node: { id: string; careTeam: { practitionerId: string }[] } }[] };
    }>(
      clinician,
      /* GraphQL */ `
        {
          patients(first: 50) {
            edges {
              node {
                id
                name {
                  text
                }
                careTeam {
                  practitionerId
                }
              }
            }
          }
        }
      `,
    );
    console.log('patients(first: 50) statements', statements);
    expect(data.patients.edges).toHaveLength(50);
    for (const e of data.patients.edges)
      expect(e.node.careTeam.map((m) => m.practitionerId)).toContain(t.demo.practitionerId);
    // A Patient search entry and a CareTeam read entry per patient.
    expect(audits).toBe(100);
    expect(statements).toEqual({ patient: 2, scheduling: 0, billing: 0 });
  });

  it('a care team asked for is decided and audited with the record; one skipped is neither', async () => {
    const clinician = await t.token('clinician', demoOverrides(t).clinician);
    const read = (skip: boolean) =>
      costOf<{ patient: { id: string; careTeam?: { practitionerId: string }[] } }>(
        clinician,
        /* GraphQL */ `
          query ($id: ID!, $skip: Boolean!) {
            patient(id: $id) {
              id
              ...team @skip(if: $skip)
            }
          }
          fragment team on Patient {
            careTeam {
              practitionerId
            }
          }
        `,
        { id: t.demo.patientId, skip },
      );
    const shown = await read(false);
    expect(shown.data.patient.careTeam!.map((m) => m.practitionerId)).toContain(
      t.demo.practitionerId,
    );
    expect(shown.audits).toBe(2);
    expect(shown.statements.patient).toBe(2);
    const careTeamAudits = async () =>
      Number(
        (
          await t.sql<{ n: string }>(
            `select count(*) n from audit.entry where payload::jsonb ->> 'resourceType' = 'CareTeam'`,
          )
        )[0]!.n,
      );
    const before = await careTeamAudits();
    const skipped = await read(true);
    expect(skipped.data.patient.careTeam).toBeUndefined();
    expect(skipped.audits).toBe(1);
    expect(skipped.statements.patient).toBe(2);
    expect(await careTeamAudits()).toBe(before);
  });

  it('patient me with appointments and balance, across three subgraphs', async () => {
    const patient = await t.token('patient', demoOverrides(t).patient);
    const { data, statements, audits } = await costOf<{
      me: {
        patient: {
          id: string;
          appointments: { edges: { node: { status: string } }[] };
          balance: { amount: string } | null;
        };
      };
    }>(
      patient,
      /* GraphQL */ `
        {
          me {
            patient {
              id
              name {
                text
              }
              appointments(first: 5) {
                edges {
                  node {
                    id
                    status
                    localStart
                  }
                }
              }
              balance {
                amount
                formatted
              }
            }
          }
        }
      `,
    );
    console.log('me statements', statements);
    expect(data.me.patient.id).toBe(t.demo.patientId);
    expect(data.me.patient.appointments.edges.map((e) => e.node.status)).toContain('fulfilled');
    expect(data.me.patient.balance).not.toBeNull();
    // The Patient read, the Appointment search and the Account search.
    expect(audits).toBe(3);
    expect(statements).toEqual({ patient: 2, scheduling: 2, billing: 2 });
  });
});
