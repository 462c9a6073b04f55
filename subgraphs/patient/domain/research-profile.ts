import type { PatientProfileChangedData } from '../../contracts/patient-events.js';
import type { PatientData } from './patient-data.js';

/** The home address, else the first that is not old or billing, else none. */
function residence(data: PatientData): PatientData['address'][number] | undefined {
  return (
    data.address.find((a) => a.use === 'home') ??
    data.address.find((a) => a.use !== 'old' && a.use !== 'billing')
  );
}

/**
 * What `patient.profile-changed` says of a patient: the year of birth, the
 * administrative sex and the first three digits of a US home postal code
 * (`66204-1234` → `662`); nothing else of the record leaves the patient
 * subgraph for research.
 */
export function researchProfile(
  patientId: string,
  version: number,
  data: Pick<PatientData, 'birthDate' | 'gender' | 'address'>,
): PatientProfileChangedData {
  const year = /^(\d{4})/.exec(data.birthDate)?.[1];
  const postal = residence(data as PatientData)?.postalCode?.trim() ?? '';
  const zip = /^(\d{3})\d{2}(-?\d{4})?$/.exec(postal);
  return {
    patientId,
    version,
    birthYear: year ? Number(year) : null,
    sex: data.gender,
    zip3: zip ? zip[1]! : null,
  };
}
