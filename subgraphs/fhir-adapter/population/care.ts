import {
  ALLERGIES,
  REACTIONS,
  routineVaccines,
  VACCINES,
  type VaccineSpec,
} from './clinical-catalogue.js';
import { concept, dateTime, hl7Code, profile, SYSTEM, type Coding, type Resource } from './fhir.js';
import { ageAt, DAY, YEAR, type Person, type Window } from './person.js';
import { Weighted, type Rng } from './prng.js';
import type { ReferenceData } from './reference-data.js';
import type { Visit } from './timeline.js';

function immunization(rng: Rng, p: Person, vaccine: VaccineSpec, at: number, v?: Visit): Resource {
  return {
    resourceType: 'Immunization',
    id: rng.uuid(),
    meta: profile('immunization'),
    status: 'completed',
    vaccineCode: concept({ system: SYSTEM.cvx, code: vaccine.cvx, display: vaccine.display }),
    patient: { reference: `Patient/${p.id}` },
    ...(v ? { encounter: { reference: `Encounter/${v.id}` } } : {}),
    occurrenceDateTime: dateTime(at),
    primarySource: true,
  };
}

/** Routine vaccines due at a well visit, plus Td, zoster and pneumococcal for adults now and then. */
export function visitImmunizations(rng: Rng, p: Person, v: Visit): Resource[] {
  if (v.kind !== 'checkup' && v.kind !== 'wellChild') return [];
  const age = (v.start - p.birth) / YEAR;
  const due = routineVaccines(age).filter(() => rng.chance(0.85));
  if (age >= 18 && rng.chance(0.1)) due.push(VACCINES.td);
  if (age >= 50 && rng.chance(0.1)) due.push(VACCINES.zoster);
  if (age >= 65 && rng.chance(0.12)) due.push(VACCINES.ppsv23);
  return due.map((vaccine) => immunization(rng, p, vaccine, v.start, v));
}

/**
 * Seasonal shots given outside the visits (a pharmacy, say; no encounter):
 * influenza each autumn for about half the population, COVID-19 from 2021.
 */
export function seasonalImmunizations(rng: Rng, p: Person, w: Window): Resource[] {
  const out: Resource[] = [];
  const first = new Date(w.start * 1000).getUTCFullYear();
  const last = new Date(w.until * 1000).getUTCFullYear();
  for (let year = first; year <= last; year++) {
    const flu = Date.UTC(year, 8, 15) / 1000 + rng.int(0, 90) * DAY + rng.int(9 * 60, 18 * 60) * 60;
    const age = ageAt(p, flu);
    const rate = age < 18 ? 0.5 : age < 65 ? 0.35 : 0.7;
    if (flu >= w.start && flu < w.until && flu > p.birth + 182 * DAY && rng.chance(rate))
      out.push(immunization(rng, p, VACCINES.flu, flu));
    const covid =
      Date.UTC(year, 0, 1) / 1000 + rng.int(0, 364) * DAY + rng.int(9 * 60, 18 * 60) * 60;
    const covidRate = year < 2021 ? 0 : year === 2021 ? 0.5 : year === 2022 ? 0.25 : 0.12;
    if (covid >= w.start && covid < w.until && ageAt(p, covid) >= 5 && rng.chance(covidRate))
      out.push(immunization(rng, p, VACCINES.covid, covid));
  }
  return out.sort((a, b) =>
    String(a.occurrenceDateTime).localeCompare(String(b.occurrenceDateTime)),
  );
}

const DELIVERY_PROCEDURES: readonly (readonly [Coding, number])[] = [
  [{ system: SYSTEM.snomed, code: '66348005', display: 'Childbirth' }, 3],
  [{ system: SYSTEM.snomed, code: '11466000', display: 'Cesarean section' }, 1],
];
const DELIVERY = new Weighted(DELIVERY_PROCEDURES);

/** How many procedures a kind of visit gets, on average. */
const PROCEDURE_RATE: Partial<Record<Visit['kind'], number>> = {
  checkup: 0.8,
  wellChild: 0.4,
  problem: 0.25,
  symptom: 0.2,
  followUp: 0.25,
  urgent: 0.4,
  emergency: 0.6,
  inpatient: 1.5,
  homeVisit: 0.3,
};

function procedureCodes(rng: Rng, ref: ReferenceData, p: Person, v: Visit): Coding[] {
  if (v.virtual) return [];
  if (v.kind === 'delivery') return [DELIVERY.draw(rng)];
  if (v.kind === 'prenatal' || v.kind === 'prenatalInitial')
    return Array.from({ length: rng.int(1, 3) }, () => rng.pick(ref.procedures.prenatal));
  const codes = Array.from({ length: rng.poisson(PROCEDURE_RATE[v.kind] ?? 0) }, () =>
    ref.procedures.routine.draw(rng),
  );
  const age = ageAt(p, v.start);
  if (v.kind === 'checkup' && p.gender === 'female' && age >= 15 && age < 65 && rng.chance(0.15))
    codes.push(ref.procedures.female.draw(rng));
  return codes;
}

/** Procedures at a visit, from Synthea's sample frequencies; each within the visit's period. */
export function visitProcedures(rng: Rng, ref: ReferenceData, p: Person, v: Visit): Resource[] {
  const seen = new Set<string>();
  const length = (v.end ?? v.start + 3600) - v.start;
  return procedureCodes(rng, ref, p, v)
    .filter((c) => !seen.has(c.code) && Boolean(seen.add(c.code)))
    .map((c) => {
      const start = v.start + Math.floor((rng.float() * length) / 2 / 60) * 60;
      const end = Math.min(start + rng.int(10, 45) * 60, v.end ?? start + 900);
      return {
        resourceType: 'Procedure',
        id: rng.uuid(),
        meta: profile('procedure'),
        status: 'completed',
        code: concept(c),
        subject: { reference: `Patient/${p.id}` },
        encounter: { reference: `Encounter/${v.id}` },
        performedPeriod: { start: dateTime(start), end: dateTime(end) },
      };
    });
}

const ALLERGENS = new Weighted(ALLERGIES.map((a) => [a, a.weight] as const));

/** One or two allergies for about one patient in eight, recorded at a visit. */
export function allergies(rng: Rng, p: Person, visits: readonly Visit[]): Resource[] {
  if (!visits.length || !rng.chance(0.12)) return [];
  const v = rng.pick(visits);
  const picked = new Set(
    [ALLERGENS.draw(rng), ALLERGENS.draw(rng)].slice(0, rng.chance(0.2) ? 2 : 1),
  );
  return [...picked].map((a) => {
    const reactions = Array.from({ length: rng.int(0, 2) }, () => rng.pick(REACTIONS));
    return {
      resourceType: 'AllergyIntolerance',
      id: rng.uuid(),
      meta: profile('allergyintolerance'),
      clinicalStatus: hl7Code('allergyintolerance-clinical', 'active'),
      verificationStatus: hl7Code('allergyintolerance-verification', 'confirmed'),
      type: 'allergy',
      category: [a.category],
      criticality: rng.chance(0.15) ? 'high' : 'low',
      code: concept(a.coding),
      patient: { reference: `Patient/${p.id}` },
      recordedDate: dateTime(v.start),
      ...(reactions.length
        ? { reaction: [...new Set(reactions)].map((m) => ({ manifestation: [concept(m)] })) }
        : {}),
    };
  });
}
