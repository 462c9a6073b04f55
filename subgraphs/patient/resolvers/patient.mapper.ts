import type { PatientData, PatientView } from '../domain/patient-data.js';
import type { ContactSystem, GenderCode } from './patient.types.js';
import { Patient } from './patient.types.js';

/** The GraphQL shape of a decrypted patient (or of one of its history versions). */
export function toPatient(
  view: PatientData & { id: string; version: number; active?: boolean },
): Patient {
  return Object.assign(new Patient(), {
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
  });
}

export type { PatientView };
