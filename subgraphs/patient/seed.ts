import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { patientFromFhir, type FhirPatient } from '../contracts/fhir-patient.js';
import { readNdjson } from '../../platform/data/ndjson.js';
import type { RequestContext } from '../../platform/federation/context.js';
import type { Principal } from '../../platform/identity/principal.js';
import { createPatientContext, type PatientServices } from './context.js';
import type { PatientData } from './domain/patient-data.js';
import { publishCareTeamChanged } from './events.js';
import { CareTeamMember, PatientRecord } from './entities/index.js';
import { createPatient } from './store/patient-repository.js';

/** The principal the seed acts as; its writes are audited like any other. */
export const SEED_PRINCIPAL: Principal = {
  sub: 'system:seed',
  roles: ['admin'],
  scopes: ['system/*.cruds'],
  clientId: 'carefed-seed',
  purposeOfUse: 'HSYSADMIN',
};

interface Encounter {
  subject?: { reference?: string };
  participant?: { individual?: { reference?: string } }[];
}

/** A Synthea Patient as Carefed patient data (MRN from the MR identifier): the import's mapping. */
export const fromFhirPatient = (p: FhirPatient): PatientData => patientFromFhir(p);

/** Practitioners each patient met most often, from the encounters (at most `perPatient`). */
export function careTeamsFromEncounters(dir: string, perPatient = 2): Map<string, string[]> {
  const npiToId = new Map<string, string>();
  for (const pr of readNdjson<{ id: string; identifier?: { value: string }[] }>(
    path.join(dir, 'Practitioner.000.ndjson'),
  ))
    for (const i of pr.identifier ?? []) npiToId.set(i.value, pr.id);
  const counts = new Map<string, Map<string, number>>();
  for (const e of readNdjson<Encounter>(path.join(dir, 'Encounter.000.ndjson'))) {
    const patientId = e.subject?.reference?.replace('Patient/', '');
    if (!patientId) continue;
    for (const part of e.participant ?? []) {
      const npi = part.individual?.reference?.split('|')[1];
      const practitionerId = npi ? npiToId.get(npi) : undefined;
      if (!practitionerId) continue;
      const m = counts.get(patientId) ?? new Map<string, number>();
      m.set(practitionerId, (m.get(practitionerId) ?? 0) + 1);
      counts.set(patientId, m);
    }
  }
  return new Map(
    [...counts].map(([pid, m]) => [
      pid,
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, perPatient)
        .map(([id]) => id),
    ]),
  );
}

/** The ids `npm start` binds demo tokens to. */
export interface PatientSeedResult {
  patientIds: string[];
  /** Patients with no date of death, in file order. */
  livingPatientIds: string[];
  careTeams: Map<string, string[]>;
}

/**
 * Loads the Synthea demo patients and their care teams, once: a database
 * that already holds patients is left as it is.
 */
export async function seedPatients(
  base: Omit<RequestContext, 'principal'>,
  services: PatientServices,
  dataDir: string,
): Promise<PatientSeedResult> {
  const patients = readNdjson<FhirPatient>(path.join(dataDir, 'Patient.000.ndjson'));
  const careTeams = careTeamsFromEncounters(dataDir);
  const result = {
    patientIds: patients.map((p) => p.id),
    livingPatientIds: patients.filter((p) => !p.deceasedDateTime).map((p) => p.id),
    careTeams,
  };
  if ((await base.em.count(PatientRecord, {})) > 0) return result;
  const ctx = createPatientContext({ ...base, principal: SEED_PRINCIPAL }, services);
  for (const p of patients) await createPatient(ctx, fromFhirPatient(p), p.id);
  // The links and their care-team.changed events commit together, so every subgraph learns them.
  await base.em.fork().transactional(async (em) => {
    for (const [patientId, practitioners] of careTeams)
      for (const [i, practitionerId] of practitioners.entries()) {
        const m = em.create(CareTeamMember, {
          id: randomUUID(),
          patientId,
          practitionerId,
          role: i === 0 ? 'primary-care' : 'attending',
          since: base.now,
          addedBy: SEED_PRINCIPAL.sub,
        });
        em.persist(m);
        await em.flush();
        await publishCareTeamChanged(em, m, base.now);
      }
  });
  return result;
}
