import {
  practitionerFromFhir,
  type FhirPractitioner,
  type FhirPractitionerRole,
} from '../../contracts/fhir-practitioner.js';
import { patientFromFhir, patientGap, type FhirPatient } from '../../contracts/fhir-patient.js';
import type { GraphClient } from '../../../platform/federation/graph-client.js';
import type { ForeignResult, ForeignWriter } from './foreign.js';

const IMPORT_PATIENTS = `mutation ImportPatients($patients: [ImportPatientInput!]!) {
  importPatients(patients: $patients) { sourceKey id outcome }
}`;

const IMPORT_PRACTITIONERS = `mutation ImportPractitioners($practitioners: [ImportPractitionerInput!]!) {
  importPractitioners(practitioners: $practitioners) { sourceKey id outcome }
}`;

/** A resource another subgraph cannot take as it is, named by its source key (no value quoted). */
export class ForeignGap extends Error {
  constructor(
    readonly sourceKey: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'ForeignGap';
  }
}

/**
 * The importer's writes to other subgraphs through the gateway, as the
 * FHIR adapter's system client: `importPatients` (patient subgraph, matched
 * by MRN) and `importPractitioners` (scheduling, matched by NPI), each
 * mapped by the mapping the owning subgraph's seed uses
 * (`subgraphs/contracts`).
 */
export function graphForeignWriter(graph: GraphClient): ForeignWriter {
  return {
    async patients(items) {
      for (const i of items) {
        const gap = patientGap(i.resource as unknown as FhirPatient);
        if (gap) throw new ForeignGap(i.sourceKey, gap);
      }
      const data = await graph.request<{ importPatients: ForeignResult[] }>(IMPORT_PATIENTS, {
        patients: items.map((i) => ({
          sourceKey: i.sourceKey,
          ...patientFromFhir(i.resource as unknown as FhirPatient),
        })),
      });
      return data.importPatients;
    },
    async practitioners(items) {
      const data = await graph.request<{ importPractitioners: ForeignResult[] }>(
        IMPORT_PRACTITIONERS,
        {
          practitioners: items.map((i) => ({
            sourceKey: i.sourceKey,
            ...practitionerFromFhir(
              i.practitioner as unknown as FhirPractitioner,
              i.roles as unknown as FhirPractitionerRole[],
            ),
          })),
        },
      );
      return data.importPractitioners;
    },
  };
}
