import type { PatientData } from '../domain/patient-data.js';
import type { ContactSystem, GenderCode } from './patient.types.js';
import { Patient, PatientSnapshot } from './patient.types.js';

type Shape = PatientData & { id: string; version: number; active?: boolean };

function fields(view: Shape) {
  return {
    id: view.id,
    version: view.version,
    active: view.active ?? true,
    mrn: view.mrn,
    name: {
      family: view.name.family,
      given: view.name.given,
      text: [...view.name.given, view.name.family].join(' '),
    },
    birthDate: view.birthDate,
    gender: view.gender as GenderCode,
    telecom: view.telecom.map((t) => ({
      system: t.system as ContactSystem,
      value: t.value,
      use: t.use,
    })),
    address: view.address,
    identifiers: view.identifiers,
    managingOrganizationId: view.managingOrganizationId ?? null,
  };
}

/** The GraphQL shape of a decrypted patient. */
export function toPatient(view: Shape): Patient {
  return Object.assign(new Patient(), fields(view));
}

/** The GraphQL shape of one history version of a patient. */
export function toSnapshot(data: PatientData, id: string, version: number): PatientSnapshot {
  return Object.assign(new PatientSnapshot(), fields({ ...data, id, version }));
}
