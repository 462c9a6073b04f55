import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { toConnection } from '../../../platform/federation/keyset.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import type { FhirContext } from '../context.js';
import type { ClinicalType } from '../domain/clinical-kinds.js';
import type { ClinicalRow } from '../store/resource-rows.js';
import { ClinicalFilter } from './clinical.inputs.js';
import {
  toAllergyIntolerance,
  toCarePlan,
  toCondition,
  toDevice,
  toDiagnosticReport,
  toDocumentReference,
  toEncounter,
  toImmunization,
  toMedicationRecord,
  toObservation,
  toProcedure,
} from './clinical.mapper.js';
import {
  AllergyConnection,
  CarePlanConnection,
  ConditionConnection,
  DeviceConnection,
  DiagnosticReportConnection,
  DocumentConnection,
  EncounterConnection,
  ImmunizationConnection,
  MedicationRecordConnection,
  ObservationConnection,
  Patient,
  ProcedureConnection,
} from './patient-clinical.types.js';

const FILTER = {
  nullable: true,
  description: 'Status, category, code and date range; by default everything but entered-in-error.',
} as const;

/** One patient's list of `types`, through the batched, decided and audited loader. */
async function list<N>(
  ctx: FhirContext,
  patient: Patient,
  kind: string,
  types: readonly ClinicalType[],
  { first, after }: PageArgs,
  filter: ClinicalFilter | undefined,
  toNode: (row: ClinicalRow) => N,
) {
  const page = await ctx.clinicalLists.load({
    patientId: requireUuid(patient.id),
    kind,
    types,
    filter: filter
      ? {
          status: filter.status ?? null,
          category: filter.category ?? null,
          code: filter.code ?? null,
          from: filter.from ?? null,
          to: filter.to ?? null,
        }
      : null,
    first: pageSize(first),
    after: after ?? null,
  });
  return toConnection(page, toNode);
}

const AUDITED =
  '(audited; empty when the caller may not see them; records a consent withholds by their security labels are left out)';

/**
 * The clinical record on the patient entity: one connection per kind of
 * resource, newest first, every list of every patient in a response read in
 * one statement per distinct filter and page.
 */
@Resolver(() => Patient)
export class PatientClinicalResolver {
  @FieldResolver(() => EncounterConnection, {
    nullable: true,
    description: `Encounters ${AUDITED}.`,
  })
  encounters(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(ctx, p, 'encounters', ['Encounter'], page, filter, toEncounter);
  }

  @FieldResolver(() => ConditionConnection, {
    nullable: true,
    description: `Conditions (problems and diagnoses) ${AUDITED}.`,
  })
  conditions(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(ctx, p, 'conditions', ['Condition'], page, filter, toCondition);
  }

  @FieldResolver(() => AllergyConnection, {
    nullable: true,
    description: `Allergies and intolerances ${AUDITED}.`,
  })
  allergies(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(ctx, p, 'allergies', ['AllergyIntolerance'], page, filter, toAllergyIntolerance);
  }

  @FieldResolver(() => ImmunizationConnection, {
    nullable: true,
    description: `Immunizations ${AUDITED}.`,
  })
  immunizations(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(ctx, p, 'immunizations', ['Immunization'], page, filter, toImmunization);
  }

  @FieldResolver(() => ProcedureConnection, {
    nullable: true,
    description: `Procedures ${AUDITED}.`,
  })
  procedures(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(ctx, p, 'procedures', ['Procedure'], page, filter, toProcedure);
  }

  @FieldResolver(() => ObservationConnection, {
    nullable: true,
    description: `Observations (vital signs, results) ${AUDITED}.`,
  })
  observations(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(ctx, p, 'observations', ['Observation'], page, filter, toObservation);
  }

  @FieldResolver(() => DiagnosticReportConnection, {
    nullable: true,
    description: `Diagnostic reports ${AUDITED}.`,
  })
  diagnosticReports(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(
      ctx,
      p,
      'diagnosticReports',
      ['DiagnosticReport'],
      page,
      filter,
      toDiagnosticReport,
    );
  }

  @FieldResolver(() => DocumentConnection, {
    nullable: true,
    description: `Clinical documents and notes ${AUDITED}.`,
  })
  documents(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(ctx, p, 'documents', ['DocumentReference'], page, filter, toDocumentReference);
  }

  @FieldResolver(() => CarePlanConnection, {
    nullable: true,
    description: `Care plans ${AUDITED}.`,
  })
  carePlans(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(ctx, p, 'carePlans', ['CarePlan'], page, filter, toCarePlan);
  }

  @FieldResolver(() => DeviceConnection, {
    nullable: true,
    description: `Devices ${AUDITED}.`,
  })
  devices(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(ctx, p, 'devices', ['Device'], page, filter, toDevice);
  }

  @FieldResolver(() => MedicationRecordConnection, {
    nullable: true,
    description: `Medication history written by other systems (MedicationRequest and MedicationStatement) ${AUDITED}; prescriptions written in Carefed are pharmacy's.`,
  })
  medicationHistory(
    @Root() p: Patient,
    @Ctx() ctx: FhirContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClinicalFilter, FILTER) filter?: ClinicalFilter,
  ) {
    return list(
      ctx,
      p,
      'medicationHistory',
      ['MedicationRequest', 'MedicationStatement'],
      page,
      filter,
      toMedicationRecord,
    );
  }
}
