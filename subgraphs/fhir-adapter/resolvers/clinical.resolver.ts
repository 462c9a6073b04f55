import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { requireFound } from '../../../platform/authz/index.js';
import { forbidden } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import {
  clinicalAccess,
  clinicalEvent,
  clinicalWrite,
  decideClinical,
  NO_ACCESS,
} from '../access.js';
import type { FhirContext } from '../context.js';
import type { ClinicalType } from '../domain/clinical-kinds.js';
import {
  allergyResource,
  conditionResource,
  enteredInError,
  vitalSignsResources,
} from '../domain/authoring.js';
import { prepareResource } from '../store/prepare.js';
import { resourceRecord, resourceVersions } from '../store/resource-reads.js';
import { decryptRecord, type ResourceRecord } from '../store/resource-rows.js';
import { writeResources, type PreparedResource } from '../store/resource-writes.js';
import {
  RecordAllergyInput,
  RecordConditionInput,
  RecordVitalSignsInput,
} from './authoring.inputs.js';
import { toClinical } from './clinical.mapper.js';
import { ClinicalResource, type ClinicalObject } from './clinical.types.js';

/** The record `id` the caller may read (audited), or FORBIDDEN with one answer for missing and refused. */
async function readable(ctx: FhirContext, id: string): Promise<ResourceRecord> {
  const rec = await resourceRecord(ctx.em, ctx.services.indexKey, requireUuid(id, 'id'));
  const type: ClinicalType = rec?.type ?? 'Condition';
  const { record } = await requireFound(ctx, rec, clinicalAccess(type, 'r'), 'read', NO_ACCESS, id);
  return record;
}

/**
 * Writes new versions of one patient's resources as one audited write: the
 * kernel decides (care team, consent, scope) inside the transaction, with
 * the patient's facts locked until it commits.
 */
async function write(
  ctx: FhirContext,
  items: PreparedResource[],
  action: 'create' | 'update',
): Promise<ClinicalObject[]> {
  const first = items[0]!;
  const permission = action === 'create' ? 'c' : 'u';
  return auditedWrite(
    ctx,
    {
      decision: clinicalWrite(
        ctx,
        first,
        first.type,
        permission,
        action,
        action === 'update' ? first.id : undefined,
      ),
      patientId: first.patientId,
      dataClass: first.type,
      action,
    },
    async (em) => {
      const stored = await writeResources(em, ctx.services, items, ctx.principal.sub, ctx.now);
      return {
        id: first.id,
        result: stored.map((s) =>
          toClinical({
            ...s,
            status: items.find((i) => i.id === s.id)!.facts.status,
            labels: s.segments,
          }),
        ),
      };
    },
  );
}

/** The current version for a change: readable metadata only; the write itself decides access. */
async function current(ctx: FhirContext, id: string, type: ClinicalType): Promise<ResourceRecord> {
  const rec = await resourceRecord(ctx.em, ctx.services.indexKey, requireUuid(id, 'id'));
  if (!rec || rec.type !== type) {
    await recordAccess(ctx, [
      clinicalEvent(
        { patientId: rec?.patientId ?? '00000000-0000-0000-0000-000000000000' },
        {
          allowed: false,
          emergency: false,
          purpose: ctx.principal.purposeOfUse,
          reason: 'compartment',
        },
        type,
        'update',
        id,
      ),
    ]);
    throw forbidden(NO_ACCESS);
  }
  return rec;
}

/** Reading one clinical resource, its history, and the clinician's record of allergies, conditions and vital signs. */
@Resolver()
export class ClinicalResolver {
  @Query(() => ClinicalResource, {
    description: 'One clinical resource by id (audited; FORBIDDEN when missing or not permitted).',
  })
  async clinicalResource(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: FhirContext,
  ): Promise<ClinicalObject> {
    const rec = await readable(ctx, id);
    return toClinical(await decryptRecord(ctx.em, ctx.services.cipher, rec));
  }

  @Query(() => [ClinicalResource], {
    description:
      'Every version of a clinical resource, newest first (FHIR _history; audited). A version whose security labels the patient’s consent withholds from the caller is left out.',
  })
  async clinicalHistory(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: FhirContext,
  ): Promise<ClinicalObject[]> {
    const rec = await readable(ctx, id);
    const versions = await resourceVersions(ctx.em, ctx.services.cipher, rec);
    const decisions = await decideClinical(ctx, versions, rec.type, 'r');
    await recordAccess(
      ctx,
      versions.flatMap((v, i) =>
        decisions[i]!.allowed ? [] : [clinicalEvent(v, decisions[i]!, rec.type, 'read', rec.id)],
      ),
    );
    return versions
      .filter((_, i) => decisions[i]!.allowed)
      .map((v) => toClinical({ ...v, status: v.version === rec.version ? rec.status : null }));
  }

  @Mutation(() => ClinicalResource, {
    description: 'Records an allergy or intolerance for a patient on your care team (version 1).',
  })
  async recordAllergy(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('input', () => RecordAllergyInput) input: RecordAllergyInput,
    @Ctx() ctx: FhirContext,
  ): Promise<ClinicalObject> {
    const pid = requireUuid(patientId, 'patientId');
    const resource = allergyResource(pid, input, ctx.principal.practitionerId, ctx.now);
    const [out] = await write(ctx, [prepareResource(randomUUID(), pid, resource)], 'create');
    return out!;
  }

  @Mutation(() => ClinicalResource, {
    description:
      'Replaces an allergy’s content as a new version; CONFLICT (with currentVersion) unless expectedVersion is the current one.',
  })
  async updateAllergy(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('input', () => RecordAllergyInput) input: RecordAllergyInput,
    @Ctx() ctx: FhirContext,
  ): Promise<ClinicalObject> {
    const rec = await current(ctx, id, 'AllergyIntolerance');
    const resource = allergyResource(rec.patientId, input, ctx.principal.practitionerId, ctx.now);
    const [out] = await write(
      ctx,
      [prepareResource(rec.id, rec.patientId, resource, expectedVersion)],
      'update',
    );
    return out!;
  }

  @Mutation(() => ClinicalResource, {
    description:
      'Records a condition (problem or diagnosis) for a patient on your care team (version 1).',
  })
  async recordCondition(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('input', () => RecordConditionInput) input: RecordConditionInput,
    @Ctx() ctx: FhirContext,
  ): Promise<ClinicalObject> {
    const pid = requireUuid(patientId, 'patientId');
    const resource = conditionResource(pid, input, ctx.principal.practitionerId, ctx.now);
    const [out] = await write(ctx, [prepareResource(randomUUID(), pid, resource)], 'create');
    return out!;
  }

  @Mutation(() => ClinicalResource, {
    description:
      'Replaces a condition’s content as a new version; CONFLICT (with currentVersion) unless expectedVersion is the current one.',
  })
  async updateCondition(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('input', () => RecordConditionInput) input: RecordConditionInput,
    @Ctx() ctx: FhirContext,
  ): Promise<ClinicalObject> {
    const rec = await current(ctx, id, 'Condition');
    const resource = conditionResource(rec.patientId, input, ctx.principal.practitionerId, ctx.now);
    const [out] = await write(
      ctx,
      [prepareResource(rec.id, rec.patientId, resource, expectedVersion)],
      'update',
    );
    return out!;
  }

  @Mutation(() => [ClinicalResource], {
    description:
      'Records a set of vital signs for a patient on your care team: one Observation per sign (blood pressure as one panel).',
  })
  async recordVitalSigns(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('input', () => RecordVitalSignsInput) input: RecordVitalSignsInput,
    @Ctx() ctx: FhirContext,
  ): Promise<ClinicalObject[]> {
    const pid = requireUuid(patientId, 'patientId');
    const resources = vitalSignsResources(pid, input, ctx.principal.practitionerId);
    return write(
      ctx,
      resources.map((r) => prepareResource(randomUUID(), pid, r)),
      'create',
    );
  }

  @Mutation(() => ClinicalResource, {
    description:
      'Marks a resource entered-in-error (a new version; nothing is deleted). CONFLICT (with currentVersion) unless expectedVersion is the current one.',
  })
  async markEnteredInError(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Ctx() ctx: FhirContext,
  ): Promise<ClinicalObject> {
    const rec = await resourceRecord(ctx.em, ctx.services.indexKey, requireUuid(id, 'id'));
    const found = await current(ctx, id, rec?.type ?? 'Condition');
    const row = await decryptRecord(ctx.em, ctx.services.cipher, found);
    const resource = enteredInError(row.resource);
    const [out] = await write(
      ctx,
      [prepareResource(found.id, found.patientId, resource, expectedVersion)],
      'update',
    );
    return out!;
  }
}
