import { createHash } from 'node:crypto';
import type { AppointmentEventData } from '../../../subgraphs/contracts/appointment-events.js';
import {
  clinicalChangedData,
  type ClinicalChangedData,
} from '../../../subgraphs/contracts/clinical-events.js';
import {
  researchProfile,
  type PatientProfileChangedData,
} from '../../../subgraphs/contracts/patient-events.js';
import type { PharmacyDispensedData } from '../../../subgraphs/contracts/pharmacy-events.js';
import type { ScheduleChangedData } from '../../../subgraphs/contracts/schedule-events.js';
import {
  clinicalFacts,
  isClinicalType,
} from '../../../subgraphs/fhir-adapter/domain/clinical-kinds.js';
import type { Resource } from '../../../subgraphs/fhir-adapter/population/fhir.js';

/**
 * The events Carefed's producers would publish for a generated population
 * (subgraphs/fhir-adapter/population), built with the producers' own pure
 * mappings: the patient subgraph's research profile, the FHIR adapter's
 * `clinical.changed` data. The generator makes no appointments or dispenses,
 * so this tooling derives them (stated wherever their figures appear): each
 * non-urgent ambulatory encounter is a completed appointment with a
 * practitioner of the encounter type's specialty; each medication request is
 * dispensed once, on the day it was written, 30 units unless it says
 * otherwise. Tooling for tests and benchmarks, never loaded by the service.
 */
export interface PopulationEvents {
  profiles: PatientProfileChangedData[];
  clinical: ClinicalChangedData[];
  appointments: AppointmentEventData[];
  dispenses: PharmacyDispensedData[];
}

/** The specialty a generated ambulatory encounter type stands for (SNOMED type code). */
export const SPECIALTY_OF_ENCOUNTER_TYPE: Readonly<Record<string, string>> = {
  '162673000': 'Family Medicine',
  '185347001': 'Family Medicine',
  '185345009': 'Family Medicine',
  '390906007': 'Internal Medicine',
  '410620009': 'Pediatrics',
  '424441002': 'Obstetrics & Gynecology',
  '424619006': 'Obstetrics & Gynecology',
};

/** One practitioner per specialty stands in for the population's appointments. */
export const populationPractitioner = (specialty: string): string =>
  `pop-${specialty.toLowerCase().replace(/[^a-z]+/g, '-')}`;

/** The schedules that tell open data each stand-in practitioner's specialty. */
export function populationSchedules(): ScheduleChangedData[] {
  return [...new Set(Object.values(SPECIALTY_OF_ENCOUNTER_TYPE))].map((specialty) => ({
    scheduleId: uuidOf(`schedule|${specialty}`),
    practitionerId: populationPractitioner(specialty),
    facilityId: 'population',
    specialties: [specialty],
    timeZone: 'UTC',
    slotMinutes: 30,
    weekly: [],
    exceptions: [],
    active: true,
    version: 1,
  }));
}

/** A UUID made from a text (so the derived events are the same on every run). */
function uuidOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Coded = { coding?: { system?: string; code?: string }[] };
const codeOf = (c: unknown, system?: string): string | undefined =>
  (c as Coded | undefined)?.coding?.find((x) => !system || x.system === system)?.code;

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const instant = (s: string) => new Date(s).toISOString();

/** The events of one generated patient (their resources, in the generator's order). */
export function patientEvents(resources: readonly Resource[]): PopulationEvents {
  const out: PopulationEvents = { profiles: [], clinical: [], appointments: [], dispenses: [] };
  const patient = resources.find((r) => r.resourceType === 'Patient') as
    | (Resource & {
        birthDate: string;
        gender: 'male' | 'female' | 'other' | 'unknown';
        address?: { postalCode?: string; use?: 'home' }[];
      })
    | undefined;
  if (!patient) return out;
  const patientId = patient.id;
  out.profiles.push(
    researchProfile(patientId, 1, {
      birthDate: patient.birthDate,
      gender: patient.gender,
      address: (patient.address ?? []).map((a) => ({ line: [], ...a })),
    }),
  );
  for (const r of resources) {
    if (!isClinicalType(r.resourceType)) continue;
    const body = r as Resource & Record<string, unknown>;
    const facts = clinicalFacts(body as Parameters<typeof clinicalFacts>[0]);
    out.clinical.push(
      clinicalChangedData(
        { id: r.id, type: r.resourceType, patientId, version: 1, labels: [] },
        facts,
      ),
    );
    const period = body.period as { start?: string; end?: string } | undefined;
    const klass = (body.class as { code?: string } | undefined)?.code;
    const specialty = SPECIALTY_OF_ENCOUNTER_TYPE[codeOf((body.type as unknown[])?.[0]) ?? ''];
    if (r.resourceType === 'Encounter' && klass === 'AMB' && specialty && period?.start)
      out.appointments.push({
        appointmentId: uuidOf(`appointment|${r.id}`),
        patientId,
        practitionerId: populationPractitioner(specialty),
        facilityId: 'population',
        status: 'fulfilled',
        start: instant(period.start),
        end: instant(period.end ?? period.start),
        version: 1,
      });
    const rxcui = codeOf(body.medicationCodeableConcept, RXNORM);
    if (r.resourceType === 'MedicationRequest' && rxcui && typeof body.authoredOn === 'string') {
      const q = (body.dispenseRequest as { quantity?: { value?: number } } | undefined)?.quantity
        ?.value;
      out.dispenses.push({
        dispenseId: uuidOf(`dispense|${r.id}`),
        prescriptionId: r.id,
        patientId,
        facilityId: 'population',
        drugRxcui: rxcui,
        quantity: Number.isInteger(q) && q! > 0 ? q! : 30,
        unitPriceMinor: '0',
        currency: 'USD',
        dispensedAt: instant(body.authoredOn),
      });
    }
  }
  return out;
}
