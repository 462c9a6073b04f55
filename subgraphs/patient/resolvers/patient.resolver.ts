import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { Arg, Args, Ctx, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { forbidden } from '../../../platform/errors/index.js';
import { accessEvent, requireAccess } from '../access.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { selectedFieldNames, selectsField } from '../../../platform/federation/selection.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import type { PatientContext } from '../context.js';
import type { PatientData } from '../domain/patient-data.js';
import { phiFieldsIn } from '../store/patient-codec.js';
import {
  createPatient,
  readPatients,
  updatePatient,
  type PatientSelection,
} from '../store/patient-repository.js';
import { searchPatients, type PatientFilter } from '../store/patient-search.js';
import { CreatePatientInput, UpdatePatientInput } from './patient.inputs.js';
import { patientDataOf, toPatient } from './patient.mapper.js';
import { Patient, PatientConnection } from './patient.types.js';

/** What the query shows of the patients at `path` beneath the resolving field. */
function selectionOf(info: GraphQLResolveInfo, path: readonly string[]): PatientSelection {
  return {
    fields: phiFieldsIn(selectedFieldNames(info)),
    careTeam: selectsField(info, path, 'careTeam'),
  };
}

/** Reads one patient through the same checks as lists and `_entities`. */
export async function loadPatient(
  ctx: PatientContext,
  id: string,
  info: GraphQLResolveInfo,
): Promise<Patient> {
  const result = (await readPatients(ctx, [requireUuid(id)], 'read', selectionOf(info, []))).get(
    id.toLowerCase(),
  );
  if (!result || result instanceof GraphQLError) throw result ?? forbidden();
  return toPatient(result);
}

/** Scans beyond records hidden by consent, at most this many pages deep per request. */
const MAX_SCAN_ROUNDS = 5;

/**
 * A page of patients the caller may see. Candidates hidden by a consent are
 * skipped (and their denial audited), and the page is filled from further
 * candidates; the end cursor is the last visible patient's, so no hidden
 * record's id leaks through paging. After MAX_SCAN_ROUNDS pages with nothing
 * visible the scan position is returned as the cursor so paging can go on.
 */
async function listPatients(
  ctx: PatientContext,
  filter: PatientFilter,
  first: number,
  after: string | undefined,
  selection: PatientSelection,
): Promise<PatientConnection> {
  const edges: PatientConnection['edges'] = [];
  let cursor = after;
  let hasNextPage = false;
  let scanCursor: string | null = null;
  for (let round = 0; round < MAX_SCAN_ROUNDS && edges.length < first; round++) {
    const page = await searchPatients(ctx, filter, first - edges.length, cursor);
    const views = await readPatients(ctx, page.ids, 'search', selection);
    for (const id of page.ids) {
      const v = views.get(id);
      if (v && !(v instanceof GraphQLError))
        edges.push({ cursor: page.cursorOf(id), node: toPatient(v) });
    }
    hasNextPage = page.hasNextPage;
    const last = page.ids.at(-1);
    if (!hasNextPage || !last) break;
    cursor = scanCursor = page.cursorOf(last);
  }
  return {
    edges,
    pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? (hasNextPage ? scanCursor : null) },
  };
}

@Resolver(() => Patient)
export class PatientResolver {
  @Query(() => Patient, { nullable: true, description: 'One patient, if the caller may see them.' })
  async patient(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: PatientContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Patient> {
    return loadPatient(ctx, id, info);
  }

  @Query(() => PatientConnection, {
    description:
      'Patients the caller may see, in a stable order. Filters are exact matches (blind indexes): `mrn`, or `family` with `birthDate`.',
  })
  async patients(
    @Ctx() ctx: PatientContext,
    @Info() info: GraphQLResolveInfo,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Arg('mrn', () => String, { nullable: true, description: 'Exact medical record number.' })
    mrn?: string,
    @Arg('family', () => String, {
      nullable: true,
      description: 'Exact family name (with birthDate).',
    })
    family?: string,
    @Arg('birthDate', () => String, {
      nullable: true,
      description: 'Birth date YYYY-MM-DD (with family).',
    })
    birthDate?: string,
  ): Promise<PatientConnection> {
    return listPatients(
      ctx,
      { mrn, family, birthDate },
      pageSize(first),
      after ?? undefined,
      selectionOf(info, ['edges', 'node']),
    );
  }

  @Mutation(() => Patient, {
    description: 'Registers a patient. A registering clinician joins the care team.',
  })
  async createPatient(
    @Arg('input', () => CreatePatientInput) input: CreatePatientInput,
    @Ctx() ctx: PatientContext,
  ): Promise<Patient> {
    return toPatient(await createPatient(ctx, patientDataOf(input)));
  }

  @Mutation(() => Patient, {
    description:
      'Changes a patient. Send the version you read; if it is no longer current the answer is CONFLICT. Patients may change only their contact details.',
  })
  async updatePatient(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('input', () => UpdatePatientInput) input: UpdatePatientInput,
    @Ctx() ctx: PatientContext,
  ): Promise<Patient> {
    const selfService = ctx.principal.roles.every((r) => r === 'patient' || r === 'partner');
    if (selfService && (input.name || input.birthDate || input.gender)) {
      // Decided and audited like any write first, then refused (and audited) for its content.
      const decision = await requireAccess(ctx, requireUuid(id), 'Patient', 'u', 'update');
      await recordAccess(ctx, [
        {
          ...accessEvent(id.toLowerCase(), decision, 'update', 'Patient'),
          outcome: 'deny',
          reason: 'denied:self-service-demographics',
        },
      ]);
      throw forbidden(
        'Patients may change only contact details; ask the front desk to change name, birth date or gender',
      );
    }
    const view = await updatePatient(ctx, requireUuid(id), expectedVersion, (cur) => ({
      ...cur,
      name: input.name
        ? { ...cur.name, family: input.name.family, given: input.name.given }
        : cur.name,
      birthDate: input.birthDate ?? cur.birthDate,
      gender: input.gender ?? cur.gender,
      telecom: input.telecom
        ? input.telecom.map((t) => ({ ...t, use: t.use as PatientData['telecom'][number]['use'] }))
        : cur.telecom,
      address: input.address ?? cur.address,
    }));
    return toPatient(view);
  }
}
