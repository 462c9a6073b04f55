import { randomUUID } from 'node:crypto';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { badInput, notFound } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { accessEvent, requireAccess } from '../access.js';
import type { PatientContext } from '../context.js';
import { ConsentRecordEntity } from '../entities/index.js';
import { toConsent } from './consent.mapper.js';
import { RecordConsentInput } from './consent.inputs.js';
import { Consent } from './consent.types.js';

@Resolver(() => Consent)
export class ConsentResolver {
  @Mutation(() => Consent, {
    description:
      'Records a consent for a patient (by the patient, or on their behalf). It applies at once.',
  })
  async recordConsent(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('input', () => RecordConsentInput) input: RecordConsentInput,
    @Ctx() ctx: PatientContext,
  ): Promise<Consent> {
    const id = requireUuid(patientId, 'patientId');
    if (input.provisions.length === 0)
      throw badInput('A consent needs at least one provision', 'provisions');
    if (input.periodStart && input.periodEnd && input.periodEnd <= input.periodStart)
      throw badInput('periodEnd must be after periodStart', 'periodEnd');
    const decision = await requireAccess(ctx, id, 'Consent', 'c', 'create');
    return ctx.em.transactional(async (em) => {
      const consent = em.create(ConsentRecordEntity, {
        id: randomUUID(),
        patientId: id,
        status: 'active',
        scope: input.scope,
        provisions: input.provisions.map((p) => ({
          type: p.type,
          actors: p.actors?.map((a) => ({ kind: a.kind, id: a.id })),
          purposes: p.purposes,
          dataClasses: p.dataClasses,
        })),
        periodStart: input.periodStart ?? null,
        periodEnd: input.periodEnd ?? null,
        recordedAt: ctx.now,
        recordedBy: ctx.principal.sub,
      });
      await em.persist(consent).flush();
      await recordAccess({ ...ctx, em }, [
        accessEvent(id, decision, 'create', 'Consent', consent.id),
      ]);
      return toConsent(consent);
    });
  }

  @Mutation(() => Consent, {
    description: 'Revokes a consent; access it denied is restored at once.',
  })
  async revokeConsent(
    @Arg('consentId', () => ID) consentId: string,
    @Ctx() ctx: PatientContext,
  ): Promise<Consent> {
    const existing = await ctx.em.findOne(ConsentRecordEntity, {
      id: requireUuid(consentId, 'consentId'),
    });
    // Whether the consent exists is not revealed to callers who may not change it.
    const decision = await requireAccess(
      ctx,
      existing?.patientId ?? consentId,
      'Consent',
      'u',
      'update',
    );
    if (!existing) throw notFound('Consent');
    return ctx.em.transactional(async (em) => {
      const consent = await em.findOneOrFail(ConsentRecordEntity, { id: existing.id });
      if (consent.status === 'inactive') return toConsent(consent);
      em.assign(consent, { status: 'inactive', revokedAt: ctx.now, revokedBy: ctx.principal.sub });
      await em.flush();
      await recordAccess({ ...ctx, em }, [
        accessEvent(consent.patientId, decision, 'update', 'Consent', consent.id),
      ]);
      return toConsent(consent);
    });
  }
}
