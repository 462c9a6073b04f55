import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientOnCareTeam } from '../support/patients.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Prescribing through the gateway, with the safety checks against the
 * patient's whole record: an outside medication arriving through the FHIR
 * adapter (a transaction bundle) and an allergy a clinician records there
 * reach pharmacy by `clinical.changed`; a known interacting pair from the
 * data raises its alert with severity and source; a blocking alert stops
 * the prescription (nothing written) until overridden with a reason, and
 * the override is in the audit log; lesser alerts come back with the
 * prescription; versions, status changes and renewals.
 */
let t: TestStack;
let clinician: string;
let gateway: string;
/** A fresh patient on the demo clinician's care team. */
let P: string;

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SIMVASTATIN_10 = '314231';
const SIMVASTATIN_20 = '312961';
const AMIODARONE = '834357';
const ASPIRIN_81 = '243670';
const IBUPROFEN_200 = '310965';
const ASPIRIN_INGREDIENT = '1191';

interface Alert {
  code: string;
  kind: string;
  severity: string;
  blocking: boolean;
  message: string;
  against: { ref: string; source: string } | null;
  sources: { source: string; ref: string; severity: string }[];
}
interface Rx {
  id: string;
  status: string;
  version: number;
  drugRxcui: string;
  notes: string | null;
  statusReason: string | null;
  alerts: { code: string; severity: string; overrideReason: string | null }[];
  fhir: Record<string, unknown>;
  drug: { name: string; ingredients: { id: string; name: string }[] } | null;
}
interface Prescribed {
  prescription: Rx | null;
  blocked: boolean;
  alerts: Alert[];
}

const RX = /* GraphQL */ `
  fragment Rx on Prescription {
    id
    status
    version
    drugRxcui
    notes
    statusReason
    alerts {
      code
      severity
      overrideReason
    }
    fhir
    drug {
      name
      ingredients {
        id
        name
      }
    }
  }
`;
const ALERT = /* GraphQL */ `
  fragment Alert on SafetyAlert {
    code
    kind
    severity
    blocking
    message
    against {
      ref
      source
    }
    sources {
      source
      ref
      severity
    }
  }
`;
const PRESCRIBE = /* GraphQL */ `
  ${RX}
  ${ALERT}
  mutation ($i: PrescribeInput!) {
    prescribe(input: $i) {
      blocked
      prescription {
        ...Rx
      }
      alerts {
        ...Alert
      }
    }
  }
`;

const MEDICATIONS = /* GraphQL */ `
  query ($id: ID!) {
    patient(id: $id) {
      medications {
        source
        outside {
          resourceId
          drug {
            rxcui
          }
        }
      }
    }
  }
`;

const input = (drugRxcui: string, extra: Record<string, unknown> = {}) => ({
  patientId: P,
  drugRxcui,
  dose: { value: 1, unit: 'tablet' },
  route: 'oral',
  frequency: { times: 1, period: 1, unit: 'd' },
  quantity: 30,
  refills: 2,
  notes: 'RX-CANARY-NOTE',
  idempotencyKey: `rx-${randomUUID()}`,
  ...extra,
});

async function ok<T>(token: string, query: string, variables?: object): Promise<T> {
  const res: GqlResponse<T> = await t.gql<T>(token, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

const prescribe = async (i: object) =>
  (await ok<{ prescribe: Prescribed }>(clinician, PRESCRIBE, { i })).prescribe;

/** Prescribes, overriding whatever blocks (for the tests that are not about the checks). */
async function prescribeOverriding(i: { idempotencyKey: string }): Promise<Prescribed> {
  const first = await prescribe(i);
  if (!first.blocked) return first;
  return prescribe({
    ...i,
    idempotencyKey: `${i.idempotencyKey}-o`,
    overrides: first.alerts
      .filter((a) => a.blocking)
      .map((a) => ({ alertCode: a.code, reason: 'Reviewed with the patient' })),
  });
}

/** The patient's audit entries for MedicationRequest with this action, oldest first. */
async function auditOf(
  patientId: string,
  action: string,
): Promise<{ outcome: string; reason?: string; resourceId?: string }[]> {
  const rows = await t.sql<{ payload: string }>(
    `SELECT payload FROM audit.entry
      WHERE payload::jsonb ->> 'patientId' = $1 AND payload::jsonb ->> 'resourceType' = 'MedicationRequest'
        AND payload::jsonb ->> 'action' = $2 ORDER BY seq`,
    [patientId, action],
  );
  return rows.map((r) => JSON.parse(r.payload) as { outcome: string; reason?: string });
}

/** Waits until pharmacy holds the clinical record's resource (its event consumed). */
async function untilProjected(resourceId: string, version = 1): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [row] = await t.sql<{ n: string }>(
      'SELECT count(*) AS n FROM pharmacy.clinical_fact WHERE resource_id = $1 AND version >= $2',
      [resourceId, version],
    );
    if (Number(row!.n) === 1) return;
    if (Date.now() > deadline) throw new Error('pharmacy never received the clinical event');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  t = await startTestStack('pharmacy_prescribing');
  gateway = new URL(t.stack.gatewayUrl).origin;
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  // A fresh patient, on the demo clinician's care team, so no other test's records interfere.
  P = await patientOnCareTeam(
    t,
    { mrn: 'PHARMACY-RX-1', family: 'Tester', given: 'Rx', birthDate: '1960-02-03' },
    { schemas: ['pharmacy', 'fhir'] },
  );
}, 180_000);
afterAll(() => t?.stop());

describe('safety checks against the whole record', () => {
  let outsideSimvastatin: string;

  it('an outside medication arrives through the FHIR adapter and is on the medication list', async () => {
    const res = await fetch(`${gateway}/fhir/R4`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${clinician}` },
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: `urn:uuid:${randomUUID()}`,
            request: { method: 'POST', url: 'MedicationRequest' },
            resource: {
              resourceType: 'MedicationRequest',
              status: 'active',
              intent: 'order',
              medicationCodeableConcept: {
                coding: [{ system: RXNORM, code: SIMVASTATIN_10 }],
              },
              subject: { reference: `Patient/${P}` },
              authoredOn: '2024-05-01',
            },
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entry: { response: { location: string } }[] };
    outsideSimvastatin = body.entry[0]!.response.location.split('/')[1]!;
    await untilProjected(outsideSimvastatin);
    const list = await ok<{
      patient: {
        medications: {
          source: string;
          outside: { resourceId: string; drug: { rxcui: string } | null } | null;
        }[];
      };
    }>(clinician, MEDICATIONS, { id: P });
    expect(list.patient.medications).toEqual([
      {
        source: 'outside',
        outside: { resourceId: outsideSimvastatin, drug: { rxcui: SIMVASTATIN_10 } },
      },
    ]);
    // The patient sees their own list, the outside medication included.
    const own = await ok<typeof list>(await t.token('patient', { patientId: P }), MEDICATIONS, {
      id: P,
    });
    expect(own.patient.medications.map((m) => m.outside?.resourceId)).toContain(outsideSimvastatin);
  });

  it('a known interacting pair (simvastatin + amiodarone, ONC) blocks, with severity and source; nothing is written', async () => {
    const before = await t.sql<{ n: string }>('SELECT count(*) AS n FROM pharmacy.prescription');
    const r = await prescribe(
      input(AMIODARONE, { dose: { value: 150, unit: 'mg' }, route: 'intravenous' }),
    );
    expect(r.blocked).toBe(true);
    expect(r.prescription).toBeNull();
    const interaction = r.alerts.find((a) => a.kind === 'INTERACTION')!;
    expect(interaction).toMatchObject({
      severity: 'HIGH',
      blocking: true,
      against: { ref: outsideSimvastatin, source: 'outside' },
    });
    expect(interaction.sources[0]).toMatchObject({ source: expect.stringMatching(/ONC/) });
    expect(interaction.message).toMatch(/amiodarone/i);
    expect(interaction.message).toMatch(/simvastatin/i);
    const after = await t.sql<{ n: string }>('SELECT count(*) AS n FROM pharmacy.prescription');
    expect(after[0]!.n).toBe(before[0]!.n);
    // The refused attempt is audited, naming the alert (codes only).
    const audit = await auditOf(P, 'create');
    expect(audit.at(-1)).toMatchObject({ outcome: 'deny', reason: `blocked:${interaction.code}` });
  });

  it('overridden with a reason, it is written; the override is in the audit log and on the version', async () => {
    const first = await prescribe(
      input(AMIODARONE, { dose: { value: 150, unit: 'mg' }, route: 'intravenous' }),
    );
    const code = first.alerts.find((a) => a.blocking)!.code;
    const r = await prescribe(
      input(AMIODARONE, {
        dose: { value: 150, unit: 'mg' },
        route: 'intravenous',
        overrides: [{ alertCode: code, reason: 'Cardiology advised; simvastatin to be stopped' }],
      }),
    );
    expect(r.blocked).toBe(false);
    expect(r.prescription).toMatchObject({ status: 'active', version: 1, drugRxcui: AMIODARONE });
    expect(r.prescription!.alerts.find((a) => a.code === code)).toMatchObject({
      severity: 'HIGH',
      overrideReason: 'Cardiology advised; simvastatin to be stopped',
    });
    const audit = await auditOf(P, 'create');
    expect(audit).toContainEqual(
      expect.objectContaining({
        reason: `override:${code}`,
        outcome: 'permit',
        resourceId: r.prescription!.id,
      }),
    );
    // The notes are encrypted: no column holds them in the clear.
    const raw = await t.sql<{ detail: string }>(
      'SELECT detail FROM pharmacy.prescription WHERE id = $1',
      [r.prescription!.id],
    );
    expect(raw[0]!.detail).toMatch(/^cf1\./);
    expect(JSON.stringify(raw)).not.toContain('RX-CANARY-NOTE');
    expect(t.logs()).not.toContain('RX-CANARY-NOTE');
  });

  it('duplicate therapy (same ingredient twice) comes back with the prescription, not blocking', async () => {
    // Amiodarone is now prescribed, so simvastatin also meets that interaction: overridden here.
    const r = await prescribeOverriding(input(SIMVASTATIN_20));
    expect(r.blocked).toBe(false);
    const dup = r.alerts.find((a) => a.kind === 'DUPLICATE_THERAPY')!;
    expect(dup).toMatchObject({ blocking: false, against: { ref: outsideSimvastatin } });
    expect(r.prescription!.alerts.map((a) => a.code)).toContain(dup.code);
  });

  it('an allergy recorded through the FHIR adapter blocks a drug containing that ingredient', async () => {
    const { recordAllergy } = await ok<{ recordAllergy: { id: string } }>(
      clinician,
      /* GraphQL */ `
        mutation ($p: ID!, $i: RecordAllergyInput!) {
          recordAllergy(patientId: $p, input: $i) {
            id
          }
        }
      `,
      {
        p: P,
        i: {
          code: { system: RXNORM, code: ASPIRIN_INGREDIENT },
          display: 'Aspirin',
          type: 'allergy',
          categories: ['medication'],
          criticality: 'high',
        },
      },
    );
    await untilProjected(recordAllergy.id);
    const r = await prescribe(input(ASPIRIN_81));
    expect(r.blocked).toBe(true);
    expect(r.alerts.find((a) => a.kind === 'ALLERGY')).toMatchObject({
      blocking: true,
      against: { ref: recordAllergy.id, source: 'allergy' },
    });
    // Ibuprofen is another NSAID: the class the data allows (see the catalogue's class table).
    const nsaid = await prescribe(input(IBUPROFEN_200));
    expect(nsaid.alerts.some((a) => a.kind === 'ALLERGY')).toBe(true);
  });

  it('the dry run answers the same alerts without writing', async () => {
    const { checkPrescription } = await ok<{ checkPrescription: Alert[] }>(
      clinician,
      /* GraphQL */ `
        ${ALERT}
        query ($p: ID!, $d: ID!) {
          checkPrescription(patientId: $p, drugRxcui: $d) {
            ...Alert
          }
        }
      `,
      { p: P, d: ASPIRIN_81 },
    );
    expect(checkPrescription.some((a) => a.kind === 'ALLERGY' && a.blocking)).toBe(true);
  });
});

describe('versions, status and renewal', () => {
  const CHANGE = /* GraphQL */ `
    ${RX}
    mutation ($id: ID!, $v: Int!, $a: PrescriptionStatusAction!, $r: String) {
      changePrescriptionStatus(id: $id, expectedVersion: $v, action: $a, reason: $r) {
        ...Rx
      }
    }
  `;

  it('hold, resume, stale version CONFLICT, bad transition, and the history keeps every version', async () => {
    const { prescription } = await prescribeOverriding(input(SIMVASTATIN_20, { refills: 0 }));
    const id = prescription!.id;
    const held = await ok<{ changePrescriptionStatus: Rx }>(clinician, CHANGE, {
      id,
      v: 1,
      a: 'hold',
      r: 'Awaiting liver function tests',
    });
    expect(held.changePrescriptionStatus).toMatchObject({
      status: 'onHold',
      version: 2,
      statusReason: 'Awaiting liver function tests',
    });
    const stale = await t.gql(clinician, CHANGE, { id, v: 1, a: 'resume' });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    const noReason = await t.gql(clinician, CHANGE, { id, v: 2, a: 'discontinue' });
    expect(noReason.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badMove = await t.gql(clinician, CHANGE, { id, v: 2, a: 'hold', r: 'again please' });
    expect(badMove.errors?.[0]?.extensions?.code).toBe('INVALID_TRANSITION');
    await ok(clinician, CHANGE, { id, v: 2, a: 'resume' });
    const { prescriptionHistory } = await ok<{ prescriptionHistory: Rx[] }>(
      clinician,
      /* GraphQL */ `
        ${RX}
        query ($id: ID!) {
          prescriptionHistory(id: $id) {
            ...Rx
          }
        }
      `,
      { id },
    );
    expect(prescriptionHistory.map((v) => [v.version, v.status])).toEqual([
      [3, 'active'],
      [2, 'onHold'],
      [1, 'active'],
    ]);
    const versions = await t.sql<{ n: string }>(
      'SELECT count(*) AS n FROM pharmacy.prescription_version WHERE id = $1',
      [id],
    );
    expect(Number(versions[0]!.n)).toBe(3);
  });

  it('a renewal is checked again; when written, the old one is completed in the same write', async () => {
    const { prescription } = await prescribeOverriding(input(SIMVASTATIN_20));
    const RENEW = /* GraphQL */ `
      ${RX}
      ${ALERT}
      mutation ($id: ID!, $v: Int!, $i: RenewInput!) {
        renewPrescription(id: $id, expectedVersion: $v, input: $i) {
          blocked
          prescription {
            ...Rx
          }
          alerts {
            ...Alert
          }
        }
      }
    `;
    const renew = (overrides: object[]) =>
      ok<{ renewPrescription: Prescribed }>(clinician, RENEW, {
        id: prescription!.id,
        v: 1,
        i: { refills: 5, idempotencyKey: `renew-${randomUUID()}`, overrides },
      });
    // Amiodarone is still prescribed: the renewal is blocked and the old one is untouched.
    const blocked = (await renew([])).renewPrescription;
    expect(blocked.blocked).toBe(true);
    const untouched = await t.sql<{ status: string; version: number }>(
      'SELECT status, version FROM pharmacy.prescription WHERE id = $1',
      [prescription!.id],
    );
    expect(untouched[0]).toEqual({ status: 'active', version: 1 });
    const res = await renew(
      blocked.alerts
        .filter((a) => a.blocking)
        .map((a) => ({ alertCode: a.code, reason: 'Cardiology agrees to continue' })),
    );
    const renewed = res.renewPrescription.prescription!;
    expect(renewed.id).not.toBe(prescription!.id);
    expect(renewed.drugRxcui).toBe(SIMVASTATIN_20);
    expect(renewed.fhir).toMatchObject({
      priorPrescription: { reference: `MedicationRequest/${prescription!.id}` },
      dispenseRequest: { numberOfRepeatsAllowed: 5 },
    });
    const [old] = await t.sql<{ status: string; version: number }>(
      'SELECT status, version FROM pharmacy.prescription WHERE id = $1',
      [prescription!.id],
    );
    expect(old).toEqual({ status: 'completed', version: 2 });
  });

  it('a retried prescribe with the same key writes once and answers the same prescription', async () => {
    // Ibuprofen matches the aspirin allergy's class: overridden, the same request twice at once.
    const blocked = await prescribe(input(IBUPROFEN_200));
    const i = input(IBUPROFEN_200, {
      overrides: blocked.alerts
        .filter((x) => x.blocking)
        .map((x) => ({ alertCode: x.code, reason: 'Tolerated ibuprofen before' })),
    });
    const [a, b] = await Promise.all([prescribe(i), prescribe(i)]);
    expect(a.prescription!.id).toBe(b.prescription!.id);
    const rows = await t.sql<{ n: string }>(
      'SELECT count(*) AS n FROM pharmacy.prescription WHERE id = $1',
      [a.prescription!.id],
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });
});
