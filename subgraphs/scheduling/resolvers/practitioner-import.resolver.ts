import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { SchedulingContext } from '../context.js';
import { checkImportBatch, MAX_IMPORT_BATCH } from '../domain/practitioner-import.js';
import { importPractitioners } from '../store/practitioner-import.js';
import {
  ImportPractitionerInput,
  ImportPractitionerResult,
  PractitionerImportOutcome,
} from './practitioner-import.types.js';

/** The directory import (FHIR Practitioner and PractitionerRole, merged by the caller). */
@Resolver()
export class PractitionerImportResolver {
  @Mutation(() => [ImportPractitionerResult], {
    description: `Creates or replaces up to ${MAX_IMPORT_BATCH} practitioners, matched by NPI, all or none: one result per entry, in order. For admins and first-party system clients.`,
  })
  async importPractitioners(
    @Arg('practitioners', () => [ImportPractitionerInput], {
      description: `1–${MAX_IMPORT_BATCH} practitioners with distinct NPIs, source keys and ids.`,
    })
    practitioners: ImportPractitionerInput[],
    @Ctx() ctx: SchedulingContext,
  ): Promise<ImportPractitionerResult[]> {
    checkImportBatch(practitioners);
    const results = await importPractitioners(ctx.em, practitioners);
    // Directory data, not PHI: not in the patient access log (as webhook writes); counts only here.
    ctx.log.info(
      {
        client: ctx.principal.clientId,
        created: results.filter((r) => r.outcome === 'CREATED').length,
        updated: results.filter((r) => r.outcome === 'UPDATED').length,
        entries: results.length,
      },
      'practitioners imported',
    );
    return results.map((r) => ({ ...r, outcome: PractitionerImportOutcome[r.outcome] }));
  }
}
