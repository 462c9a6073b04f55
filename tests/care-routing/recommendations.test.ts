import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPartnerClients } from '../support/clients.js';
import {
  WITH_FACILITIES,
  startTestStack,
  type GqlResponse,
  type TestStack,
} from '../support/stack.js';

/**
 * Care recommendations through the gateway over the demo directory (Kansas)
 * and the demo schedules: a worked scenario per urgency where the expected
 * facility ranks first and the reasons name the deciding factors; reported
 * capacity (diversion, emergency wait) and traffic changing the ranking; an
 * emergency never sent first to a facility without an emergency department;
 * preferences; and the next free slot from scheduling's events.
 */
let t: TestStack;
let admin: string;
let feed: string;

interface Rec {
  rank: number;
  score: number;
  distanceKm: number;
  travelMinutes: number;
  openNow: boolean | null;
  decidingFactors: string[];
  reasons: string[];
  facility: { id: string; name: string; kind: string; emergency: boolean };
  nextFreeSlot: { start: string; practitionerId: string } | null;
  factors: {
    factor: string;
    score: number;
    weight: number;
    contribution: number;
    detail: string;
  }[];
}
interface Recs {
  urgency: string;
  originSource: string;
  travelModel: string;
  weights: { factor: string; weight: number }[];
  recommendations: Rec[];
}

async function ok<T>(token: string, query: string, variables?: object): Promise<T> {
  const res: GqlResponse<T> = await t.gql<T>(token, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

const RECOMMEND = /* GraphQL */ `
  query ($near: PlaceInput!, $need: CareNeedInput!, $prefs: CarePreferencesInput) {
    careRecommendations(near: $near, need: $need, preferences: $prefs) {
      urgency
      originSource
      travelModel
      weights {
        factor
        weight
      }
      recommendations {
        rank
        score
        distanceKm
        travelMinutes
        openNow
        decidingFactors
        reasons
        facility {
          id
          name
          kind
          emergency
        }
        nextFreeSlot {
          start
          practitionerId
        }
        factors {
          factor
          score
          weight
          contribution
          detail
        }
      }
    }
  }
`;

const recommend = async (need: object, near: object = { postalCode: '66204' }, prefs?: object) =>
  (await ok<{ careRecommendations: Recs }>(admin, RECOMMEND, { near, need, prefs }))
    .careRecommendations;

const factor = (r: Rec, name: string) => r.factors.find((f) => f.factor === name)!;

async function report(facilityId: string, input: object): Promise<void> {
  await ok(
    admin,
    `mutation ($id: ID!, $input: FacilityStatusInput!) {
       reportFacilityStatus(facilityId: $id, input: $input) { report { id } }
     }`,
    { id: facilityId, input: { ...input, idempotencyKey: `rec-${randomUUID()}` } },
  );
}

beforeAll(async () => {
  t = await startTestStack('routing-recommend', {
    ...WITH_FACILITIES,
    ...textPartnerClients(['traffic-feed']),
  });
  admin = await t.token('admin');
  feed = await t.stack.devIssuer!.sign({
    sub: 'traffic-feed',
    roles: ['partner'],
    scopes: ['system/Location.u'],
    clientId: 'traffic-feed',
    purposeOfUse: 'HOPERAT',
  });
}, 180_000);
afterAll(() => t?.stop());

describe('an emergency', () => {
  it('goes to the nearest emergency department, for its travel time', async () => {
    const r = await recommend({ urgency: 'emergency', first: 5 });
    expect(r.urgency).toBe('emergency');
    expect(r.originSource).toBe('postal-code');
    expect(r.travelModel).toMatch(/circuity/);
    const [first, second] = r.recommendations;
    // The nearest emergency department to ZIP 66204's centroid (Overland Park, KS).
    expect(first!.facility.name).toBe('ADVENTHEALTH SHAWNEE MISSION');
    expect(r.recommendations.every((x) => x.facility.emergency)).toBe(true);
    expect(first!.distanceKm).toBeLessThan(second!.distanceKm);
    expect(first!.decidingFactors[0]).toBe('travel');
    expect(first!.reasons[0]).toBe(`Ahead of ${second!.facility.name} on travel`);
    // Every factor is shown with its weight, and the score is their sum.
    expect(first!.factors.map((f) => f.weight)).toEqual(r.weights.map((w) => w.weight));
    const sum = first!.factors.reduce((s, f) => s + f.contribution, 0);
    expect(first!.score).toBeCloseTo(sum, 2);
  });

  it('moves off a hospital that reports diversion, and says so', async () => {
    const before = await recommend({ urgency: 'emergency', first: 5 });
    const diverted = before.recommendations[0]!;
    await report(diverted.facility.id, { diversion: true });
    const after = await recommend({ urgency: 'emergency', first: 5 });
    expect(after.recommendations[0]!.facility.id).toBe(before.recommendations[1]!.facility.id);
    const now = after.recommendations.find((x) => x.facility.id === diverted.facility.id)!;
    expect(now.rank).toBeGreaterThan(1);
    expect(factor(now, 'diversion')).toMatchObject({ score: 0 });
    expect(factor(now, 'diversion').detail).toMatch(/^on ambulance diversion/);
    // The one ranked just above it is there because of the diversion.
    const above = after.recommendations[now.rank - 2]!;
    expect(above.decidingFactors).toContain('diversion');
    await report(diverted.facility.id, { diversion: false });
    const back = await recommend({ urgency: 'emergency', first: 5 });
    expect(back.recommendations[0]!.facility.id).toBe(diverted.facility.id);
  });

  it('never goes first to a facility without an emergency department, even when every one is diverted', async () => {
    // The urgent care centre (no emergency department) with the fewest hospitals with one nearby.
    const [uc] = await t.sql<{ id: string; lat: number; lon: number }>(
      `SELECT f.id, f.lat, f.lon FROM routing.facility f
        WHERE f.kind = 'urgent-care' AND NOT f.emergency
          AND EXISTS (SELECT 1 FROM routing.facility h
                       WHERE h.emergency AND public.earth_distance(h.earth, f.earth) < 30000)
        ORDER BY (SELECT count(*) FROM routing.facility h
                   WHERE h.emergency AND public.earth_distance(h.earth, f.earth) < 30000), f.id
        LIMIT 1`,
    );
    expect(uc, 'the Kansas directory has such a place').toBeDefined();
    const near = { latitude: uc!.lat, longitude: uc!.lon };
    const need = { urgency: 'emergency', radiusKm: 30, first: 10 };
    const eds = (await recommend(need, near)).recommendations.filter((x) => x.facility.emergency);
    expect(eds.length).toBeGreaterThan(0);
    for (const ed of eds) await report(ed.facility.id, { diversion: true });
    try {
      const list = (await recommend(need, near)).recommendations;
      const uci = list.findIndex((x) => x.facility.id === uc!.id);
      expect(uci).toBe(eds.length);
      // Every emergency department first; the urgent care next door scores higher yet ranks after.
      expect(list.slice(0, uci).every((x) => x.facility.emergency)).toBe(true);
      expect(list[uci]!.score).toBeGreaterThan(list[0]!.score);
      expect(list[uci - 1]!.decidingFactors).toEqual(['emergencyDepartment']);
      expect(list[uci - 1]!.reasons[0]).toMatch(/^Has an emergency department; .* has none$/);
    } finally {
      for (const ed of eds) await report(ed.facility.id, { diversion: false });
    }
  });
});

describe('an urgent need', () => {
  it('goes to the nearest walk-in care open now; a long emergency wait sends it elsewhere', async () => {
    const before = await recommend({ urgency: 'urgent', first: 5 });
    const first = before.recommendations[0]!;
    expect(first.facility.name).toBe('ADVENTHEALTH SHAWNEE MISSION');
    expect(first.openNow).toBe(true);
    expect(factor(first, 'availability').detail).toBe('open now for walk-in care');
    expect(first.decidingFactors).toContain('travel');

    await report(first.facility.id, { emergencyWaitMinutes: 230 });
    const after = await recommend({ urgency: 'urgent', first: 5 });
    expect(after.recommendations[0]!.facility.id).not.toBe(first.facility.id);
    const waited = after.recommendations.find((x) => x.facility.id === first.facility.id);
    if (waited) expect(factor(waited, 'emergencyWait').detail).toMatch(/^emergency wait 230 min/);
    expect(after.recommendations[0]!.reasons.join(' ')).toMatch(/emergencyWait/);
  });

  it('takes a region’s traffic into the travel time, and says so', async () => {
    const before = await recommend({ urgency: 'urgent', first: 3 });
    const r0 = before.recommendations[0]!;
    const region = (
      await t.sql<{ region: string }>('SELECT region FROM routing.facility WHERE id = $1', [
        r0.facility.id,
      ])
    )[0]!.region;
    await ok(
      feed,
      `mutation ($r: [TrafficReportInput!]!, $k: String!) { reportTraffic(reports: $r, idempotencyKey: $k) }`,
      { r: [{ region, factor: 3 }], k: `traffic-${randomUUID()}` },
    );
    const after = await recommend({ urgency: 'urgent', first: 10 });
    const same = after.recommendations.find((x) => x.facility.id === r0.facility.id)!;
    // Model: 3 fixed minutes plus the driving part, which the factor multiplies.
    expect(same.travelMinutes - 3).toBeCloseTo((r0.travelMinutes - 3) * 3, 0);
    expect(factor(same, 'travel').detail).toMatch(/traffic ×3\b/);
  });
});

describe('a routine need', () => {
  const need = { urgency: 'routine', specialty: 'General Practice Physician', first: 5 };

  it('goes to the nearest fitting practitioner’s facility with a free slot, from scheduling’s events', async () => {
    // The demo schedules reach care routing by event: wait until the recommendations see slots.
    let r: Recs | undefined;
    for (let i = 0; i < 100; i++) {
      r = await recommend(need);
      if (r.recommendations.length && r.recommendations.every((x) => x.nextFreeSlot)) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const first = r!.recommendations[0]!;
    const nearest = await ok<{
      nearbyFacilities: { edges: { node: { facility: { id: string } } }[] };
    }>(
      admin,
      `query { nearbyFacilities(near: { postalCode: "66204" }, specialty: "General Practice Physician", first: 1) {
         edges { node { facility { id } } } } }`,
    );
    expect(first.facility.id).toBe(nearest.nearbyFacilities.edges[0]!.node.facility.id);
    // Its slot is the facility's own next free slot (the projection of scheduling's schedules).
    const f = await ok<{ facility: { nextAvailable: { start: string } } }>(
      admin,
      `query ($id: ID!) { facility(id: $id) { nextAvailable(specialty: "General Practice Physician") { start } } }`,
      { id: first.facility.id },
    );
    expect(first.nextFreeSlot!.start).toBe(f.facility.nextAvailable.start);
    expect(factor(first, 'availability').detail).toMatch(/^next free slot /);
    expect(first.decidingFactors.length).toBeGreaterThan(0);
  });

  it('puts a preferred facility first, naming the preference', async () => {
    const before = await recommend(need);
    const third = before.recommendations[2]!;
    const after = await recommend(need, undefined, { preferredFacilityIds: [third.facility.id] });
    expect(after.recommendations[0]!.facility.id).toBe(third.facility.id);
    expect(after.recommendations[0]!.decidingFactors).toContain('preference');
    expect(factor(after.recommendations[0]!, 'preference').detail).toBe('a preferred facility');
    // Avoided: left out of routine care.
    const avoided = await recommend(need, undefined, {
      avoidedFacilityIds: [before.recommendations[0]!.facility.id],
    });
    expect(avoided.recommendations.map((x) => x.facility.id)).not.toContain(
      before.recommendations[0]!.facility.id,
    );
  });

  it('routes a patient from their own postal code with their stored preferences', async () => {
    const patient = await t.token('patient', {
      patientId: t.demo.patientId,
      scopes: ['patient/Patient.rus'],
    });
    const OPTIONS = `query ($p: ID!) { patient(id: $p) {
        carePreferences { preferredFacilityIds version }
        careOptions(need: { urgency: routine, specialty: "General Practice Physician", radiusKm: 500 }) {
          originSource recommendations { facility { id } decidingFactors }
        }
     } }`;
    interface Options {
      patient: {
        careOptions: {
          originSource: string;
          recommendations: { facility: { id: string }; decidingFactors: string[] }[];
        };
        carePreferences: { preferredFacilityIds: string[]; version: number };
      };
    }
    const before = await ok<Options>(patient, OPTIONS, { p: t.demo.patientId });
    expect(before.patient.carePreferences).toEqual({ preferredFacilityIds: [], version: 0 });
    expect(before.patient.careOptions.originSource).toBe('postal-code');
    const wanted = before.patient.careOptions.recommendations[1]!.facility.id;
    await ok(
      patient,
      `mutation ($p: ID!, $i: CarePreferencesInput!) { setCarePreferences(patientId: $p, input: $i) { version } }`,
      { p: t.demo.patientId, i: { preferredFacilityIds: [wanted] } },
    );
    const d = await ok<Options>(patient, OPTIONS, { p: t.demo.patientId });
    expect(d.patient.carePreferences).toEqual({ preferredFacilityIds: [wanted], version: 1 });
    expect(d.patient.careOptions.recommendations[0]!.facility.id).toBe(wanted);
    expect(d.patient.careOptions.recommendations[0]!.decidingFactors).toContain('preference');
    // Audited as a read of the patient by care routing too: beside the patient subgraph's entry
    // for the address the gateway fetched, care routing writes its own.
    const entries = async () =>
      Number(
        (
          await t.sql<{ n: string }>(
            `SELECT count(*) AS n FROM audit.entry
              WHERE payload::jsonb ->> 'patientId' = $1 AND payload::jsonb ->> 'resourceType' = 'Patient'`,
            [t.demo.patientId],
          )
        )[0]!.n,
      );
    const n0 = await entries();
    await ok(patient, `query ($p: ID!) { patient(id: $p) { address { postalCode } } }`, {
      p: t.demo.patientId,
    });
    const addressOnly = (await entries()) - n0;
    const n1 = await entries();
    await ok(patient, OPTIONS, { p: t.demo.patientId });
    expect((await entries()) - n1).toBeGreaterThan(addressOnly);
  });
});
