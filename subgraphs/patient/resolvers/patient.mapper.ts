import { MRN_SYSTEM, type PatientData } from '../domain/patient-data.js';
import type { CreatePatientInput, IdentifierInput } from './patient.inputs.js';
import type { ContactSystem, GenderCode } from './patient.types.js';
import { Patient, PatientSnapshot } from './patient.types.js';

/** A patient's data; a read holds only the PHI fields its query selected. */
type Shape = Partial<PatientData> & { id: string; version: number; active?: boolean };

function fields(view: Shape) {
  const { name, telecom } = view;
  return {
    id: view.id,
    version: view.version,
    active: view.active ?? true,
    mrn: view.mrn,
    name: name && {
      family: name.family,
      given: name.given,
      text: [...name.given, name.family].join(' '),
    },
    birthDate: view.birthDate,
    gender: view.gender as GenderCode | undefined,
    telecom: telecom?.map((t) => ({
      system: t.system as ContactSystem,
      value: t.value,
      use: t.use,
    })),
    address: view.address,
    identifiers: view.identifiers,
    managingOrganizationId: view.managingOrganizationId ?? null,
  };
}

/** The GraphQL shape of a decrypted patient (the fields it holds). */
export function toPatient(view: Shape): Patient {
  return Object.assign(new Patient(), fields(view));
}

/** The GraphQL shape of one history version of a patient. */
export function toSnapshot(data: PatientData, id: string, version: number): PatientSnapshot {
  return Object.assign(new PatientSnapshot(), fields({ ...data, id, version }));
}

/**
 * A new or imported patient's data from its input: the MRN under Carefed's
 * MRN system unless `identifiers` are given, omitted lists empty.
 */
export function patientDataOf(
  input: CreatePatientInput,
  identifiers?: readonly IdentifierInput[],
): PatientData {
  return {
    mrn: input.mrn,
    name: { family: input.name.family, given: input.name.given },
    birthDate: input.birthDate,
    gender: input.gender,
    telecom: (input.telecom ?? []).map((t) => ({
      system: t.system,
      value: t.value,
      use: t.use as PatientData['telecom'][number]['use'],
    })),
    address: (input.address ?? []).map((a) => ({
      line: a.line,
      city: a.city,
      state: a.state,
      postalCode: a.postalCode,
      country: a.country,
    })),
    identifiers: identifiers
      ? identifiers.map((i) => ({ system: i.system, value: i.value }))
      : [{ system: MRN_SYSTEM, value: input.mrn }],
    managingOrganizationId: input.managingOrganizationId ?? null,
  };
}
