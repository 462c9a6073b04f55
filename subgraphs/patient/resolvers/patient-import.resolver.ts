import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { PatientContext } from '../context.js';
import { importPatients, MAX_IMPORT } from '../store/patient-import.js';
import { ImportPatientInput } from './patient.inputs.js';
import { patientDataOf } from './patient.mapper.js';
import { ImportOutcome, ImportPatientResult } from './patient-import.types.js';

@Resolver()
export class PatientImportResolver {
  @Mutation(() => [ImportPatientResult], {
    description: `Imports whole patient records from another system (1–${MAX_IMPORT} per call), matched by MRN: an unknown MRN is registered, a known one updated to the entry's data as a new version, or left alone when it already holds it. All or nothing: an MRN twice in one call is BAD_USER_INPUT, a record the caller may not change FORBIDDEN, and then nothing is written. Results are in the order sent.`,
  })
  async importPatients(
    @Arg('patients', () => [ImportPatientInput]) patients: ImportPatientInput[],
    @Ctx() ctx: PatientContext,
  ): Promise<ImportPatientResult[]> {
    const imported = await importPatients(
      ctx,
      patients.map((p) => ({ sourceKey: p.sourceKey, data: patientDataOf(p, p.identifiers) })),
    );
    return imported.map((r) =>
      Object.assign(new ImportPatientResult(), { ...r, outcome: ImportOutcome[r.outcome] }),
    );
  }
}
