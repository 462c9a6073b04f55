import { randomUUID } from 'node:crypto';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { mayChangeConsent, NAMED_IN_CONSENT } from '../../../platform/authz/consent-revocation.js';
import { badInput, forbidden } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { accessEvent, patientWrite, requireAccess, toConsentRecord } from '../access.js';
import { publishConsentChanged } from '../events.js';
import type { PatientContext } from '../context.js';
import { ConsentRecordEntity } from '../entities/index.js';
import { toConsent } from './consent.mapper.js';
import { RecordConsentInput } from './consent.inputs.js';
import { Consent } from './consent.types.js';

const NO_CONSENT = 'Not permitted to change this consent, or it does not exist';

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
    return auditedWrite(
      ctx,
      {
        decision: patientWrite(ctx, id, 'Consent', 'c', 'create'),
        patientId: id,
        dataClass: 'Consent',
        action: 'create',
      },
      {
        write: async (em) => {
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
              ...(p.securityLabels?.length ? { securityLabels: p.securityLabels } : {}),
            })),
            periodStart: input.periodStart ?? null,
            periodEnd: input.periodEnd ?? null,
            recordedAt: ctx.now,
            recordedBy: ctx.principal.sub,
          });
          await em.persist(consent).flush();
          return { id: consent.id, result: consent };
        },
        publish: (em, consent) => publishConsentChanged(em, consent, ctx.now),
      },
    ).then(toConsent);
  }

  @Mutation(() => Consent, {
    description:
      'Revokes a consent; access it denied is restored at once. Someone acting on the patient’s behalf cannot revoke a deny that names them.',
  })
  async revokeConsent(
    @Arg('consentId', () => ID) consentId: string,
    @Ctx() ctx: PatientContext,
  ): Promise<Consent> {
    const existing = await ctx.em.findOne(ConsentRecordEntity, {
      id: requireUuid(consentId, 'consentId'),
    });
    // Whether the consent exists is not revealed to callers who may not change it.
    if (!existing) throw forbidden(NO_CONSENT);
    const decision = await requireAccess(ctx, existing.patientId, 'Consent', 'u', 'update');
    const p = ctx.principal;
    // An actor the consent names, or an app acting for the patient through it, never lifts it.
    if (!mayChangeConsent(toConsentRecord(existing), p)) {
      await recordAccess(ctx, [
        {
          ...accessEvent(existing.patientId, decision, 'update', 'Consent', existing.id),
          outcome: 'deny',
          reason: NAMED_IN_CONSENT,
        },
      ]);
      throw forbidden(
        'A consent that names you, or the app you call through, can be revoked only by the patient in person',
      );
    }
    const audit = {
      decision: patientWrite(ctx, existing.patientId, 'Consent', 'u', 'update'),
      patientId: existing.patientId,
      dataClass: 'Consent',
      action: 'update',
    } as const;
    return auditedWrite(ctx, audit, {
      write: async (em) => {
        const consent = await em.findOneOrFail(ConsentRecordEntity, { id: existing.id });
        // Revoking a revoked consent changes nothing: answered, and audited, as a read.
        if (consent.status === 'inactive')
          return { id: consent.id, result: consent, replayed: true };
        em.assign(consent, { status: 'inactive', revokedAt: ctx.now, revokedBy: p.sub });
        await em.flush();
        return { id: consent.id, result: consent };
      },
      publish: (em, consent) => publishConsentChanged(em, consent, ctx.now),
    }).then(toConsent);
  }
}
