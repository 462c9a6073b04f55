import { OTC } from './clinical-catalogue.js';
import { concept, dateTime, hl7Code, profile, type Resource } from './fhir.js';
import type { Person } from './person.js';
import { Weighted, type Rng } from './prng.js';
import { rxCoding, type ReferenceData } from './reference-data.js';
import type { Order, Visit } from './timeline.js';

const dosage = (perDay: number) => [
  {
    sequence: 1,
    timing: { repeat: { frequency: perDay, period: 1, periodUnit: 'd' } },
    asNeededBoolean: false,
    doseAndRate: [
      {
        type: hl7Code('dose-rate-type', 'ordered', 'Ordered'),
        doseQuantity: { value: 1 },
      },
    ],
  },
];

/** A MedicationRequest as Synthea writes it: community order, RxNorm drug, reason, dosage. */
export function medicationRequest(
  rng: Rng,
  ref: ReferenceData,
  p: Person,
  v: Visit,
  o: Order,
): Resource {
  return {
    resourceType: 'MedicationRequest',
    id: rng.uuid(),
    meta: profile('medicationrequest'),
    status: o.status,
    intent: 'order',
    category: [
      { ...hl7Code('medicationrequest-category', 'community', 'Community'), text: 'Community' },
    ],
    medicationCodeableConcept: concept(rxCoding(ref, o.rxnorm)),
    subject: { reference: `Patient/${p.id}` },
    encounter: { reference: `Encounter/${v.id}` },
    authoredOn: dateTime(v.start),
    ...(o.reason
      ? {
          reasonReference: [
            { reference: `Condition/${o.reason.id}`, display: o.reason.coding.display },
          ],
        }
      : {}),
    dosageInstruction: dosage(rng.pick([1, 1, 1, 2, 3])),
  };
}

const OTC_DRUGS = new Weighted(OTC);

/**
 * Over-the-counter drugs a quarter of patients report at a visit
 * (MedicationStatement: patient-reported, no prescriber).
 */
export function medicationStatements(
  rng: Rng,
  ref: ReferenceData,
  p: Person,
  visits: readonly Visit[],
): Resource[] {
  if (!visits.length || !rng.chance(0.25)) return [];
  const v = rng.pick(visits);
  const drugs = new Set(
    [OTC_DRUGS.draw(rng), OTC_DRUGS.draw(rng)].slice(0, rng.chance(0.3) ? 2 : 1),
  );
  return [...drugs].map((rxnorm) => ({
    resourceType: 'MedicationStatement',
    id: rng.uuid(),
    status: rng.chance(0.6) ? 'active' : 'completed',
    medicationCodeableConcept: concept(rxCoding(ref, rxnorm)),
    subject: { reference: `Patient/${p.id}` },
    context: { reference: `Encounter/${v.id}` },
    effectiveDateTime: dateTime(v.start),
    dateAsserted: dateTime(v.start),
    informationSource: { reference: `Patient/${p.id}` },
  }));
}
