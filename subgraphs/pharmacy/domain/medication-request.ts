import type { PrescriptionDetail } from './prescription-detail.js';
import { ROUTES } from './prescription-detail.js';
import type { PrescriptionStatus } from './prescription-status.js';

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SNOMED = 'http://snomed.info/sct';

/** The columns of a prescription a MedicationRequest needs besides its detail. */
export interface PrescriptionFacts {
  id: string;
  patientId: string;
  drugRxcui: string;
  drugName: string | null;
  prescriberId: string | null;
  status: PrescriptionStatus;
  version: number;
  quantity: number;
  refills: number;
  validUntil: Date;
  authoredAt: Date;
  renewalOf: string | null;
  updatedAt: Date;
  labels: readonly string[];
}

type Json = Record<string, unknown>;

/**
 * The prescription as a FHIR R4 MedicationRequest: medication by RxNorm,
 * dosage as Timing and doseAndRate, the dispense request (quantity per fill,
 * repeats allowed, validity), the indication as reasonCode, notes, status
 * reason and the prior prescription of a renewal.
 */
export function medicationRequest(p: PrescriptionFacts, d: PrescriptionDetail): Json {
  const route = ROUTES[d.route];
  const reason =
    d.indication && (d.indication.code || d.indication.text)
      ? [
          {
            ...(d.indication.code
              ? { coding: [{ system: d.indication.system, code: d.indication.code }] }
              : {}),
            ...(d.indication.text ? { text: d.indication.text } : {}),
          },
        ]
      : undefined;
  return {
    resourceType: 'MedicationRequest',
    id: p.id,
    meta: {
      versionId: String(p.version),
      lastUpdated: p.updatedAt.toISOString(),
      ...(p.labels.length
        ? {
            security: p.labels.map((code) => ({
              system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
              code,
            })),
          }
        : {}),
    },
    status: p.status,
    ...(d.statusReason ? { statusReason: { text: d.statusReason } } : {}),
    intent: 'order',
    medicationCodeableConcept: {
      coding: [
        { system: RXNORM, code: p.drugRxcui, ...(p.drugName ? { display: p.drugName } : {}) },
      ],
    },
    subject: { reference: `Patient/${p.patientId}` },
    authoredOn: p.authoredAt.toISOString(),
    ...(p.prescriberId ? { requester: { reference: `Practitioner/${p.prescriberId}` } } : {}),
    ...(reason ? { reasonCode: reason } : {}),
    ...(d.notes ? { note: [{ text: d.notes }] } : {}),
    ...(p.renewalOf
      ? { priorPrescription: { reference: `MedicationRequest/${p.renewalOf}` } }
      : {}),
    dosageInstruction: [
      {
        timing: {
          repeat: {
            frequency: d.frequency.times,
            period: d.frequency.period,
            periodUnit: d.frequency.unit,
            ...(d.durationDays
              ? {
                  boundsDuration: {
                    value: d.durationDays,
                    unit: 'd',
                    system: 'http://unitsofmeasure.org',
                    code: 'd',
                  },
                }
              : {}),
          },
        },
        asNeededBoolean: d.asNeeded,
        route: { coding: [{ system: SNOMED, code: route.code, display: route.display }] },
        doseAndRate: [{ doseQuantity: { value: d.dose.value, unit: d.dose.unit } }],
      },
    ],
    dispenseRequest: {
      validityPeriod: { start: p.authoredAt.toISOString(), end: p.validUntil.toISOString() },
      numberOfRepeatsAllowed: p.refills,
      quantity: { value: p.quantity },
    },
  };
}
